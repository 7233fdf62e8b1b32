/**
 * Revokes a device, for good. Asked by any active device of the same user, proved by the user's
 * signing key (the key that certified the device). The device record is marked revoked, the
 * revocation goes into KV, and the app account JWT with the new revocation list is pushed to NATS,
 * which closes the revoked device's connections and refuses its JWTs from then on (the full
 * resolver keeps the list across server restarts); last, the device's consumers are deleted.
 */

import { toHex, u64be } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { BadSignatureError, ExpiredError, NotFoundError } from '../../core/errors.ts';
import { DEVICE_SUBJECTS, LABEL_DEVICE_REVOCATION, userNkey } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { requireBytes, storedIdentity } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { verifyProof } from '../proofs.ts';
import type { Endpoint } from '../service.ts';

export const REVOCATION_WINDOW_MS = 5 * 60_000;
const MAX_CAS_RETRIES = 8;

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
      const key = toHex(target);
      for (let attempt = 0; ; attempt++) {
        const record = await ctx.buckets.devices.get(key);
        if (!record || record.value.userId !== caller.userId) {
          throw new NotFoundError('No such device for this user.');
        }
        if (Number(record.value.revokedAtMs) > 0) break; // already revoked: make sure NATS knows
        try {
          await ctx.buckets.devices.update(
            key,
            // The effective time is this server's clock (what stored times are judged against),
            // never the revoking device's: revoked_at_ms only binds the proof to now.
            { ...record.value, revokedAtMs: now },
            record.revision,
            'raced',
          );
          break;
        } catch (error) {
          if (attempt >= MAX_CAS_RETRIES) throw error;
        }
      }
      const nkey = userNkey(target);
      await ctx.buckets.revocations.put(
        nkey,
        encode(v1.RevocationRecord, { userId: caller.userId, revokedAtMs: now }),
      );
      // Reply only once NATS has the new list: then the revoked device is already disconnected.
      // (A device revoking itself may be cut off before it reads this; the revocation stands.)
      await ctx.publisher.push();
      // Then no server-side cursor outlives it: its consumers on every room the user is or was in.
      const rooms = await ctx.buckets.userRooms.get(caller.userId);
      await ctx.streams.deleteDeviceConsumers(rooms?.value.roomIds ?? [], nkey);
      await ctx.buckets.push.delete(key); // and no OS push reaches it any more
      return new Uint8Array(0);
    },
  };
}
