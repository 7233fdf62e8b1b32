/**
 * What this device has already handed on, and which of those it notified about: per room, the
 * ids of the latest messages (bounded) and the highest stream sequence among them, kept in the
 * host's encrypted store so that a restarted host (a stopped extension worker, a reloaded page, a
 * service worker woken again) neither repeats nor loses a message. The live reader resumes after
 * the room's last delivered sequence, which may be a moment older than what was handed on; this
 * window is what keeps those few from being shown or notified twice. A damaged or missing record
 * is an empty window: at worst a message is shown once more, never lost. Writes are coalesced.
 * @example const window = await NotifiedWindow.load(store, 'client/notified'); if (window.mark(roomId, id, { notified: true })) show();
 */
import { fromUtf8, utf8 } from '../../bytes.ts';
import { coalesce } from '../../serial.ts';
import type { ReceivedMessage, StoredMessage } from '../types.ts';
import { notifies } from './notify-decision.ts';
import { NOTIFIED_PER_ROOM, NOTIFIED_ROOMS } from './settings.ts';

/** Where the window is kept: an EncryptedStore, or anything with its get/set. */
export interface RecordStore {
  get(name: string): Promise<Uint8Array | undefined>;
  set(name: string, value: Uint8Array): Promise<void>;
}

interface RoomWindow {
  /** Message id → 1 when notified, 0 when only handed on; in the order they were marked. */
  ids: Map<string, 0 | 1>;
  /** The highest stream sequence marked (0: none known). */
  seq: number;
}

/** The record as stored (JSON). */
interface Saved {
  v: 1;
  rooms: [roomId: string, ids: [id: string, notified: 0 | 1][], seq: number][];
}

export interface NotifiedWindowOptions {
  perRoom?: number;
  rooms?: number;
  /** A write that failed (the window stays in memory). */
  onError?: (error: Error) => void;
}

/**
 * The window (see the top of this file).
 * @example if (!window.has(m.roomId, m.messageId)) { window.mark(m.roomId, m.messageId, { seq: m.seq }); render(m); }
 */
export class NotifiedWindow {
  readonly #store: RecordStore | undefined;
  readonly #name: string;
  readonly #rooms = new Map<string, RoomWindow>();
  readonly #perRoom: number;
  readonly #maxRooms: number;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #write: () => Promise<void>;

  private constructor(store: RecordStore | undefined, name: string, options: NotifiedWindowOptions) {
    this.#store = store;
    this.#name = name;
    this.#perRoom = options.perRoom ?? NOTIFIED_PER_ROOM;
    this.#maxRooms = options.rooms ?? NOTIFIED_ROOMS;
    this.#onError = options.onError;
    this.#write = coalesce(() => this.#writeNow());
  }

  /**
   * The window kept under `name` in `store` (empty when there is none yet, or it is damaged).
   * @example const window = await NotifiedWindow.load(backgroundStore, 'sdk/delivered');
   */
  static async load(
    store: RecordStore,
    name: string,
    options: NotifiedWindowOptions = {},
  ): Promise<NotifiedWindow> {
    const window = new NotifiedWindow(store, name, options);
    try {
      const bytes = await store.get(name);
      if (bytes) window.#restore(JSON.parse(fromUtf8(bytes)) as Saved);
    } catch {
      // A damaged record: an empty window (at worst a message is shown again).
    }
    return window;
  }

  /**
   * A window kept in memory only (a host with no store of its own, tests).
   * @example const window = NotifiedWindow.inMemory();
   */
  static inMemory(options: NotifiedWindowOptions = {}): NotifiedWindow {
    return new NotifiedWindow(undefined, '', options);
  }

  /** Whether the message was handed on already. */
  has(roomId: string, messageId: string): boolean {
    return this.#rooms.get(roomId)?.ids.has(messageId) ?? false;
  }

  /** Whether it was notified about already. */
  notified(roomId: string, messageId: string): boolean {
    return this.#rooms.get(roomId)?.ids.get(messageId) === 1;
  }

  /** The highest stream sequence handed on in the room (0: none known). */
  seq(roomId: string): number {
    return this.#rooms.get(roomId)?.seq ?? 0;
  }

  /**
   * Records a message as handed on (and notified, when `notified`); saved soon. Returns false
   * when it was there already with as much (nothing to do).
   */
  mark(roomId: string, messageId: string, options: { notified?: boolean; seq?: number } = {}): boolean {
    const room = this.#room(roomId);
    const before = room.ids.get(messageId);
    const after: 0 | 1 = options.notified || before === 1 ? 1 : 0;
    const seq = Math.max(room.seq, options.seq ?? 0);
    if (before === after && seq === room.seq) return false;
    room.seq = seq;
    room.ids.delete(messageId);
    room.ids.set(messageId, after);
    while (room.ids.size > this.#perRoom) room.ids.delete(room.ids.keys().next().value!);
    void this.save();
    return before !== after;
  }

  /**
   * Everything up to `seq` in the room counts as handed on (a record of an older format, or a
   * host that knows where it stood); saved soon.
   */
  advance(roomId: string, seq: number): void {
    const room = this.#room(roomId);
    if (seq <= room.seq) return;
    room.seq = seq;
    void this.save();
  }

  /**
   * A catch-up read of a room (its newest messages, oldest first): the ones to notify about —
   * from others, received, stored no earlier than `notBeforeMs`, and neither handed on before nor
   * at or below the room's last sequence. Every message read is marked handed on, the returned
   * ones notified.
   * @example const fresh = window.catchUp(roomId, messages, { notBeforeMs: enabledAtMs });
   */
  catchUp(
    roomId: string,
    messages: readonly StoredMessage[],
    options: { notBeforeMs?: number } = {},
  ): ReceivedMessage[] {
    const after = this.seq(roomId);
    const fresh: ReceivedMessage[] = [];
    for (const m of messages) {
      const seen = this.has(roomId, m.messageId) || m.seq <= after;
      const isNew =
        !seen && notifies(m) && (options.notBeforeMs === undefined || m.storedAtMs >= options.notBeforeMs);
      if (isNew) fresh.push(m);
      this.mark(roomId, m.messageId, { notified: isNew, seq: m.seq });
    }
    return fresh;
  }

  /** Writes the window now (coalesced with a write in flight); resolves once written. */
  save(): Promise<void> {
    if (!this.#store) return Promise.resolve();
    return this.#write();
  }

  #room(roomId: string): RoomWindow {
    let room = this.#rooms.get(roomId);
    if (room) {
      // The most recently active room goes last: the first ones are forgotten first.
      this.#rooms.delete(roomId);
    } else {
      room = { ids: new Map(), seq: 0 };
    }
    this.#rooms.set(roomId, room);
    while (this.#rooms.size > this.#maxRooms) this.#rooms.delete(this.#rooms.keys().next().value!);
    return room;
  }

  #restore(saved: Saved): void {
    if (saved?.v !== 1 || !Array.isArray(saved.rooms)) return;
    for (const entry of saved.rooms.slice(-this.#maxRooms)) {
      if (!Array.isArray(entry)) continue;
      const [roomId, ids, seq] = entry;
      if (typeof roomId !== 'string' || !Array.isArray(ids)) continue;
      const valid = ids.filter(
        (e): e is [string, 0 | 1] =>
          Array.isArray(e) && typeof e[0] === 'string' && (e[1] === 0 || e[1] === 1),
      );
      this.#rooms.set(roomId, {
        ids: new Map(valid.slice(-this.#perRoom)),
        seq: Number.isSafeInteger(seq) && seq > 0 ? seq : 0,
      });
    }
  }

  async #writeNow(): Promise<void> {
    const saved: Saved = {
      v: 1,
      rooms: [...this.#rooms].map(([roomId, room]) => [roomId, [...room.ids], room.seq]),
    };
    try {
      await this.#store!.set(this.#name, utf8(JSON.stringify(saved)));
    } catch (error) {
      this.#onError?.(error as Error);
    }
  }
}
