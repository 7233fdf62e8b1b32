/**
 * SHA-256, for the epoch-commit hash chain (parent_hash = SHA-256 of the previous Signed bytes).
 * @example const parentHash = sha256(encodeSigned(genesis));
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { requireBytes } from './_checks.ts';

export const SHA256_BYTES = 32;

/**
 * SHA-256 of `bytes` (32 bytes out).
 * @example sha256(new Uint8Array([1, 2, 3]))
 */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(requireBytes(bytes, {}, 'sha256 input'));
}
