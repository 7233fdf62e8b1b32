/**
 * Issues a device's NATS credential from current state: the device JWT whose room subjects come
 * from the user's room grants at this moment (so a membership change shows in the next refresh),
 * never older than the device's JWT cutoff (jwt-cutoffs.ts). Every issue (log-in, refresh, pairing,
 * enrolment) is also when the device was last seen (device-last-seen.ts).
 */
import { userNkey } from '../core/transport/index.ts';
import type { GatewayContext } from './context.ts';
import { markDeviceSeen } from './device-last-seen.ts';
import { waitPastCutoff } from './jwt-cutoffs.ts';
import { devicePermissions } from './permissions.ts';
import { roomPermissions } from './room-permissions.ts';
import { issueDeviceJwt } from './user-jwt.ts';

export async function issueForDevice(
  ctx: GatewayContext,
  userId: string,
  deviceKey: Uint8Array,
): Promise<{ jwt: string; expiresAtMs: number }> {
  const nkey = userNkey(deviceKey);
  // A failed last-seen write must not keep the device out: it is said, and the next issue retries.
  const seen = markDeviceSeen(ctx, deviceKey).catch((error: Error) =>
    ctx.log(`device last-seen not recorded: ${error.message}`),
  );
  // First wait out a cutoff, then read the grants: they then reflect the change that set it.
  await waitPastCutoff(ctx.buckets.cutoffs, nkey);
  const rooms = await roomPermissions(userId, ctx.roomGrants, nkey, ctx.streams.layout);
  const issued = await issueDeviceJwt(ctx.issuer, {
    deviceKey,
    userId,
    permissions: devicePermissions(nkey, rooms),
    lifetimeMs: ctx.jwtLifetimeMs,
    now: ctx.now(),
  });
  await seen;
  ctx.onJwtIssued?.();
  return issued;
}
