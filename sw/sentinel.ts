/**
 * The push payload check. A push service only ever carries `roomkey.v1.PushSentinel`: version 1
 * and a kind — WAKE ("wake up, catch up, notify what is new and unread") or SYNC_READ ("read
 * state changed elsewhere: close what is now read"); no room, no sender, no content. Every kind is
 * 4 bytes, so the size says nothing; a version-1 sentinel without a kind (from before kinds) means
 * WAKE. Anything else — other bytes, extra fields, a later version or kind we do not know — is not
 * ours and is ignored, never shown.
 * @example const kind = sentinelKind(new Uint8Array(event.data.arrayBuffer())); if (kind === 'wake') await wake();
 */

import { equalBytes } from '../core/bytes.ts';
import { decode, encode } from '../core/codec.ts';
import * as v1 from '../proto/index.ts';

export const SENTINEL_VERSION = 1;
/** The canonical sentinel is 4 bytes (2 without a kind); this bound keeps the decoder away from large inputs. */
const MAX_SENTINEL_BYTES = 16;

/** What a sentinel asks of the woken worker. */
export type SentinelKind = 'wake' | 'sync-read';

const KIND_CODE: Record<SentinelKind, number> = {
  wake: v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE,
  'sync-read': v1.PushSentinelKind.PUSH_SENTINEL_KIND_SYNC_READ,
};

/**
 * The exact bytes a sender puts in a push: `PushSentinel { version: 1, kind }` (4 bytes).
 * @example sentinelBytes('sync-read') // → [0x08, 0x01, 0x10, 0x02]
 */
export function sentinelBytes(kind: SentinelKind): Uint8Array {
  return encode(v1.PushSentinel, { version: SENTINEL_VERSION, kind: KIND_CODE[kind] });
}

/**
 * `PushSentinel { version: 1 }` without a kind (2 bytes): what senders wrote before kinds; a WAKE.
 * @example isWakeSentinel(wakeSentinelBytes()) === true
 */
export function wakeSentinelBytes(): Uint8Array {
  return encode(v1.PushSentinel, { version: SENTINEL_VERSION });
}

/**
 * The kind of a canonical sentinel, or undefined for anything else (see the top of this file).
 * @example sentinelKind(sentinelBytes('wake')) === 'wake'
 */
export function sentinelKind(bytes: Uint8Array | null | undefined): SentinelKind | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > MAX_SENTINEL_BYTES)
    return undefined;
  let sentinel: ReturnType<typeof v1.PushSentinel.decode>;
  try {
    sentinel = decode(v1.PushSentinel, bytes, 'push sentinel', MAX_SENTINEL_BYTES);
  } catch {
    return undefined;
  }
  if (sentinel.version !== SENTINEL_VERSION) return undefined;
  const kinds = Object.keys(KIND_CODE) as SentinelKind[];
  const kind = sentinel.kind ? kinds.find((k) => KIND_CODE[k] === sentinel.kind) : 'wake';
  if (!kind) return undefined;
  // Protobuf skips unknown fields; re-encoding and comparing refuses anything riding along.
  const canonical = sentinel.kind ? sentinelBytes(kind) : wakeSentinelBytes();
  return equalBytes(bytes, canonical) ? kind : undefined;
}

/** True only for a canonical WAKE sentinel (with the kind, or version 1 alone). */
export function isWakeSentinel(bytes: Uint8Array | null | undefined): boolean {
  return sentinelKind(bytes) === 'wake';
}
