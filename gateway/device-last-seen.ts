/**
 * When a device was last seen, kept coarse on purpose: the day (UTC, this server's clock) of its
 * last sign-up, log-in or JWT refresh, in its device record. A day is enough for "last seen 3 days
 * ago" and for the idle sign-out rule (device-idle-sweep.ts), and is no presence log. The record is
 * written at most once a day per device (compare-and-set; a lost race means another gateway wrote
 * the same day).
 * @example await markDeviceSeen(ctx, deviceKey);
 */
import { toHex } from '../core/bytes.ts';
import { ConflictError } from '../core/errors.ts';
import type { roomkey } from '../proto/index.ts';
import type { GatewayContext } from './context.ts';

export const DAY_MS = 24 * 3600_000;

/**
 * The UTC day number of a time in ms.
 * @example dayOf(Date.UTC(1970, 0, 3)) // 2
 */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * The day a record was last seen: its recorded day, else (a record older than this field) the day
 * it was created.
 * @example lastSeenDayOf(record) // 20430
 */
export function lastSeenDayOf(record: roomkey.v1.DeviceRecord): number {
  return record.lastSeenDay || dayOf(Number(record.createdAtMs ?? 0));
}

/** Records today for the device, unless its record already says today (or it is gone or revoked). */
export async function markDeviceSeen(
  ctx: Pick<GatewayContext, 'buckets' | 'now'>,
  deviceKey: Uint8Array,
): Promise<void> {
  const today = dayOf(ctx.now());
  const key = toHex(deviceKey);
  const record = await ctx.buckets.devices.get(key);
  if (!record || record.value.lastSeenDay >= today || Number(record.value.revokedAtMs) > 0) return;
  try {
    await ctx.buckets.devices.update(key, { ...record.value, lastSeenDay: today }, record.revision, 'raced');
  } catch (error) {
    // Another gateway (or a rename) wrote first; the next refresh records the day again if needed.
    if (!(error instanceof ConflictError)) throw error;
  }
}
