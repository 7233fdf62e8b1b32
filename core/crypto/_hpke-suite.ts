// The one HPKE suite of protocol v1 (RFC 9180 base mode): DHKEM(X25519, HKDF-SHA256),
// HKDF-SHA256, ChaCha20-Poly1305. The KEM is @hpke/dhkem-x25519 (noble-based, so no dependence on
// WebCrypto X25519, which not every browser has); HKDF and the AEAD come from @hpke/*.
// Keys cross this boundary as raw 32-byte strings; library key objects never leave it.
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { RoomKeyError } from '../errors.ts';
import { plainBytes } from './_checks.ts';

export const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});

export const X25519_KEY_BYTES = 32;

export function importPublicKey(raw: Uint8Array): Promise<CryptoKey> {
  return suite.kem.deserializePublicKey(plainBytes(raw));
}

export function importPrivateKey(raw: Uint8Array): Promise<CryptoKey> {
  return suite.kem.deserializePrivateKey(plainBytes(raw));
}

export async function exportKey(key: CryptoKey, isPublic: boolean): Promise<Uint8Array> {
  const raw = isPublic ? await suite.kem.serializePublicKey(key) : await suite.kem.serializePrivateKey(key);
  // The library hands out its key's backing buffer: copy, and insist on the length.
  const bytes = plainBytes(raw);
  if (bytes.length !== X25519_KEY_BYTES) throw new Error(`HPKE key export gave ${bytes.length} bytes`);
  return bytes;
}

/** Runs `fn`, letting typed errors through and turning any library exception into `typed()`. */
export async function wrapErrors<T>(
  fn: () => Promise<T>,
  typed: (cause: unknown) => RoomKeyError,
): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof RoomKeyError) throw cause;
    throw typed(cause);
  }
}
