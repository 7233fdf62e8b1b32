/**
 * Reading a room's stored history: the gateway places this device's consumer (never before the
 * floor policy sets), the device pulls pages from it and verifies each page's signatures in one
 * batch (core/room receiveMany, WebCrypto Ed25519 where present), oldest first, reporting
 * progress. Pages this device already saw live are decrypted again, not refused as replays.
 * `catchUp` reads the latest envelopes after a reconnect: what was published while the device was
 * away reaches it as live messages (copies it had are dropped as replays).
 * @example const messages = await readHistory(handle, nc, { limit: 100, onProgress: (p) => bar(p) });
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { parseEnvelope } from '../crypto/index.ts';
import { NotMemberError, RoomKeyError, UnavailableError, UnknownEpochError } from '../errors.ts';
import { natsFailure } from '../transport/request.ts';
import { roomCursor } from './gateway-api.ts';
import type { RoomHandle } from './room-handle.ts';
import type { ChatMessage, HistoryProgress } from './types.ts';

export interface HistoryOptions {
  /** About this many of the latest messages (default 100). */
  limit?: number;
  onProgress?: (progress: HistoryProgress) => void;
  /** Include messages this device cannot read (history not shared with it) as 'failed'. */
  includeUnreadable?: boolean;
  timeoutMs?: number;
}

const PAGE = 256;
/** Envelopes read back after a reconnect (per room). */
const CATCH_UP = 200;
/** Clock skew allowed between senders and this device when catching up. */
const CATCH_UP_SLACK_MS = 30_000;

/** Pulls about the `limit` latest envelopes through the device's consumer, page by page. */
async function pullLatest(
  handle: RoomHandle,
  nc: NatsConnection,
  limit: number,
  timeoutMs: number | undefined,
  onPage: (envelopes: Uint8Array[], loaded: number, total: number) => Promise<void>,
): Promise<void> {
  const cursor = await roomCursor(nc, { roomId: handle.roomId, last: limit }, { timeoutMs });
  const total = Number(cursor.pending);
  await onPage([], 0, total);
  if (total === 0) return;
  const js = jetstream(nc, { timeout: timeoutMs ?? 5000 });
  let loaded = 0;
  try {
    const consumer = await js.consumers.get(cursor.stream, cursor.consumer);
    while (loaded < total) {
      const batch = await consumer.fetch({ max_messages: Math.min(PAGE, total - loaded), expires: 3000 });
      const envelopes: Uint8Array[] = [];
      for await (const m of batch) envelopes.push(m.data);
      if (envelopes.length === 0) throw new UnavailableError('The room history stopped arriving: try again.');
      loaded += envelopes.length;
      await onPage(envelopes, loaded, total);
    }
  } catch (error) {
    if (error instanceof RoomKeyError) throw error;
    throw natsFailure(error, cursor.stream);
  }
}

/**
 * Reads about `limit` of the latest messages, oldest first.
 * @example const page = await readHistory(handle, nc, { limit: 50 });
 */
export async function readHistory(
  handle: RoomHandle,
  nc: NatsConnection,
  options: HistoryOptions = {},
): Promise<ChatMessage[]> {
  await handle.sync();
  const room = handle.room;
  if (room?.status !== 'member') throw new NotMemberError('You are not a member of this room.');
  const limit = Math.max(1, Math.min(options.limit ?? 100, 100_000));
  const out: ChatMessage[] = [];
  await handle.reading(() =>
    pullLatest(handle, nc, limit, options.timeoutMs, async (envelopes, loaded, total) => {
      const results = await handle.serial(() => room.receiveMany(envelopes, { reread: true }));
      for (const result of results) {
        if (!(result instanceof RoomKeyError)) {
          out.push(await handle.toChat(result));
        } else if (
          options.includeUnreadable &&
          (result instanceof UnknownEpochError || result instanceof NotMemberError)
        ) {
          out.push({
            roomId: handle.roomId,
            messageId: '',
            senderUserId: '',
            senderUsername: '',
            sentAtMs: 0,
            text: '',
            epoch: result instanceof UnknownEpochError ? result.epoch : 0,
            own: false,
            status: 'failed',
            reason: result.message,
          });
        }
      }
      options.onProgress?.({ loaded, total });
    }),
  );
  handle.unread = 0;
  return out;
}

/**
 * After a reconnect: envelopes sent since `sinceMs` (that live delivery may have missed while the
 * connection was down) are read back and handed to the live path.
 * @example await catchUp(handle, nc, disconnectedAtMs);
 */
export async function catchUp(
  handle: RoomHandle,
  nc: NatsConnection,
  sinceMs: number,
  timeoutMs?: number,
): Promise<void> {
  if (handle.room?.status !== 'member') return;
  await handle.reading(() =>
    pullLatest(handle, nc, CATCH_UP, timeoutMs, async (envelopes) => {
      const recent = envelopes.filter((data) => {
        try {
          return parseEnvelope(data).header.sentAtMs >= sinceMs - CATCH_UP_SLACK_MS;
        } catch {
          return false;
        }
      });
      if (recent.length) await handle.receiveLive(recent);
    }),
  );
}
