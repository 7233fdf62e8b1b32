/**
 * The device behind a request on a device subject, from the nkey NATS asserted for the
 * connection: it must be a registered, unrevoked device.
 */
import { toHex } from '../core/bytes.ts';
import { ForbiddenError, MalformedError, RevokedError } from '../core/errors.ts';
import { publicKeyOfUserNkey } from '../core/transport/index.ts';
import type { GatewayContext } from './context.ts';
import type { UserDeviceReads } from './request-reads.ts';

export async function requireDevice(
  ctx: GatewayContext,
  nkey: string,
  /** Where device records are read; a request that reads them again elsewhere shares one read. */
  reads: Pick<UserDeviceReads, 'devices'> = ctx.buckets,
): Promise<{ userId: string; deviceKey: Uint8Array }> {
  let deviceKey: Uint8Array;
  try {
    deviceKey = publicKeyOfUserNkey(nkey);
  } catch (error) {
    if (error instanceof MalformedError) throw new ForbiddenError('Only devices may use this subject.');
    throw error;
  }
  const record = await reads.devices.get(toHex(deviceKey));
  if (!record) throw new ForbiddenError('This device is not registered.');
  if (Number(record.value.revokedAtMs) > 0) throw new RevokedError('This device was revoked.');
  return { userId: record.value.userId, deviceKey };
}
