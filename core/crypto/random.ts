/**
 * Cryptographic randomness from the platform (WebCrypto getRandomValues) on every runtime.
 * @example const messageId = randomBytes(16);
 */
import { UnsupportedError } from '../errors.ts';

/** getRandomValues refuses more than 65,536 bytes per call. */
const MAX_CHUNK = 65536;

/**
 * Returns `length` fresh random bytes.
 * @example const epochSecret = randomBytes(32);
 */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const source = globalThis.crypto;
  if (!source || typeof source.getRandomValues !== 'function') {
    throw new UnsupportedError(
      'No WebCrypto getRandomValues on this platform: RoomKey cannot make keys here.',
    );
  }
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += MAX_CHUNK) source.getRandomValues(out.subarray(at, at + MAX_CHUNK));
  return out;
}
