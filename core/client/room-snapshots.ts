/**
 * Room snapshots in the encrypted store, saved incrementally: the room's record (`room/<id>`) is
 * the small part rewritten on every save (chain, secrets, last sequence, held envelopes, replay
 * position and how many ids each open epoch holds); the replay ids live in chunk records
 * (`room/<id>/ids/<epoch>/…`) that are written once full and never again. What a save writes does
 * not grow with the room's history: the small part, the tail chunk (< 256 ids, 4 KiB), now and
 * then one full chunk, and the store's manifest; chunks of sealed epochs are removed in the same
 * update. Chunk layout of an epoch with n ids, fixed by n: full chunks of 16,384 ids (`b<k>`),
 * then full chunks of 256 (`s<k>`), then the tail (`t`); 256-id chunks merge into one of
 * 16,384 when there are enough, so an epoch at the 1M-id cap is ~125 records, not 4,096.
 * @example const snapshots = new RoomSnapshots(store); await snapshots.save(room);
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { concatBytes } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { MalformedError, StoreIntegrityError } from '../errors.ts';
import { ID_BYTES, MAX_EPOCH_IDS, type Room } from '../room/index.ts';
import { KeyedSerialQueue } from '../serial.ts';
import type { EncryptedStore } from '../store/store.ts';

const ROOM_PREFIX = 'room/';
/** Ids in a small chunk (4 KiB): the most a save rewrites. */
const SMALL = 256;
/** Ids in a big chunk (256 KiB): small chunks merge into one, once, to keep the record count low. */
const BIG = 16_384;

interface Chunk {
  name: string;
  from: number;
  to: number;
}

/**
 * The record name of a room's snapshot.
 * @example await store.get(roomRecord(roomId));
 */
export function roomRecord(roomId: string): string {
  return ROOM_PREFIX + roomId;
}

/**
 * The chunk records of one epoch holding `count` ids.
 * @example chunkLayout('r1', 2, 300) // [{ name: 'room/r1/ids/2/s0', from: 0, to: 256 }, { name: 'room/r1/ids/2/t', from: 256, to: 300 }]
 */
export function chunkLayout(roomId: string, epoch: number, count: number): Chunk[] {
  const base = `${ROOM_PREFIX}${roomId}/ids/${epoch}/`;
  const chunks: Chunk[] = [];
  const bigs = Math.floor(count / BIG);
  for (let k = 0; k < bigs; k++) chunks.push({ name: `${base}b${k}`, from: k * BIG, to: (k + 1) * BIG });
  const smalls = Math.floor(count / SMALL);
  for (let k = (bigs * BIG) / SMALL; k < smalls; k++) {
    chunks.push({ name: `${base}s${k}`, from: k * SMALL, to: (k + 1) * SMALL });
  }
  if (count > smalls * SMALL) chunks.push({ name: `${base}t`, from: smalls * SMALL, to: count });
  return chunks;
}

/** Ids per open epoch, as the store holds them. */
type Saved = Map<number, number>;

/**
 * Reads and writes room snapshots (see the top of this file); one save per room at a time.
 * @example const snapshot = await snapshots.load(roomId); await snapshots.save(room);
 */
export class RoomSnapshots {
  readonly #store: EncryptedStore;
  /** What the store holds per room, once loaded or saved here (else read from its record). */
  readonly #saved = new Map<string, Saved>();
  readonly #queue = new KeyedSerialQueue<string>();

  constructor(store: EncryptedStore) {
    this.#store = store;
  }

  /**
   * The room's snapshot with its replay ids read back from their chunks (a snapshot saved whole,
   * by earlier versions, as it is). StoreIntegrityError when a chunk it counts is gone.
   */
  load(roomId: string): Promise<roomkey.v1.RoomSnapshot | undefined> {
    return this.#queue.run(roomId, async () => {
      const snapshot = await this.#readCore(roomId);
      if (!snapshot) return undefined;
      const saved = savedOf(snapshot);
      for (const entry of snapshot.replayEpochs) {
        const count = Number(entry.count ?? 0);
        if ((entry.ids?.length ?? 0) > 0 || count === 0) continue;
        if (count > 4 * MAX_EPOCH_IDS)
          throw new MalformedError('room snapshot: replay id count out of range');
        const parts: Uint8Array[] = [];
        for (const chunk of chunkLayout(roomId, Number(entry.epoch ?? 0), count)) {
          const bytes = await this.#store.get(chunk.name);
          if (!bytes) throw new StoreIntegrityError('missing-record', [chunk.name]);
          if (bytes.length !== (chunk.to - chunk.from) * ID_BYTES) {
            throw new MalformedError(`room snapshot: chunk ${chunk.name} has the wrong length`);
          }
          parts.push(bytes);
        }
        entry.ids = concatBytes(...parts);
      }
      this.#saved.set(roomId, saved);
      return snapshot;
    });
  }

  /** Saves the room: its record, new or changed chunks, and the removal of chunks no longer counted. */
  save(room: Room): Promise<void> {
    const roomId = room.roomId;
    return this.#queue.run(roomId, async () => {
      const before = this.#saved.get(roomId) ?? savedOf(await this.#readCore(roomId).catch(() => undefined));
      // Taken in one go (no await): the record and the chunks describe the same moment.
      const core = room.snapshot({ withIds: false });
      const now: Saved = new Map();
      const set: Array<[string, Uint8Array]> = [[roomRecord(roomId), encode(v1.RoomSnapshot, core)]];
      const keep = new Set<string>();
      for (const { epoch, ids } of room.replay.openEpochs()) {
        now.set(epoch, ids.size);
        const had = new Set(chunkLayout(roomId, epoch, before.get(epoch) ?? 0).map((c) => c.name));
        const unchanged = before.get(epoch) === ids.size;
        for (const chunk of chunkLayout(roomId, epoch, ids.size)) {
          keep.add(chunk.name);
          // Full chunks never change; only the tail does, and only when the count moved.
          if (had.has(chunk.name) && (unchanged || !chunk.name.endsWith('/t'))) continue;
          set.push([chunk.name, ids.slice(chunk.from, chunk.to)]);
        }
      }
      const remove: string[] = [];
      for (const [epoch, count] of before) {
        for (const { name } of chunkLayout(roomId, epoch, count)) if (!keep.has(name)) remove.push(name);
      }
      await this.#store.write(set, remove);
      this.#saved.set(roomId, now);
    });
  }

  /** Saves a snapshot given whole (its ids inside the record, as earlier versions did). */
  saveWhole(roomId: string, snapshot: Uint8Array): Promise<void> {
    return this.#queue.run(roomId, async () => {
      const before = this.#saved.get(roomId) ?? savedOf(await this.#readCore(roomId).catch(() => undefined));
      const remove = [...before].flatMap(([epoch, count]) =>
        chunkLayout(roomId, epoch, count).map((c) => c.name),
      );
      await this.#store.write([[roomRecord(roomId), snapshot]], remove);
      this.#saved.set(roomId, new Map());
    });
  }

  async #readCore(roomId: string): Promise<roomkey.v1.RoomSnapshot | undefined> {
    const bytes = await this.#store.get(roomRecord(roomId));
    return bytes ? decode(v1.RoomSnapshot, bytes, 'room snapshot') : undefined;
  }
}

/** The chunk counts a stored record stands for (ids kept inside it have no chunks). */
function savedOf(snapshot: roomkey.v1.RoomSnapshot | undefined): Saved {
  const saved: Saved = new Map();
  for (const entry of snapshot?.replayEpochs ?? []) {
    const count = Number(entry.count ?? 0);
    if ((entry.ids?.length ?? 0) === 0 && count > 0) saved.set(Number(entry.epoch ?? 0), count);
  }
  return saved;
}
