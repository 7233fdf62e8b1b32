/**
 * Hostile-input decoding for protobuf types: any failure becomes a MalformedError naming the type.
 * @example const header = decode(v1.EnvelopeHeader, bytes, 'envelope header');
 */
import { MalformedError, TooLargeError } from './errors.ts';

interface Decodable<T> {
  decode(reader: Uint8Array): T;
}
interface Encodable<P> {
  encode(message: P): { finish(): Uint8Array };
}

/** Upper bound on any single decoded object; callers with tighter limits pass their own. */
export const MAX_DECODE_BYTES = 4 * 1024 * 1024;

export function decode<T>(
  type: Decodable<T>,
  bytes: Uint8Array,
  what: string,
  maxBytes = MAX_DECODE_BYTES,
): T {
  if (!(bytes instanceof Uint8Array)) throw new MalformedError(`${what}: expected bytes`);
  if (bytes.length > maxBytes)
    throw new TooLargeError(`${what}: ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  try {
    return type.decode(bytes);
  } catch (cause) {
    throw new MalformedError(`${what}: not a valid encoding (${(cause as Error).message})`, { cause });
  }
}

/** Encodes to a plain Uint8Array (never a Node Buffer), so bytes compare equal on every runtime. */
export function encode<P>(type: Encodable<P>, message: P): Uint8Array {
  const out = type.encode(message).finish();
  return out.constructor === Uint8Array ? out : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
