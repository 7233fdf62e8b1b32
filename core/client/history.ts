/**
 * Reading a room's stored history: the gateway places this device's consumer (never before the
 * floor policy sets), the device pulls pages from it and verifies each page's signatures in one
 * batch (core/room receiveMany, WebCrypto Ed25519 where present), oldest first, reporting
 * progress; `workers` (the session's worker pool, verify-pool.ts) verify and open them off the main
 * thread with the same verdicts, while the next page is pulled. Pages this device already saw live are decrypted again, not refused as replays. Each
 * envelope goes to core/room with the time JetStream stored it and its sequence, so a device is
 * judged by the server's time. (Catching up after a reconnect is the live reader's: it resumes
 * after the last sequence it delivered, see live-reader.ts.)
 * @example const messages = await readHistory(handle, nc, { limit: 100, onProgress: (p) => bar(p) });
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { toHex } from '../bytes.ts';
import type { BatchVerifier } from '../crypto/index.ts';
import { NotMemberError, RoomKeyError, UnavailableError, UnknownEpochError } from '../errors.ts';
import {
  type BatchOpener,
  parseReceived,
  type ReceivedEnvelope,
  type Room,
  type VerifyingBatch,
} from '../room/index.ts';
import { storedTimeOf } from '../transport/legacy-time.ts';
import { natsFailure } from '../transport/request.ts';
import { failedMessage } from './chat-message.ts';
import { roomCursor } from './gateway-api.ts';
import { mergeBySeq } from './membership-rows.ts';
import type { RoomHandle } from './room-handle.ts';
import type { HistoryProgress, StoredMessage } from './types.ts';

export interface HistoryOptions {
  /** About this many of the latest messages (default 100). */
  limit?: number;
  onProgress?: (progress: HistoryProgress) => void;
  /** Include messages this device cannot read (history not shared with it) as 'failed'. */
  includeUnreadable?: boolean;
  timeoutMs?: number;
  /** Only what was stored after this sequence (a catch-up that knows where it stood), still at most `limit`. */
  afterSeq?: number;
  /** Also the room's changes as rows among the messages (membership-rows.ts); asked, so a host that reads only messages gets only messages. */
  membership?: boolean;
}

/**
 * Messages per pull. 500 made no catch-up faster here (bench catch-up, head vs base alternately)
 * and doubled the wait for the first page (94-110 → 192-214 ms), so 256 as before.
 */
const PAGE = 256;
/** Pages handed on and not finished yet, at most: the pulls wait for the oldest beyond this. */
const AHEAD = 2;

/**
 * Pulls about the `limit` latest envelopes through the device's consumer, page by page. A page is
 * handed to `onPage` as soon as it arrived and the next is pulled meanwhile; `onPage` keeps the
 * pages' order itself (readHistory chains them).
 */
async function pullLatest(
  handle: RoomHandle,
  nc: NatsConnection,
  range: { last: number; startSeq?: number },
  timeoutMs: number | undefined,
  onPage: (envelopes: ReceivedEnvelope[], loaded: number, total: number) => Promise<void>,
): Promise<{ startSeq: number; floorSeq: number }> {
  const cursor = await roomCursor(nc, { roomId: handle.roomId, ...range }, { timeoutMs });
  const placed = { startSeq: Number(cursor.startSeq ?? 0), floorSeq: Number(cursor.floorSeq ?? 0) };
  const total = Number(cursor.pending);
  await onPage([], 0, total);
  if (total === 0) return placed;
  const js = jetstream(nc, { timeout: timeoutMs ?? 5000 });
  let loaded = 0;
  const unfinished: Promise<void>[] = [];
  try {
    const consumer = await js.consumers.get(cursor.stream, cursor.consumer);
    // One pull ahead: the next page travels while this one is verified and decrypted.
    const pull = (from: number) =>
      consumer.fetch({ max_messages: Math.min(PAGE, total - from), expires: 3000 });
    let batch = await pull(loaded);
    while (loaded < total) {
      const envelopes: ReceivedEnvelope[] = [];
      // Parsed once, here: core/room takes the parsed form with its stored facts.
      for await (const m of batch)
        envelopes.push(
          parseReceived({ bytes: m.data, storedAtMs: storedTimeOf(m, cursor.legacyUntilSeq), seq: m.seq }),
        );
      if (envelopes.length === 0) throw new UnavailableError('The room history stopped arriving: try again.');
      loaded += envelopes.length;
      const next = loaded < total ? pull(loaded) : undefined;
      const done = onPage(envelopes, loaded, total);
      // Each is awaited below; a failure meanwhile must not count as unhandled.
      next?.catch(() => undefined);
      done.catch(() => undefined);
      unfinished.push(done);
      if (unfinished.length > AHEAD) await unfinished.shift();
      if (next) batch = await next;
    }
    for (const done of unfinished) await done;
  } catch (error) {
    if (error instanceof RoomKeyError) throw error;
    throw natsFailure(error, cursor.stream);
  }
  return placed;
}

/**
 * Reads about `limit` of the latest messages, oldest first.
 * @example const page = await readHistory(handle, nc, { limit: 50 });
 */
export async function readHistory(
  handle: RoomHandle,
  nc: NatsConnection,
  options: HistoryOptions = {},
  workers: { verifier?: BatchVerifier; opener?: BatchOpener } = {},
): Promise<StoredMessage[]> {
  await handle.sync();
  const room = handle.room;
  if (room?.status !== 'member') throw new NotMemberError('You are not a member of this room.');
  const limit = Math.max(1, Math.min(options.limit ?? 100, 100_000));
  const range = options.afterSeq ? { last: limit, startSeq: options.afterSeq + 1 } : { last: limit };
  const out: StoredMessage[] = [];
  // Pages in order, each verified from the moment it arrived (in the workers, when there are some).
  let previous: Promise<void> = Promise.resolve();
  const onPage = (envelopes: ReceivedEnvelope[], loaded: number, total: number): Promise<void> => {
    const batch = room.startReading(envelopes, workers);
    previous = previous.then(() => readPage(batch, loaded, total));
    return previous;
  };
  const readPage = async (batch: VerifyingBatch, loaded: number, total: number): Promise<void> => {
    const envelopes = batch.inputs;
    const results = await handle.serial(() => room.receiveMany(batch, { reread: true }));
    for (const [i, result] of results.entries()) {
      if (!(result instanceof RoomKeyError)) {
        const message = await handle.toChat(result);
        if (message) out.push(message);
        continue;
      }
      const { parsed, facts } = envelopes[i]!;
      if (
        options.includeUnreadable &&
        (result instanceof UnknownEpochError || result instanceof NotMemberError) &&
        !(parsed instanceof RoomKeyError) &&
        facts
      ) {
        out.push(
          failedMessage({
            roomId: handle.roomId,
            messageId: toHex(parsed.header.messageId),
            epoch: parsed.header.epoch,
            reason: result.message,
            seq: facts.seq,
            storedAtMs: facts.storedAtMs,
          }),
        );
      }
    }
    options.onProgress?.({ loaded, total });
  };
  const placed = await handle.reading(() => pullLatest(handle, nc, range, options.timeoutMs, onPage));
  handle.unread = 0;
  if (!options.membership) return lastCopies(out);
  const rows = await handle.membershipRows(rowsFrom(placed, options.afterSeq), firstReadableEpoch(room));
  return mergeBySeq(lastCopies(out), rows);
}

/**
 * Where membership rows start: with the messages read (a limit that cut older ones off cuts their
 * changes too); when everything from the floor was read, from the commit that set it (the one that
 * added this user, when pre-join history is not allowed: "alice added you" and nothing before).
 */
function rowsFrom(placed: { startSeq: number; floorSeq: number }, afterSeq: number | undefined): number {
  if (afterSeq) return afterSeq + 1;
  return placed.startSeq <= placed.floorSeq ? Math.max(0, placed.floorSeq - 1) : placed.startSeq;
}

/**
 * The first epoch this device reads: its history starts there, so do its membership rows (a
 * member who joined without the earlier keys sees no change from before).
 */
function firstReadableEpoch(room: Room): number {
  for (let epoch = 0; epoch <= room.epoch; epoch++) if (room.view(epoch).readable) return Math.max(1, epoch);
  return room.epoch + 1;
}

/**
 * A message refused by position and sent again (resend.ts) is stored twice under one id: the later
 * copy is the one receivers took, so only it is shown.
 */
function lastCopies(messages: StoredMessage[]): StoredMessage[] {
  const last = new Map<string, number>();
  for (const [i, m] of messages.entries()) last.set(m.messageId, i);
  return last.size === messages.length ? messages : messages.filter((m, i) => last.get(m.messageId) === i);
}
