/**
 * Messages kept for frames that are not registered yet. After the MV3 worker restarts, what the
 * resumed live readers deliver (and any live message) may be handed on before the tabs' content
 * scripts have reconnected and reported their state again; the hub keeps each room's recent
 * messages here and sends a frame the ones it missed when it registers again — no fixed delay to
 * guess. Bounded (a number per room, an age), and de-duplicated by message id per frame
 * (`tabId:frameId`, so a tab that reconnects gets nothing twice). Pure: the hub decides who may
 * read what. A delete by the author takes the text out here at once: the kept message stays
 * without its text (a returning tab still shows it as deleted), its kept edits go.
 * @example kept.keep(message, sentTo); for (const m of kept.missedBy(frameKey, mayRead)) post(m);
 */
import { deletedBy, type StoredMessage, settings, textOfDeleted } from '../../core/client/index.ts';

/** Messages kept per room: as many as a resumed live reader hands on at once. */
export const KEPT_PER_ROOM = settings.CATCH_UP_MESSAGES;
/** How long a message is kept: far longer than a worker restart plus the tabs' reconnect backoff. */
export const KEPT_MS = 120_000;

interface Kept {
  message: StoredMessage;
  atMs: number;
  /** The frames (by key) that have it. */
  sentTo: Set<string>;
}

export class KeptMessages {
  readonly #rooms = new Map<string, Map<string, Kept>>();
  readonly #perRoom: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(options: { perRoom?: number; maxAgeMs?: number; now?: () => number } = {}) {
    this.#perRoom = options.perRoom ?? KEPT_PER_ROOM;
    this.#maxAgeMs = options.maxAgeMs ?? KEPT_MS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Keeps `message` and records the frames that have it now (a later copy with the same id
   * replaces the content, keeps its place and the frames that had it).
   */
  keep(message: StoredMessage, sentTo: Iterable<string> = []): void {
    const room = this.#rooms.get(message.roomId) ?? new Map<string, Kept>();
    this.#rooms.set(message.roomId, room);
    const target = 'senderUserId' in message ? deletedBy(message) : undefined;
    if (target && 'senderUserId' in message) this.#deleted(room, target, message.senderUserId);
    const entry = room.get(message.messageId) ?? { message, atMs: this.#now(), sentTo: new Set<string>() };
    entry.message = message;
    for (const key of sentTo) entry.sentTo.add(key);
    room.set(message.messageId, entry);
    this.#prune(message.roomId);
  }

  /**
   * The kept messages of the rooms `mayRead` allows that `frameKey` has not had, oldest first
   * per room; they count as sent to it from now on.
   */
  missedBy(frameKey: string, mayRead: (roomId: string) => boolean): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const roomId of [...this.#rooms.keys()]) {
      this.#prune(roomId);
      const room = this.#rooms.get(roomId);
      if (!room || !mayRead(roomId)) continue;
      for (const entry of room.values()) {
        if (entry.sentTo.has(frameKey)) continue;
        entry.sentTo.add(frameKey);
        out.push(entry.message);
      }
    }
    return out;
  }

  /** Messages kept now (tests, diagnostics). */
  get size(): number {
    let n = 0;
    for (const room of this.#rooms.values()) n += room.size;
    return n;
  }

  #deleted(room: Map<string, Kept>, target: string, author: string): void {
    for (const [id, entry] of room) {
      const kept = entry.message;
      if (!('senderUserId' in kept) || !textOfDeleted(kept, target, author)) continue;
      if (id === target) entry.message = { ...kept, text: '' };
      else room.delete(id);
    }
  }

  #prune(roomId: string): void {
    const room = this.#rooms.get(roomId);
    if (!room) return;
    const oldest = this.#now() - this.#maxAgeMs;
    for (const [id, entry] of room) {
      if (room.size > this.#perRoom || entry.atMs < oldest) room.delete(id);
      else break; // insertion order is arrival order
    }
    if (room.size === 0) this.#rooms.delete(roomId);
  }
}
