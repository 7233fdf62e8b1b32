/**
 * Where room history lives in JetStream: a fixed set of shard streams `RK_ROOMS_<k>` (k = 0..N-1),
 * never one stream per room (each stream costs memory, open files and, at R3, a Raft group).
 * Stream k captures the room buckets b with b mod N == k (subjects.ts: a room's bucket is the first
 * byte of SHA-256 of its id). N is a deployment's choice, fixed at `init`; clients never need it:
 * the gateway's cursor reply names the stream and the consumer to read.
 * Each device reads a room through its own consumer, named from (device, room) so that NATS
 * permissions can name exactly one consumer per room on a stream many rooms share.
 * @example const stream = new StreamLayout(16).streamOf(roomId); // 'RK_ROOMS_10'
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { bucketToken, ROOM_BUCKETS, roomBucketIndex } from './subjects.ts';

/** Shard streams of a deployment that did not choose: enough to spread load, few enough to be cheap. */
export const DEFAULT_ROOM_SHARDS = 16;
/** At most one stream per bucket: more would leave streams empty forever. */
export const MAX_ROOM_SHARDS = ROOM_BUCKETS;
/** Every shard stream's name starts with this (and no other stream's does). */
export const ROOM_SHARD_STREAM_PREFIX = 'RK_ROOMS_';

/**
 * Whether `shards` is a shard count a deployment may use (an integer 1..256).
 * @example isRoomShardCount(16) // true
 */
export function isRoomShardCount(shards: unknown): shards is number {
  return typeof shards === 'number' && Number.isInteger(shards) && shards >= 1 && shards <= MAX_ROOM_SHARDS;
}

/**
 * The name of shard stream `k`.
 * @example roomShardStreamName(3) // 'RK_ROOMS_3'
 */
export function roomShardStreamName(k: number): string {
  if (!Number.isInteger(k) || k < 0 || k >= MAX_ROOM_SHARDS) throw new RangeError(`no shard ${k}`);
  return `${ROOM_SHARD_STREAM_PREFIX}${k}`;
}

/**
 * The shard index of a stream name, or undefined when it is not a shard stream.
 * @example roomShardIndex('RK_ROOMS_3') // 3
 */
export function roomShardIndex(streamName: string): number | undefined {
  const match = /^RK_ROOMS_(0|[1-9][0-9]{0,2})$/.exec(streamName);
  const k = match ? Number(match[1]) : Number.NaN;
  return k < MAX_ROOM_SHARDS ? k : undefined;
}

/**
 * The stream holding a room's history in a deployment with `shards` shard streams.
 * @example roomStreamName(roomId, 16) // 'RK_ROOMS_10'
 */
export function roomStreamName(roomId: string, shards: number): string {
  return new StreamLayout(shards).streamOf(roomId);
}

/**
 * The one consumer a device may read a room through: `d_` + 32 hex of SHA-256(nkey "." room id).
 * The gateway creates it (never before the floor policy sets) and the device's JWT allows pulling
 * from it and nothing else; short, deterministic, and distinct per room on a shared stream.
 * @example deviceConsumerName(deviceNkey, roomId) // 'd_5be0…'
 */
export function deviceConsumerName(deviceNkey: string, roomId: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(deviceNkey))
    throw new TypeError(`device nkey is not a token: ${deviceNkey}`);
  roomBucketIndex(roomId); // validates the room id
  const digest = sha256(new TextEncoder().encode(`${deviceNkey}.${roomId}`));
  return `d_${bytesToHex(digest.subarray(0, 16))}`;
}

/**
 * A deployment's shard streams (pure: names and subjects, no NATS).
 * @example const layout = new StreamLayout(16); layout.subjectsOf(0) // ['rk.v1.room.00.*.>', 'rk.v1.room.10.*.>', …]
 */
export class StreamLayout {
  readonly shards: number;

  constructor(shards: number) {
    if (!isRoomShardCount(shards)) {
      throw new RangeError(
        `the number of room shard streams is an integer 1–${MAX_ROOM_SHARDS} (got ${shards})`,
      );
    }
    this.shards = shards;
  }

  /** The shard index of a room. */
  shardOf(roomId: string): number {
    return roomBucketIndex(roomId) % this.shards;
  }

  /** The stream holding a room's history. */
  streamOf(roomId: string): string {
    return roomShardStreamName(this.shardOf(roomId));
  }

  /** Every shard stream's name, in shard order. */
  streams(): string[] {
    return Array.from({ length: this.shards }, (_, k) => roomShardStreamName(k));
  }

  /** The subjects shard `k` captures: one wildcard per bucket it owns. */
  subjectsOf(k: number): string[] {
    if (!Number.isInteger(k) || k < 0 || k >= this.shards)
      throw new RangeError(`no shard ${k} of ${this.shards}`);
    const out: string[] = [];
    for (let b = k; b < ROOM_BUCKETS; b += this.shards) out.push(`rk.v1.room.${bucketToken(b)}.*.>`);
    return out;
  }
}
