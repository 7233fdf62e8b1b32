/**
 * A room as the gateway knows it: its signed chain (genesis + commits) read from the room stream
 * and verified with core/room's keyless observer, which checks every signature, the hash chain
 * and the membership rules. Cached per gateway and brought up to date from the stream before each
 * use (the stream is the truth, so gateways stay stateless); one user of a room at a time.
 * @example await rooms.use(roomId, async (room) => room.observer.members);
 */
import { decodeSigned } from '../core/crypto/index.ts';
import { NotFoundError } from '../core/errors.ts';
import { Room } from '../core/room/index.ts';
import type { roomkey } from '../proto/index.ts';
import type { Buckets } from './buckets.ts';
import { KvDirectory } from './kv-directory.ts';
import type { RoomStreams } from './room-streams.ts';

export interface LoadedRoom {
  roomId: string;
  observer: Room;
  /** Stream sequence of the Signed that opened each epoch (index = epoch). */
  seqs: number[];
  directory: KvDirectory;
}

const MAX_CACHED = 256;

/**
 * Verified room chains, cached per gateway and refreshed from the stream before each use.
 * @example await ctx.rooms.use(roomId, async (room) => room.observer.epoch);
 */
export class RoomCache {
  readonly #streams: RoomStreams;
  readonly #buckets: Pick<Buckets, 'users' | 'devices'>;
  readonly #now: () => number;
  readonly #rooms = new Map<string, LoadedRoom>();
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(streams: RoomStreams, buckets: Pick<Buckets, 'users' | 'devices'>, now: () => number) {
    this.#streams = streams;
    this.#buckets = buckets;
    this.#now = now;
  }

  /**
   * Runs `fn` with the room up to date, alone for this room on this gateway. If `fn` throws, the
   * cached copy is dropped (it may have applied a commit that was never stored).
   */
  use<T>(roomId: string, fn: (room: LoadedRoom) => Promise<T>): Promise<T> {
    const previous = this.#locks.get(roomId) ?? Promise.resolve();
    const run = previous.then(async () => {
      try {
        return await fn(await this.#current(roomId));
      } catch (error) {
        this.#rooms.delete(roomId);
        throw error;
      }
    });
    const settled = run.catch(() => undefined);
    this.#locks.set(roomId, settled);
    void settled.then(() => {
      if (this.#locks.get(roomId) === settled) this.#locks.delete(roomId);
    });
    return run;
  }

  /**
   * Caches a room this gateway just created from a genesis it verified itself, stored at `seq`:
   * the next use() finds it current instead of reading the chain back and verifying it again.
   */
  seed(room: LoadedRoom): void {
    if (room.seqs.length !== 1 || room.observer.epoch !== 0) throw new TypeError('seed() takes a new room');
    if (this.#rooms.has(room.roomId)) return;
    if (this.#rooms.size >= MAX_CACHED) this.#rooms.delete(this.#rooms.keys().next().value!);
    this.#rooms.set(room.roomId, room);
  }

  async #current(roomId: string): Promise<LoadedRoom> {
    const last = await this.#streams.lastCommitSeq(roomId);
    if (last === 0) throw new NotFoundError('No such room.');
    let room = this.#rooms.get(roomId);
    const known = room?.seqs.at(-1) ?? 0;
    if (room && known === last) return room;
    if (!room || known > last) {
      const commits = await this.#streams.readCommits(roomId);
      if (commits.length === 0) throw new NotFoundError('No such room.');
      const directory = new KvDirectory(this.#buckets, this.#now);
      const observer = await Room.observe(decodeSigned(commits[0]!.data, 'room genesis'), directory);
      room = { roomId, observer, seqs: [commits[0]!.seq], directory };
      await apply(room, commits.slice(1));
    } else {
      await apply(room, await this.#streams.readCommits(roomId, known + 1));
    }
    if (this.#rooms.size >= MAX_CACHED) this.#rooms.delete(this.#rooms.keys().next().value!);
    this.#rooms.set(roomId, room);
    return room;
  }
}

async function apply(room: LoadedRoom, commits: { seq: number; data: Uint8Array }[]): Promise<void> {
  for (const commit of commits) {
    await room.observer.applyCommit(decodeSigned(commit.data, 'epoch commit'));
    room.seqs.push(commit.seq);
  }
}

/** The KV record of a room, derived from its verified chain. */
export function deriveRoomRecord(room: LoadedRoom): roomkey.v1.RoomRecord.$Properties {
  const { observer, seqs } = room;
  const joined = new Map<string, { seq: number; epoch: number }>();
  const removed = new Map<string, { seq: number; epoch: number; joinEpoch: number; removedEpoch: number }>();
  const epochs: roomkey.v1.RoomEpochKey.$Properties[] = [];
  let previous: readonly string[] = [];
  for (let epoch = 0; epoch <= observer.epoch; epoch++) {
    const view = observer.view(epoch);
    epochs.push({ epoch, roomPublicKey: view.roomPublicKey, seq: seqs[epoch]! });
    for (const user of view.members) {
      if (!previous.includes(user)) {
        joined.set(user, { seq: seqs[epoch]!, epoch });
        removed.delete(user);
      }
    }
    for (const user of previous) {
      if (!view.members.includes(user)) {
        const join = joined.get(user)!;
        removed.set(user, { ...join, joinEpoch: join.epoch, removedEpoch: epoch });
        joined.delete(user);
      }
    }
    previous = view.members;
  }
  const g = observer.genesis;
  return {
    roomId: room.roomId,
    orgId: g.orgId,
    projectId: g.projectId,
    members: [...joined].map(([userId, j]) => ({ userId, joinSeq: j.seq, joinEpoch: j.epoch })),
    former: [...removed].map(([userId, r]) => ({
      userId,
      joinSeq: r.seq,
      joinEpoch: r.joinEpoch,
      removedEpoch: r.removedEpoch,
    })),
    epochs,
    lastCommitSeq: seqs.at(-1)!,
    createdAtMs: g.createdAtMs,
  };
}
