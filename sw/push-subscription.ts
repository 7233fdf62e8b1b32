/**
 * The page/worker half of Web Push lives in core (core/client/push-subscription.ts), where the
 * in-page client and the elements reach it too; re-exported here for the worker's side.
 * @example const r = await subscribePush(registration, { vapidPublicKey, register: (s) => client.savePush(s) });
 */
export {
  type PushSubscribeResult,
  type PushSubscriptionRecord,
  type SubscribeOptions,
  subscribePush,
} from '../core/client/index.ts';
