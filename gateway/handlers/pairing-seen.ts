/**
 * The caller's user's devices with when each was last seen (the rk_last_seen times the presence
 * beacons leave, and the day of its last log-in or refresh) and its sealed name, for
 * <roomkey-devices>. Only the user's own devices ask here, so names (ciphertext that only they can
 * open) and times go to no one else. Certificates and revocations come from the directory, which
 * clients verify; this adds times, which need no signature, and names, which are sealed.
 */
import { toHex } from '../../core/bytes.ts';
import { encode } from '../../core/codec.ts';
import { PAIRING_SUBJECTS, userNkey } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { lastSeenDayOf } from '../device-last-seen.ts';
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
          const [entry, record] = await Promise.all([
            ctx.buckets.lastSeen.get(userNkey(deviceKey)).catch(() => null),
            ctx.buckets.devices.get(toHex(deviceKey)),
          ]);
          return {
            deviceKey,
            lastSeenMs: lastSeenMs(entry?.operation === 'PUT' ? entry.value : undefined),
            ...(record?.value.sealedName?.length ? { sealedName: record.value.sealedName } : {}),
            lastSeenDay: record ? lastSeenDayOf(record.value) : 0,
          };
        }),
      );
      return encode(v1.DeviceSeenList, { devices });
    },
  };
}
