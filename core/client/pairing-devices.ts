/**
 * When each of this user's devices was last seen by the gateway (its presence beacons), for the
 * device list; the devices themselves (certificates, revocations) come from the verified directory.
 * @example const seen = await devicesLastSeen(session.nc); seen.get(toHex(deviceKey));
 */
import type { NatsConnection } from '@nats-io/nats-core';
import * as v1 from '../../proto/index.ts';
import { toHex } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { gatewayRequest } from '../transport/request.ts';
import { PAIRING_SUBJECTS } from '../transport/subjects.ts';

/**
 * Last-seen times (ms; 0 = not seen in 90 days) by device key in hex.
 * @example const seen = await devicesLastSeen(nc);
 */
export async function devicesLastSeen(
  nc: NatsConnection,
  options: { timeoutMs?: number } = {},
): Promise<Map<string, number>> {
  const ok = await gatewayRequest(nc, PAIRING_SUBJECTS.seen, encode(v1.DeviceSeenRequest, {}), options);
  const list = decode(v1.DeviceSeenList, ok, 'device seen list');
  const out = new Map<string, number>();
  for (const d of list.devices.slice(0, 1000)) {
    if (d.deviceKey?.length === 32) out.set(toHex(d.deviceKey), Number(d.lastSeenMs) || 0);
  }
  return out;
}
