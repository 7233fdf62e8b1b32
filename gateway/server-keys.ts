/**
 * Keys the gateway derives from the server secret (HKDF-SHA256, one info string per purpose), and
 * the record sealing they are used for. A leaked KV snapshot without the secret reveals no
 * username, registration record or identity; a record cannot be moved to another key.
 * @example const keys = deriveServerKeys(secret); const sealed = sealRecord(keys.kvRecords, bytes, aad);
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, toBase64Url, utf8 } from '../core/bytes.ts';
import { MalformedError, TamperedError } from '../core/errors.ts';

export interface ServerKeys {
  /** Seals every KV record (AAD: bucket and key). */
  kvRecords: Uint8Array;
  /** Seals login handles (the OPAQUE state between the two login steps). */
  loginHandles: Uint8Array;
  /** HMAC key that turns usernames and client addresses into KV keys. */
  index: Uint8Array;
  /** Seals enroll tokens (a certificate-less login's permission to register one device). */
  enrollTokens: Uint8Array;
}

const SALT = utf8('roomkey/v1/gateway');
const VERSION = 1;
const NONCE_BYTES = 24;

export function deriveServerKeys(secret: Uint8Array): ServerKeys {
  if (!(secret instanceof Uint8Array) || secret.length < 32)
    throw new Error('server secret: expected at least 32 bytes');
  const derive = (purpose: string) => hkdf(sha256, secret, SALT, utf8(`roomkey/v1/gateway/${purpose}`), 32);
  return {
    kvRecords: derive('kv-records'),
    loginHandles: derive('login-handles'),
    index: derive('index'),
    enrollTokens: derive('enroll-tokens'),
  };
}

/** version(1) || nonce(24) || XChaCha20-Poly1305 ciphertext. */
export function sealRecord(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  return concatBytes(new Uint8Array([VERSION]), nonce, xchacha20poly1305(key, nonce, aad).encrypt(plaintext));
}

export function openRecord(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array, what: string): Uint8Array {
  if (!(sealed instanceof Uint8Array) || sealed.length < 1 + NONCE_BYTES + 16 || sealed[0] !== VERSION) {
    throw new MalformedError(`${what}: not a sealed record`);
  }
  try {
    return xchacha20poly1305(key, sealed.subarray(1, 1 + NONCE_BYTES), aad).decrypt(
      sealed.subarray(1 + NONCE_BYTES),
    );
  } catch {
    throw new TamperedError(
      `${what}: does not open with this server secret (modified, moved, or from another deployment)`,
    );
  }
}

/** A KV-safe key (base64url of an HMAC) naming `kind:value` without revealing it. */
export function blindKey(keys: ServerKeys, kind: string, value: string): string {
  return toBase64Url(hmac(sha256, keys.index, utf8(`${kind}\u0000${value}`)));
}

/** The rk_credentials key of a (normalized) username. */
export function usernameKey(keys: ServerKeys, username: string): string {
  return blindKey(keys, 'username', username);
}
