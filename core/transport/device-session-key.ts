/**
 * The key that seals a DeviceSession at the end of an OPAQUE login: HKDF-SHA256 of the OPAQUE
 * session key, which only the gateway and the password holder share. XChaCha20-Poly1305 with
 * aad = the info string. Gateway and client both import this, so the derivation cannot drift.
 * @example const plain = openDeviceSession(sessionKey, response.nonce, response.sealedSession);
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../bytes.ts';
import { DecryptError, MalformedError } from '../errors.ts';

export const DEVICE_SESSION_INFO = 'roomkey/v1/device-session';
const AAD = utf8(DEVICE_SESSION_INFO);

function sessionAeadKey(sessionKey: Uint8Array): Uint8Array {
  return hkdf(sha256, sessionKey, undefined, AAD, 32);
}

export function sealDeviceSession(
  sessionKey: Uint8Array,
  session: Uint8Array,
): { nonce: Uint8Array; sealedSession: Uint8Array } {
  const nonce = randomBytes(24);
  return { nonce, sealedSession: xchacha20poly1305(sessionAeadKey(sessionKey), nonce, AAD).encrypt(session) };
}

export function openDeviceSession(sessionKey: Uint8Array, nonce: unknown, sealed: unknown): Uint8Array {
  if (!(nonce instanceof Uint8Array) || nonce.length !== 24 || !(sealed instanceof Uint8Array)) {
    throw new MalformedError('login finish response: bad nonce or sealed session');
  }
  try {
    return xchacha20poly1305(sessionAeadKey(sessionKey), nonce, AAD).decrypt(sealed);
  } catch {
    throw new DecryptError(
      'The device session does not open with this login: the gateway is not the one you registered with.',
    );
  }
}
