/**
 * A device's name, readable only by its user's devices: the gateway stores the device record, so a
 * name in the (signed, plaintext) certificate would be a name on the server. Instead the name is
 * HPKE-sealed to the user's X25519 identity key, with the device key and user id bound in:
 *   info = utf8("roomkey/v1/device-name"), aad = device key (32 bytes) || utf8(user id)
 * (fixed width first, so the layout is unambiguous). A sealed name moved to another device or user
 * does not open.
 * @example const sealed = await sealDeviceName({ userId, deviceKey, userHpkePublicKey, name: 'Firefox on Linux' });
 */
import * as v1 from '../../proto/index.ts';
import { concatBytes, utf8 } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { MalformedError } from '../errors.ts';
import { copyBytes, requireBytes, requireId } from './_checks.ts';
import { HPKE_ENC_BYTES, HPKE_TAG_BYTES, hpkeOpen, hpkeSeal } from './hpke.ts';
import { HPKE_INFO_DEVICE_NAME } from './labels.ts';

/** A name is for people: 64 characters is plenty, and bounds what the gateway stores. */
export const MAX_DEVICE_NAME_CHARS = 64;
/** Encoded SealedDeviceName: enc + at most 64 four-byte characters + tag + protobuf framing. */
export const MAX_SEALED_DEVICE_NAME_BYTES = 512;

/** Who a sealed name belongs to. */
export interface DeviceNameContext {
  userId: string;
  deviceKey: Uint8Array;
}

/**
 * The AAD that binds a sealed name to its device and user.
 * @example deviceNameAad({ userId: 'u1', deviceKey })
 */
export function deviceNameAad(context: DeviceNameContext): Uint8Array {
  return concatBytes(
    requireBytes(context.deviceKey, 32, 'device key'),
    utf8(requireId(context.userId, 'user id')),
  );
}

/**
 * A name as people type it: trimmed, inner runs of white space and control characters made one
 * space, 1 to 64 characters; MalformedError (in words) otherwise.
 * @example cleanDeviceName('  my   laptop ') // 'my laptop'
 */
export function cleanDeviceName(name: unknown): string {
  if (typeof name !== 'string') throw new MalformedError('A device name must be text.');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = name.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean.length === 0) throw new MalformedError('Give the device a name: it cannot be empty.');
  if ([...clean].length > MAX_DEVICE_NAME_CHARS) {
    throw new MalformedError(`A device name can be at most ${MAX_DEVICE_NAME_CHARS} characters.`);
  }
  return clean;
}

/**
 * Seals `name` to the user's HPKE key; returns the encoded SealedDeviceName. `ikmE`: vectors only.
 * @example const bytes = await sealDeviceName({ userId, deviceKey, userHpkePublicKey, name: 'Chromium on Linux' });
 */
export async function sealDeviceName(
  input: DeviceNameContext & { userHpkePublicKey: Uint8Array; name: string; ikmE?: Uint8Array },
): Promise<Uint8Array> {
  const sealed = await hpkeSeal(
    input.userHpkePublicKey,
    utf8(cleanDeviceName(input.name)),
    utf8(HPKE_INFO_DEVICE_NAME),
    deviceNameAad(input),
    input.ikmE,
  );
  return encode(v1.SealedDeviceName, sealed);
}

/**
 * Opens an encoded SealedDeviceName (hostile bytes from the gateway) with the user's HPKE private
 * key. MalformedError on bad shape or a name that is not a clean name; DecryptError when it was
 * sealed for another device, another user, or changed.
 * @example const name = await openDeviceName(bytes, { userId, deviceKey, userHpkePrivateKey });
 */
export async function openDeviceName(
  sealed: Uint8Array,
  input: DeviceNameContext & { userHpkePrivateKey: Uint8Array },
): Promise<string> {
  const fields = decode(v1.SealedDeviceName, sealed, 'sealed device name', MAX_SEALED_DEVICE_NAME_BYTES);
  const enc = copyBytes(fields.enc, HPKE_ENC_BYTES, 'sealed device name: enc');
  const ciphertext = copyBytes(
    fields.ciphertext,
    { min: HPKE_TAG_BYTES + 1, max: MAX_SEALED_DEVICE_NAME_BYTES },
    'sealed device name: ciphertext',
  );
  const plaintext = await hpkeOpen(
    input.userHpkePrivateKey,
    enc,
    ciphertext,
    utf8(HPKE_INFO_DEVICE_NAME),
    deviceNameAad(input),
  );
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch (cause) {
    throw new MalformedError('sealed device name: the name is not UTF-8', { cause });
  }
  if (cleanDeviceName(name) !== name) throw new MalformedError('sealed device name: not a clean name');
  return name;
}
