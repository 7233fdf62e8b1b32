/**
 * push.save: the calling device stores (or replaces) its own Web Push subscription. The request's
 * device_key must be the caller's: a device never writes another's. The record is sealed with the
 * server secret in rk_push under the device key; the reply is empty.
 */

import { p256 } from '@noble/curves/nist.js';
import { equalBytes, toHex } from '../../core/bytes.ts';
import { decode } from '../../core/codec.ts';
import { ForbiddenError, MalformedError } from '../../core/errors.ts';
import { PUSH_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { requireBytes } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import type { Endpoint } from '../service.ts';
import { checkPushEndpoint } from '../web-push-endpoint.ts';

/**
 * The push.save endpoint; `saved` tells the push dispatcher the user has a device to push now.
 * @example pushSave(ctx, { allowHttp: false }, (userId) => pushes.subscribed(userId))
 */
export function pushSave(
  ctx: GatewayContext,
  options: { allowHttp: boolean },
  saved: (userId: string) => void = () => undefined,
): Endpoint {
  return {
    subject: PUSH_SUBJECTS.save,
    maxBytes: 2048,
    handle: async (data, call) => {
      const req = decode(v1.PushSubscription, data, 'push subscription');
      const deviceKey = requireBytes(req.deviceKey, 32, 32, 'device_key');
      const endpoint = checkPushEndpoint(req.endpoint, options);
      const p256dh = requireBytes(req.p256dh, 65, 65, 'p256dh');
      const auth = requireBytes(req.auth, 16, 16, 'auth');
      if (!p256.utils.isValidPublicKey(p256dh, false))
        throw new MalformedError('p256dh: not an uncompressed P-256 public key');
      const caller = await requireDevice(ctx, call.caller.user);
      if (!equalBytes(deviceKey, caller.deviceKey))
        throw new ForbiddenError(
          'A device may save only its own push subscription (device_key must be yours).',
        );
      await ctx.buckets.push.put(toHex(deviceKey), {
        deviceKey,
        endpoint,
        p256dh,
        auth,
        createdAtMs: ctx.now(),
      });
      saved(caller.userId);
      return new Uint8Array(0);
    },
  };
}
