/**
 * The push payload check. A push service only ever carries `roomkey.v1.PushSentinel
 * { version: 1 }` ("wake up"): no room, no sender, no content. Anything else — other bytes,
 * extra fields, a later version we do not know — is not ours and is ignored, never shown.
 * @example if (isWakeSentinel(new Uint8Array(event.data.arrayBuffer()))) await wake();
 */

import { equalBytes } from '../core/bytes.ts';
import { decode, encode } from '../core/codec.ts';
import { v1 } from '../proto/index.ts';

export const SENTINEL_VERSION = 1;
/** The canonical sentinel is 2 bytes; this bound keeps the decoder away from large inputs. */
const MAX_SENTINEL_BYTES = 16;

/** The exact bytes a sender puts in a push: `PushSentinel { version: 1 }`. */
export function wakeSentinelBytes(): Uint8Array {
  return encode(v1.PushSentinel, { version: SENTINEL_VERSION });
}

/** True only for the canonical encoding of `PushSentinel { version: 1 }`. */
export function isWakeSentinel(bytes: Uint8Array | null | undefined): boolean {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > MAX_SENTINEL_BYTES) return false;
  try {
    const sentinel = decode(v1.PushSentinel, bytes, 'push sentinel', MAX_SENTINEL_BYTES);
    if (sentinel.version !== SENTINEL_VERSION) return false;
  } catch {
    return false;
  }
  // Protobuf skips unknown fields; re-encoding and comparing refuses anything riding along.
  return equalBytes(bytes, wakeSentinelBytes());
}
