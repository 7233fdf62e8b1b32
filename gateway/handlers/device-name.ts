/**
 * rk.v1.gw.device.auth.name: an active device of a user names one of that user's devices. The name
 * arrives HPKE-sealed to the user's identity key (core/crypto/device-name.ts); the gateway checks
 * only the shape and size of the SealedDeviceName and stores the bytes in the device record, which
 * only the user's own devices get back (handlers/pairing-seen.ts).
 */
import { toHex } from '../../core/bytes.ts';
import { decode } from '../../core/codec.ts';
import { AEAD_TAG_BYTES, HPKE_ENC_BYTES, MAX_SEALED_DEVICE_NAME_BYTES } from '../../core/crypto/index.ts';
import { MalformedError, NotFoundError, RevokedError } from '../../core/errors.ts';
import { DEVICE_SUBJECTS } from '../../core/transport/index.ts';
import * as v1 from '../../proto/index.ts';
import { requireBytes } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import type { Endpoint } from '../service.ts';

const MAX_CAS_RETRIES = 8;

export function deviceName(ctx: GatewayContext): Endpoint {
  return {
    subject: DEVICE_SUBJECTS.name,
    maxBytes: MAX_SEALED_DEVICE_NAME_BYTES + 64,
    handle: async (data, call) => {
      const req = decode(v1.RenameDeviceRequest, data, 'rename device request');
      const target = requireBytes(req.deviceKey, 32, 32, 'device_key');
      const sealedName = checkSealedName(req.sealedName);
      const caller = await requireDevice(ctx, call.caller.user);
      const key = toHex(target);
      for (let attempt = 0; ; attempt++) {
        const record = await ctx.buckets.devices.get(key);
        if (!record || record.value.userId !== caller.userId) {
          throw new NotFoundError('No such device for this user.');
        }
        if (Number(record.value.revokedAtMs) > 0) {
          throw new RevokedError('This device was revoked: it cannot be renamed.');
        }
        try {
          await ctx.buckets.devices.update(key, { ...record.value, sealedName }, record.revision, 'raced');
          return new Uint8Array(0);
        } catch (error) {
          if (attempt >= MAX_CAS_RETRIES) throw error;
        }
      }
    },
  };
}

/** The bytes of a well-formed SealedDeviceName (the gateway cannot and does not open it). */
function checkSealedName(value: unknown): Uint8Array {
  const bytes = requireBytes(value, 1, MAX_SEALED_DEVICE_NAME_BYTES, 'sealed_name');
  const fields = decode(v1.SealedDeviceName, bytes, 'sealed device name', MAX_SEALED_DEVICE_NAME_BYTES);
  if (fields.enc?.length !== HPKE_ENC_BYTES || (fields.ciphertext?.length ?? 0) <= AEAD_TAG_BYTES) {
    throw new MalformedError('sealed_name: not a sealed device name');
  }
  return bytes;
}
