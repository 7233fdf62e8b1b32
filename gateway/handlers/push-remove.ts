/**
 * push.remove: the calling device deletes its own Web Push subscription (the request's device_key
 * must be the caller's). Removing one that does not exist succeeds: the end state is the same.
 */
import { equalBytes, toHex } from '../../core/bytes.ts';
import { decode } from '../../core/codec.ts';
import { ForbiddenError } from '../../core/errors.ts';
import { PUSH_SUBJECTS, userNkey } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { requireBytes } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import type { Endpoint } from '../service.ts';

/**
 * The push.remove endpoint; `forget` drops any push this gateway still has pending for the device.
 * @example pushRemove(ctx, (nkey) => pushes.forgetDevice(nkey))
 */
export function pushRemove(ctx: GatewayContext, forget: (nkey: string) => void): Endpoint {
  return {
    subject: PUSH_SUBJECTS.remove,
    maxBytes: 2048,
    handle: async (data, call) => {
      const req = decode(v1.PushSubscription, data, 'push subscription');
      const deviceKey = requireBytes(req.deviceKey, 32, 32, 'device_key');
      const caller = await requireDevice(ctx, call.caller.user);
      if (!equalBytes(deviceKey, caller.deviceKey))
        throw new ForbiddenError(
          'A device may remove only its own push subscription (device_key must be yours).',
        );
      await ctx.buckets.push.delete(toHex(deviceKey));
      forget(userNkey(deviceKey));
      return new Uint8Array(0);
    },
  };
}
