// Input checks shared by every module: each failure is a MalformedError naming the field, so
// hostile or buggy input never reaches a primitive (whose own exceptions are untyped).
import { utf8 } from '../bytes.ts';
import { MalformedError } from '../errors.ts';

/** Room ids and user ids are short identifiers; 256 UTF-8 bytes is far above any real one. */
export const MAX_ID_BYTES = 256;

/** Returns `value` if it is a Uint8Array of exactly `length` bytes (or within [min, max]). */
export function requireBytes(
  value: unknown,
  length: number | { min?: number; max?: number },
  what: string,
): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new MalformedError(`${what}: expected bytes`);
  if (typeof length === 'number') {
    if (value.length !== length) {
      throw new MalformedError(`${what}: expected ${length} bytes, got ${value.length}`);
    }
  } else if (value.length < (length.min ?? 0) || value.length > (length.max ?? Number.MAX_SAFE_INTEGER)) {
    throw new MalformedError(
      `${what}: ${value.length} bytes is outside [${length.min ?? 0}, ${length.max ?? 'any'}]`,
    );
  }
  return value;
}

/** A non-empty identifier of at most MAX_ID_BYTES UTF-8 bytes. */
export function requireId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new MalformedError(`${what}: expected a non-empty id`);
  if (utf8(value).length > MAX_ID_BYTES)
    throw new MalformedError(`${what}: longer than ${MAX_ID_BYTES} bytes`);
  return value;
}

/** Any string of at most `maxBytes` UTF-8 bytes (empty allowed). */
export function requireText(value: unknown, maxBytes: number, what: string): string {
  if (typeof value !== 'string') throw new MalformedError(`${what}: expected text`);
  if (utf8(value).length > maxBytes) throw new MalformedError(`${what}: longer than ${maxBytes} bytes`);
  return value;
}

/** An epoch number: the wire type is uint32. */
export function requireEpoch(value: unknown, what = 'epoch'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new MalformedError(`${what}: expected an integer in [0, 2^32-1]`);
  }
  return value;
}

/** A time in ms since the Unix epoch (or any uint64 that must stay exact as a JS number). */
export function requireTime(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MalformedError(`${what}: expected a non-negative safe integer`);
  }
  return value;
}

/** A plain Uint8Array copy (not a Buffer, not a view into a larger buffer) so bytes compare equal everywhere. */
export function plainBytes(bytes: Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes.slice(0));
  return Uint8Array.prototype.slice.call(bytes) as Uint8Array<ArrayBuffer>;
}

/** `bytes` typed as WebCrypto's BufferSource, copied only when it lives in a SharedArrayBuffer. */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : plainBytes(bytes);
}

/** requireBytes, then a plain copy: decoded fields may be Buffer views into a larger message. */
export function copyBytes(
  value: unknown,
  length: number | { min?: number; max?: number },
  what: string,
): Uint8Array {
  return plainBytes(requireBytes(value, length, what));
}
