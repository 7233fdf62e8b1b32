/**
 * Replay protection of one room, bounded by position instead of by history. A live envelope of
 * epoch E is taken only while E is open: E is the room's latest epoch, or the commit that closed
 * it (opened E+1) was stored at most REPLAY_GRACE_MS before the envelope — both JetStream stored
 * times, server facts, never a sender's clock. Ids are kept only for open epochs (IdSet, ~24 B
 * each); once an envelope stored more than the grace after an epoch's close has been accepted
 * live, that epoch is sealed: its ids are dropped and anything still claiming it is refused.
 *
 * Why sealing is safe: live delivery is in stream order, so once the room's stream has moved past
 * close + grace, every envelope stored within the grace has already been seen; a later one is a
 * copy (redelivery, or re-published: then its own stored time is past the grace). Re-reads of
 * stored history (`remember`) are not judged here and never move the position.
 * @example guard.check(epoch, id, storedAtMs); decrypt(); guard.accept(epoch, id, storedAtMs);
 */
import { toHex } from '../bytes.ts';
import { MalformedError, ReplayError, TooLargeError } from '../errors.ts';
import { IdSet } from './id-set.ts';

/**
 * How long after a commit replaced an epoch's key a message of that epoch may still be stored.
 * A sender learns of the commit over the network (its live commit subject, or its next catch-up
 * after a reconnect): 60 s covers a client that was sending while the commit was made, at the cost
 * of a longer-offline sender's message being refused (it must be sent again in the new epoch).
 * @example if (storedAtMs > closedAtMs + REPLAY_GRACE_MS) refuse();
 */
export const REPLAY_GRACE_MS = 60_000;

/**
 * The position rule every receiver applies, and a sender applies to its own stored messages to
 * know they must be sent again: an envelope of an epoch whose closing commit JetStream stored at
 * `closedAtMs` is refused when JetStream stored it more than REPLAY_GRACE_MS later.
 * @example if (storedPastGrace(echo.storedAtMs, room.closedAtMs(epoch))) sendAgain();
 */
export function storedPastGrace(storedAtMs: number, closedAtMs: number): boolean {
  return storedAtMs > closedAtMs + REPLAY_GRACE_MS;
}

/**
 * Most ids one epoch remembers (~24 MiB in memory, 16 MiB at rest). An epoch lives until its next
 * membership change or rotation; past this many messages its live messages are refused, never
 * taken unchecked, until a member rotates the room key (history still shows them).
 * @example if (ids.size >= MAX_EPOCH_IDS) throw new TooLargeError('rotate');
 */
export const MAX_EPOCH_IDS = 1 << 20;

/**
 * The guard's state as a snapshot keeps it.
 * @example const guard = ReplayGuard.restore(state, closedAt, latest);
 */
export interface ReplayState {
  /** Epochs below it are sealed. */
  floor: number;
  /** Newest stored time (ms) of an envelope accepted live. */
  newestStoredAtMs: number;
  /** Ids of each open epoch, 16 bytes each, concatenated in acceptance order. */
  epochs: Array<{ epoch: number; ids: Uint8Array }>;
}

/** When JetStream stored the commit that closed `epoch` (undefined: still open, or not known). */
export type ClosedAt = (epoch: number) => number | undefined;

export class ReplayGuard {
  readonly #closedAt: ClosedAt;
  readonly #latest: () => number;
  readonly #epochs = new Map<number, IdSet>();
  #floor = 0;
  #newest = 0;

  /** `closedAt`: the stored time of the commit after `epoch`; `latest`: the room's latest epoch. */
  constructor(closedAt: ClosedAt, latest: () => number) {
    this.#closedAt = closedAt;
    this.#latest = latest;
  }

  /**
   * A guard from a snapshot's state; `legacyIds` (a snapshot from before epochs were kept) count
   * as the latest epoch's, so they stay until that epoch is sealed, after every earlier one.
   */
  static restore(
    state: ReplayState,
    closedAt: ClosedAt,
    latest: () => number,
    legacyIds: Iterable<Uint8Array> = [],
  ): ReplayGuard {
    const guard = new ReplayGuard(closedAt, latest);
    const floor = Number(state.floor);
    const newest = Number(state.newestStoredAtMs);
    if (!Number.isSafeInteger(floor) || floor < 0 || !Number.isSafeInteger(newest) || newest < 0) {
      throw new MalformedError('room snapshot: replay position out of range');
    }
    guard.#floor = floor;
    guard.#newest = newest;
    for (const { epoch, ids } of state.epochs) {
      if (!Number.isSafeInteger(epoch) || epoch < 0 || guard.#epochs.has(epoch)) {
        throw new MalformedError('room snapshot: replay ids for a bad or repeated epoch');
      }
      if (epoch >= floor) guard.#epochs.set(epoch, IdSet.from(ids));
    }
    for (const id of legacyIds) guard.#ids(latest()).add(id);
    guard.#seal();
    return guard;
  }

  /**
   * Throws when a live envelope must be refused: its epoch sealed or past its grace (ReplayError,
   * by position), its id already taken (ReplayError), or its epoch full (TooLargeError).
   */
  check(epoch: number, messageId: Uint8Array, storedAtMs: number | undefined): void {
    const id = () => toHex(messageId);
    if (epoch < this.#floor || this.#pastGrace(epoch, storedAtMs)) {
      throw new ReplayError(
        `message ${id()} was sent in room key version ${epoch}, which had been replaced more than ${REPLAY_GRACE_MS / 1000} s before it was stored: refused as a possible replay (its sender must send it again).`,
      );
    }
    for (const ids of this.#epochs.values()) {
      if (ids.has(messageId))
        throw new ReplayError(`message ${id()} was already received; the copy is ignored.`);
    }
    if ((this.#epochs.get(epoch)?.size ?? 0) >= MAX_EPOCH_IDS) {
      throw new TooLargeError(
        `room key version ${epoch} has carried ${MAX_EPOCH_IDS} messages, the most this device remembers to refuse replays: new messages show once a member rotates the room key (they stay in the history).`,
      );
    }
  }

  /** Records a live envelope that passed `check` and decrypted; moves the position forward. */
  accept(epoch: number, messageId: Uint8Array, storedAtMs: number | undefined): void {
    this.#ids(epoch).add(messageId);
    if (storedAtMs !== undefined && storedAtMs > this.#newest) {
      this.#newest = storedAtMs;
      this.#seal();
    }
  }

  /**
   * Records an id read again from stored history, so its live copy is not shown twice; sealed or
   * full epochs are left alone (their live copies are refused anyway).
   */
  remember(epoch: number, messageId: Uint8Array): void {
    if (epoch < this.#floor) return;
    const ids = this.#ids(epoch);
    if (ids.size < MAX_EPOCH_IDS) ids.add(messageId);
  }

  /** Ids remembered in all open epochs. */
  get size(): number {
    let n = 0;
    for (const ids of this.#epochs.values()) n += ids.size;
    return n;
  }

  /** Bytes the id sets hold. */
  get bytes(): number {
    let n = 0;
    for (const ids of this.#epochs.values()) n += ids.bytes;
    return n;
  }

  get floor(): number {
    return this.#floor;
  }

  get newestStoredAtMs(): number {
    return this.#newest;
  }

  /** Open epochs and their id sets, oldest first (the sets are the guard's own: read only). */
  openEpochs(): Array<{ epoch: number; ids: IdSet }> {
    return [...this.#epochs].sort(([a], [b]) => a - b).map(([epoch, ids]) => ({ epoch, ids }));
  }

  /** The state for a snapshot, ids included. */
  state(): ReplayState {
    return {
      floor: this.#floor,
      newestStoredAtMs: this.#newest,
      epochs: this.openEpochs().map(({ epoch, ids }) => ({ epoch, ids: ids.slice() })),
    };
  }

  #pastGrace(epoch: number, storedAtMs: number | undefined): boolean {
    if (storedAtMs === undefined || epoch >= this.#latest()) return false;
    const closed = this.#closedAt(epoch);
    return closed !== undefined && storedPastGrace(storedAtMs, closed);
  }

  #ids(epoch: number): IdSet {
    let ids = this.#epochs.get(epoch);
    if (!ids) {
      ids = new IdSet();
      this.#epochs.set(epoch, ids);
    }
    return ids;
  }

  /** Seals epochs, oldest first, whose grace the newest accepted envelope is past. */
  #seal(): void {
    while (this.#floor < this.#latest()) {
      const closed = this.#closedAt(this.#floor);
      if (closed === undefined || !storedPastGrace(this.#newest, closed)) return;
      this.#epochs.delete(this.#floor);
      this.#floor++;
    }
  }
}
