/**
 * Notices to devices on rk.v1.notify.<device nkey> (published with the gateway's app-account
 * connection; each device may subscribe to its own subject only). A DeviceNotice says where to
 * look, never what was said: an AppNotification (a new message) or a MembershipNotice (refresh the
 * JWT, fetch the room's commits).
 * @example publishNotice(app, nkeys, { membership: { roomId, epoch, removed: false } });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { toHex } from '../core/bytes.ts';
import { encode } from '../core/codec.ts';
import { notifySubject, userNkey } from '../core/transport/index.ts';
import { type roomkey, v1 } from '../proto/index.ts';
import type { UserDeviceReads } from './request-reads.ts';

/**
 * Publishes one notice to each device nkey.
 * @example publishNotice(app, [nkey], { membership: { roomId, epoch: 2, removed: true } });
 */
export function publishNotice(
  app: NatsConnection,
  nkeys: readonly string[],
  notice: roomkey.v1.DeviceNotice.$Properties,
): void {
  if (nkeys.length === 0) return;
  const bytes = encode(v1.DeviceNotice, notice);
  for (const nkey of nkeys) app.publish(notifySubject(nkey), bytes);
}

/** The nkeys of a user's devices that are not revoked. */
export async function userDeviceNkeys(buckets: UserDeviceReads, userId: string): Promise<string[]> {
  const user = await buckets.users.get(userId);
  const keys = user?.value.deviceKeys ?? [];
  const records = await Promise.all(keys.map((key) => buckets.devices.get(toHex(key))));
  return keys
    .filter((_, i) => records[i] && !(Number(records[i]!.value.revokedAtMs) > 0))
    .map((k) => userNkey(k));
}
