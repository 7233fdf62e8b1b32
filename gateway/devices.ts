/**
 * Registers a user's device: the device record (certificate verified by the caller) keyed by the
 * device key, and the key in the user's record so the directory can list a user's devices.
 * Create-if-absent and compare-and-set writes, so concurrent gateways cannot lose a device.
 * @example await registerDevice(ctx, userId, certificate, signed);
 */
import { equalBytes, toHex } from '../core/bytes.ts';
import type { DeviceCertificate } from '../core/crypto/index.ts';
import { ConflictError, InternalError, RevokedError } from '../core/errors.ts';
import type { roomkey } from '../proto/index.ts';
import { signedOf } from './checks.ts';
import type { GatewayContext } from './context.ts';
import { dayOf } from './device-last-seen.ts';

const MAX_CAS_RETRIES = 8;

/** Records a verified certificate; an already known device of the same user is fine (not revoked). */
export async function registerDevice(
  ctx: GatewayContext,
  userId: string,
  certificate: DeviceCertificate,
  signed: roomkey.v1.Signed.$Properties,
): Promise<void> {
  const key = toHex(certificate.deviceKey);
  const known = await ctx.buckets.devices.get(key);
  if (known) {
    if (known.value.userId !== userId) throw new ConflictError('This device key belongs to another user.');
    if (Number(known.value.revokedAtMs) > 0) {
      throw new RevokedError('This device was revoked: make a new device key and certify it.');
    }
  } else {
    await ctx.buckets.devices.create(
      key,
      { userId, deviceCertificate: signedOf(signed), createdAtMs: ctx.now(), lastSeenDay: dayOf(ctx.now()) },
      'This device key was registered at the same moment by another login.',
    );
  }
  await addDeviceKey(ctx, userId, certificate.deviceKey);
}

/** Adds a device key to the user record's list (idempotent). */
export async function addDeviceKey(
  ctx: GatewayContext,
  userId: string,
  deviceKey: Uint8Array,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const user = await ctx.buckets.users.get(userId);
    if (!user) throw new InternalError('user record missing');
    const keys = user.value.deviceKeys ?? [];
    if (keys.some((k) => equalBytes(k, deviceKey))) return;
    try {
      await ctx.buckets.users.update(
        userId,
        {
          identity: user.value.identity,
          createdAtMs: user.value.createdAtMs,
          deviceKeys: [...keys, deviceKey],
        },
        user.revision,
        'raced',
      );
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_CAS_RETRIES) throw error;
    }
  }
}
