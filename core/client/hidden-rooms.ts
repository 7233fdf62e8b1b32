/**
 * Rooms the person hid on this device: a local preference, kept in the encrypted store (one
 * record, `hidden-rooms`, sealed under the store key like every value) and never sent to the
 * gateway. A hidden room stays a member's room: it still receives messages and counts unread ones;
 * the lists show it under "Hidden rooms" instead. RoomKey has no mentions, so nothing unhides a
 * room but the person. Every host keeps it here: the in-page client's runtime and the extension's
 * background (over the SDK's store). The record is read as hostile input.
 * @example const hidden = await HiddenRooms.open(store); await hidden.set(roomId, true);
 */
import { fromUtf8, utf8 } from '../bytes.ts';
import { MalformedError, TooLargeError } from '../errors.ts';
import { ROOM_ID_PATTERN } from '../room/_checks.ts';
import { SerialQueue } from '../serial.ts';

/** The store record that holds the hidden rooms. */
export const HIDDEN_ROOMS_RECORD = 'hidden-rooms';

/** Most rooms hidden at once (far more than anyone's room list; keeps the record small). */
export const MAX_HIDDEN_ROOMS = 1000;

/** What the hidden rooms need of core/store's EncryptedStore (unlocked). */
export interface HiddenRoomsStore {
  get(name: string): Promise<Uint8Array | undefined>;
  set(name: string, value: Uint8Array): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * The hidden rooms of one unlocked store (see the top of this file). Changes are written in order.
 * @example if (hidden.has(room.roomId)) showUnderHidden(room);
 */
export class HiddenRooms {
  readonly #store: HiddenRoomsStore;
  readonly #ids: Set<string>;
  readonly #writes = new SerialQueue();

  private constructor(store: HiddenRoomsStore, ids: string[]) {
    this.#store = store;
    this.#ids = new Set(ids);
  }

  /** Reads the store's hidden rooms (none when it has no record); MalformedError when damaged. */
  static async open(store: HiddenRoomsStore): Promise<HiddenRooms> {
    const bytes = await store.get(HIDDEN_ROOMS_RECORD);
    return new HiddenRooms(store, bytes ? parseHiddenRooms(bytes) : []);
  }

  /** The hidden room ids, in the order they were hidden. */
  list(): string[] {
    return [...this.#ids];
  }

  has(roomId: string): boolean {
    return this.#ids.has(roomId);
  }

  /**
   * Hides or shows a room again; resolves with the hidden rooms once written. MalformedError for
   * something that is not a room id; TooLargeError past MAX_HIDDEN_ROOMS.
   */
  async set(roomId: string, hidden: boolean): Promise<string[]> {
    if (!ROOM_ID_PATTERN.test(roomId)) throw new MalformedError('That is not a RoomKey room.');
    if (hidden === this.#ids.has(roomId)) return this.list();
    if (hidden && this.#ids.size >= MAX_HIDDEN_ROOMS)
      throw new TooLargeError(`${MAX_HIDDEN_ROOMS} rooms are hidden already. Show some of them again first.`);
    if (hidden) this.#ids.add(roomId);
    else this.#ids.delete(roomId);
    const ids = this.list();
    await this.#writes.run(() =>
      ids.length === 0
        ? this.#store.delete(HIDDEN_ROOMS_RECORD)
        : this.#store.set(HIDDEN_ROOMS_RECORD, utf8(JSON.stringify({ v: 1, rooms: ids }))),
    );
    return ids;
  }
}

/**
 * The stored hidden rooms, checked: MalformedError for anything but a list of room ids.
 * @example const ids = parseHiddenRooms(await store.get(HIDDEN_ROOMS_RECORD));
 */
export function parseHiddenRooms(bytes: Uint8Array): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes, 'hidden rooms'));
  } catch (cause) {
    throw damaged('not readable', cause);
  }
  const record = parsed as { v?: unknown; rooms?: unknown } | null;
  if (typeof record !== 'object' || record === null || record.v !== 1 || !Array.isArray(record.rooms))
    throw damaged('not a list');
  if (record.rooms.length > MAX_HIDDEN_ROOMS) throw damaged('too many rooms');
  const ids = new Set<string>();
  for (const id of record.rooms as unknown[]) {
    if (typeof id !== 'string' || !ROOM_ID_PATTERN.test(id) || ids.has(id)) throw damaged('a room id');
    ids.add(id);
  }
  return [...ids];
}

function damaged(what: string, cause?: unknown): MalformedError {
  return new MalformedError(
    `This device's list of hidden rooms is damaged (${what}) and could not be read. Your rooms are all shown.`,
    { cause },
  );
}
