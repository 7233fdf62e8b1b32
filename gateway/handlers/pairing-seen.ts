/**
 * The caller's user's devices with when each was last seen (the rk_last_seen times the presence
 * beacons leave), for <roomkey-devices>. Certificates and revocations come from the directory,
 * which clients verify; this adds only times, which need no signature.
 */
import { encode } from '../../core/codec.ts';
import { PAIRING_SUBJECTS, userNkey } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { lastSeenMs } from '../presence.ts';
import type { Endpoint } from '../service.ts';

export function deviceSeen(ctx: GatewayContext): Endpoint {
  return {
    subject: PAIRING_SUBJECTS.seen,
    maxBytes: 64,
    handle: async (_data, call) => {
      const caller = await requireDevice(ctx, call.caller.user);
      const user = await ctx.buckets.users.get(caller.userId);
      const keys = user?.value.deviceKeys ?? [];
      const devices = await Promise.all(
        keys.map(async (deviceKey) => {
          const entry = await ctx.buckets.lastSeen.get(userNkey(deviceKey)).catch(() => null);
          return { deviceKey, lastSeenMs: lastSeenMs(entry?.operation === 'PUT' ? entry.value : undefined) };
        }),
      );
      return encode(v1.DeviceSeenList, { devices });
    },
  };
}
