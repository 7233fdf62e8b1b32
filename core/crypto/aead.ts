/**
 * XChaCha20-Poly1305 (@noble/ciphers): the AEAD of envelopes. The 24-byte nonce is large enough
 * to be drawn at random for every message under one key without a birthday-bound worry.
 * @example const ct = aeadSeal(key, randomNonce(), plaintext, headerBytes);
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { DecryptError, MalformedError } from '../errors.ts';
import { requireBytes } from './_checks.ts';
import { randomBytes } from './random.ts';

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;

const EMPTY = new Uint8Array(0);

/**
 * A fresh random 24-byte nonce.
 * @example const nonce = randomNonce();
 */
export function randomNonce(): Uint8Array {
  return randomBytes(AEAD_NONCE_BYTES);
}

/**
 * Encrypts and authenticates `plaintext`, binding `aad`; returns ciphertext || 16-byte tag.
 * @example const ct = aeadSeal(key, nonce, utf8('hi'), aad);
 */
export function aeadSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = EMPTY,
): Uint8Array {
  requireBytes(key, AEAD_KEY_BYTES, 'AEAD key');
  requireBytes(nonce, AEAD_NONCE_BYTES, 'AEAD nonce');
  requireBytes(plaintext, {}, 'AEAD plaintext');
  requireBytes(aad, {}, 'AEAD associated data');
  return xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

/**
 * Checks and decrypts; a wrong key, nonce, aad or any modified byte is a DecryptError.
 * @example const pt = aeadOpen(key, nonce, ct, aad);
 */
export function aeadOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array = EMPTY,
): Uint8Array {
  requireBytes(key, AEAD_KEY_BYTES, 'AEAD key');
  requireBytes(nonce, AEAD_NONCE_BYTES, 'AEAD nonce');
  requireBytes(aad, {}, 'AEAD associated data');
  if (!(ciphertext instanceof Uint8Array)) throw new MalformedError('AEAD ciphertext: expected bytes');
  if (ciphertext.length < AEAD_TAG_BYTES) {
    throw new MalformedError(`AEAD ciphertext: ${ciphertext.length} bytes is shorter than the 16-byte tag`);
  }
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(ciphertext);
  } catch {
    // The library says only "invalid tag"; nothing about the plaintext leaves this function.
    throw new DecryptError('Decryption failed: wrong key, or the ciphertext or its header was modified.');
  }
}
