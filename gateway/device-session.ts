/**
 * Issues a device's NATS credential from current state: the device JWT whose room subjects come
 * from `roomPermissions` at this moment (so a membership change shows in the next refresh).
 */
import { userNkey } from '../core/transport/nkey.ts';
import type { GatewayContext } from './context.ts';
import { devicePermissions } from './permissions.ts';
import { roomPermissions } from './room-permissions.ts';
import { issueDeviceJwt } from './user-jwt.ts';

export async function issueForDevice(
  ctx: GatewayContext,
  userId: string,
  deviceKey: Uint8Array,
): Promise<{ jwt: string; expiresAtMs: number }> {
  const rooms = await roomPermissions(userId, ctx.roomGrants);
  return issueDeviceJwt(ctx.issuer, {
    deviceKey,
    userId,
    permissions: devicePermissions(userNkey(deviceKey), rooms),
    lifetimeMs: ctx.jwtLifetimeMs,
    now: ctx.now(),
  });
}
