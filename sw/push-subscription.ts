/**
 * The page/worker half of Web Push: subscribe this registration with the deployment's VAPID key
 * and hand the subscription to whoever stores it (the gateway's push-subscription API, a later
 * issue: it keeps the record encrypted in KV and sends only the sentinel). Nothing here pretends:
 * without a push service (headless Chromium, a denied permission, no VAPID key yet) the result
 * says why, and nothing is registered.
 * @example const r = await subscribePush(registration, { vapidPublicKey, register: (s) => gateway.savePush(s) });
 */
import { fromBase64Url } from '../core/bytes.ts';

/** What the gateway needs to send a push (PushSubscription.toJSON()). */
export interface PushSubscriptionRecord {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
}

export type PushSubscribeResult =
  | { ok: true; subscription: PushSubscriptionRecord }
  | { ok: false; reason: 'unsupported' | 'no-vapid-key' | 'permission' | 'push-service'; message: string };

export interface SubscribeOptions {
  /** The deployment's VAPID public key (base64url, uncompressed P-256); undefined until the gateway has one. */
  vapidPublicKey: string | undefined;
  /** Stores the subscription with the gateway; its failure fails the whole call. */
  register: (subscription: PushSubscriptionRecord) => Promise<void>;
}

/** Subscribes (or reuses the existing subscription) and registers it; see the top of this file. */
export async function subscribePush(
  registration: ServiceWorkerRegistration,
  options: SubscribeOptions,
): Promise<PushSubscribeResult> {
  if (!registration.pushManager)
    return { ok: false, reason: 'unsupported', message: 'This browser has no Web Push.' };
  if (!options.vapidPublicKey)
    return { ok: false, reason: 'no-vapid-key', message: 'The gateway does not send Web Push yet.' };
  const state = await registration.pushManager
    .permissionState({ userVisibleOnly: true })
    .catch(() => 'prompt' as PermissionState);
  if (state === 'denied')
    return { ok: false, reason: 'permission', message: 'Notifications are blocked for this site.' };
  let subscription: PushSubscription;
  try {
    subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        // A copy typed as ArrayBuffer-backed, as PushManager wants (BufferSource).
        applicationServerKey: new Uint8Array(fromBase64Url(options.vapidPublicKey)),
      }));
  } catch (error) {
    return {
      ok: false,
      reason: (error as Error).name === 'NotAllowedError' ? 'permission' : 'push-service',
      message: `Could not subscribe to push: ${(error as Error).message}`,
    };
  }
  const record = subscription.toJSON() as PushSubscriptionRecord;
  await options.register(record);
  return { ok: true, subscription: record };
}
