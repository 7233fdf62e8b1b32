/**
 * The one revocation path, for a user's own revoke (handlers/revoke.ts) and the idle sign-out
 * (device-idle-sweep.ts): the device record is marked revoked (this server's clock, compare-and-set),
 * the revocation goes into KV, the app account JWT with the new revocation list is pushed to NATS
 * (which closes the devices' connections and refuses their JWTs from then on), and last the
 * devices' consumers and push subscriptions are deleted. Revoking a revoked device again only makes
 * sure NATS knows, so two gateways sweeping at once agree.
 * @example await revokeDevices(ctx, userId, [deviceKey]);
 */
import { toHex } from '../core/bytes.ts';
import { encode } from '../core/codec.ts';
import { NotFoundError } from '../core/errors.ts';
import { userNkey } from '../core/transport/index.ts';
import { v1 } from '../proto/index.ts';
import type { GatewayContext } from './context.ts';

const MAX_CAS_RETRIES = 8;

/** Revokes each of `userId`'s devices in `deviceKeys`; NotFoundError if one is not that user's. */
export async function revokeDevices(
  ctx: GatewayContext,
  userId: string,
  deviceKeys: readonly Uint8Array[],
): Promise<void> {
  const now = ctx.now();
  for (const deviceKey of deviceKeys) {
    await markRevoked(ctx, userId, deviceKey, now);
    await ctx.buckets.revocations.put(
      userNkey(deviceKey),
      encode(v1.RevocationRecord, { userId, revokedAtMs: now }),
    );
  }
  if (deviceKeys.length === 0) return;
  // Only once NATS has the new list are the revoked devices disconnected.
  await ctx.publisher.push();
  // Then no server-side cursor outlives them: their consumers on every room the user is or was in.
  const rooms = await ctx.buckets.userRooms.get(userId);
  for (const deviceKey of deviceKeys) {
    await ctx.streams.deleteDeviceConsumers(rooms?.value.roomIds ?? [], userNkey(deviceKey));
    await ctx.buckets.push.delete(toHex(deviceKey)); // and no OS push reaches it any more
  }
}

async function markRevoked(ctx: GatewayContext, userId: string, deviceKey: Uint8Array, now: number) {
  const key = toHex(deviceKey);
  for (let attempt = 0; ; attempt++) {
    const record = await ctx.buckets.devices.get(key);
    if (!record || record.value.userId !== userId) throw new NotFoundError('No such device for this user.');
    if (Number(record.value.revokedAtMs) > 0) return; // already revoked: make sure NATS knows
    try {
      // The effective time is this server's clock (what stored times are judged against), never a
      // device's.
      await ctx.buckets.devices.update(key, { ...record.value, revokedAtMs: now }, record.revision, 'raced');
      return;
    } catch (error) {
      if (attempt >= MAX_CAS_RETRIES) throw error;
    }
  }
}
