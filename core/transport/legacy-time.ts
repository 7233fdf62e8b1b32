/**
 * Messages the gateway copied from a room's per-room stream (the layout before shard streams)
 * carry the time JetStream stored their original in a header; a copy's own stored time is the
 * migration's. Device validity is judged by stored time (core/room/validity.ts), so a copy counts
 * with its original's — but only at or below the sequence the gateway's cursor reply names
 * (`legacy_until_seq`): everything of the room up to there is the gateway's copy, while a member
 * may put any header on what it publishes later.
 * @example const storedAtMs = storedTimeOf(m, cursor.legacyUntilSeq);
 */

/** Header on a copy: when JetStream stored the original (decimal ms, the server's clock). */
export const LEGACY_TIME_HEADER = 'Rk-Legacy-Time';
/** Header on a copy: the original's sequence in the room's per-room stream. */
export const LEGACY_SEQ_HEADER = 'Rk-Legacy-Seq';

/**
 * The original stored time a copy's header says, checked as hostile input: decimal ms, positive,
 * and never after the copy's own stored time (an original is older than its copy).
 * @example legacyTimeOf('1700000000000', 1800000000000) === 1700000000000;
 */
export function legacyTimeOf(header: string | undefined, ownMs: number | undefined): number | undefined {
  if (header === undefined || !/^[1-9][0-9]{0,15}$/.test(header)) return undefined;
  const ms = Number(header);
  if (!Number.isSafeInteger(ms) || (ownMs !== undefined && ms > ownMs)) return undefined;
  return ms;
}

/**
 * When a message read from a room's stream counts as stored: its original's time for a gateway
 * copy (seq at or below `legacyUntilSeq`, header present and sane), else JetStream's own.
 * @example parseReceived({ bytes: m.data, storedAtMs: storedTimeOf(m, until), seq: m.seq });
 */
export function storedTimeOf(
  m: { seq: number; time: Date; headers?: { get(name: string): string } },
  legacyUntilSeq: number | bigint | { toNumber(): number } | null | undefined,
): number {
  const own = m.time.getTime();
  if (m.seq > Number(legacyUntilSeq ?? 0)) return own;
  return legacyTimeOf(m.headers?.get(LEGACY_TIME_HEADER) || undefined, own) ?? own;
}
