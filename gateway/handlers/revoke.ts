/**
 * Revokes a device, for good. Asked by any active device of the same user, proved by the user's
 * signing key (the key that certified the device). The revocation itself (device-revocation.ts) is
 * the one the idle sign-out uses: record marked revoked, revocation list pushed to NATS, which
 * closes the device's connections and refuses its JWTs from then on (the full resolver keeps the
 * list across server restarts); last, the device's consumers are deleted.
 */

import { u64be } from '../../core/bytes.ts';
import { decode } from '../../core/codec.ts';
import { BadSignatureError, ExpiredError, NotFoundError } from '../../core/errors.ts';
import { DEVICE_SUBJECTS, LABEL_DEVICE_REVOCATION } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { requireBytes, storedIdentity } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { revokeDevices } from '../device-revocation.ts';
import { verifyProof } from '../proofs.ts';
import type { Endpoint } from '../service.ts';

export const REVOCATION_WINDOW_MS = 5 * 60_000;

export function revoke(ctx: GatewayContext): Endpoint {
  return {
    subject: DEVICE_SUBJECTS.revoke,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.RevokeDeviceRequest, data, 'revoke device request');
      const target = requireBytes(req.deviceKey, 32, 32, 'device_key');
      const revokedAt = Number(req.revokedAtMs);
      const now = ctx.now();
      if (!Number.isSafeInteger(revokedAt) || Math.abs(now - revokedAt) > REVOCATION_WINDOW_MS) {
        throw new ExpiredError('revoked_at_ms is too far from now: check the device clock');
      }
      const caller = await requireDevice(ctx, call.caller.user);
      const user = await ctx.buckets.users.get(caller.userId);
      if (!user) throw new NotFoundError('user record missing');
      const identity = storedIdentity(user.value);
      if (
        !(await verifyProof(
          LABEL_DEVICE_REVOCATION,
          req.userSignature,
          identity.signingKey,
          target,
          u64be(revokedAt),
        ))
      ) {
        throw new BadSignatureError('user_signature does not verify under the user signing key');
      }
      // Reply only once NATS has the new list: then the revoked device is already disconnected.
      // (A device revoking itself may be cut off before it reads this; the revocation stands.)
      await revokeDevices(ctx, caller.userId, [target]);
      return new Uint8Array(0);
    },
  };
}
