/**
 * Room history in JetStream, in the app account, through the gateway's app-account connection
 * (gateway-app.creds): a fixed set of shard streams RK_ROOMS_<k> (core/transport/stream-layout.ts,
 * made at start by room-shards.ts), each holding many rooms' subjects rk.v1.room.<bucket>.<id>.>.
 * Members never create, delete or configure anything on them. Genesis and epoch commits are
 * published here with Nats-Expected-Last-Subject-Sequence (checked per subject, so per room):
 * of two commits built on the same parent, and of two geneses of one room id, only one is stored.
 * Each device reads a room through one consumer this module places for it (R1, memory: a cursor,
 * never a Raft group of its own). Sequences are the shard's: dense per stream, sparse per room.
 * @example const streams = new RoomStreams(appNc, new StreamLayout(16)); await streams.appendCommit(roomId, genesis, 0);
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConflictError, UnavailableError } from '../core/errors.ts';
import { deviceConsumerName, roomSubject, type StreamLayout } from '../core/transport/index.ts';
import { isWrongLastSequence } from './sealed-kv.ts';

/** Largest message a shard stream stores (an epoch commit carries one key wrap per member). */
export const MAX_ROOM_MESSAGE_BYTES = 1024 * 1024;
/** A device consumer nobody pulled from for this long is removed by the server. */
const CONSUMER_IDLE_NS = 3600 * 1e9;
/** Short-lived consumers (commit reads, position probes) the server drops if we cannot. */
const PROBE_IDLE_NS = 30_000 * 1e6;
/** Consumer deletions in flight at once. */
const DELETE_BATCH = 16;
/** Stored times remembered per gateway (they never change: shard streams deny delete and purge). */
const MAX_STORED_TIMES = 20_000;

export interface StoredCommit {
  seq: number;
  data: Uint8Array;
}

/**
 * Room history in the shard streams (see the top of this file).
 * @example const seq = await streams.appendCommit(roomId, bytes, lastSeq);
 */
export class RoomStreams {
  readonly layout: StreamLayout;
  readonly #js: JetStreamClient;
  readonly #jsm: Promise<JetStreamManager>;
  readonly #storedTimes = new Map<string, number>();

  constructor(app: NatsConnection, layout: StreamLayout) {
    this.layout = layout;
    this.#js = jetstream(app);
    this.#jsm = jetstreamManager(app);
    this.#jsm.catch(() => undefined); // each use reports its own failure
  }

  /**
   * Appends a genesis or commit on the room's `.commit` if the last one stored there is
   * `expectedLast` (0 = none yet: the genesis); ConflictError if another got there first. Returns
   * its sequence.
   */
  async appendCommit(roomId: string, data: Uint8Array, expectedLast: number): Promise<number> {
    try {
      const ack = await this.#js.publish(roomSubject(roomId, 'commit'), data, {
        expect: { lastSubjectSequence: expectedLast, streamName: this.layout.streamOf(roomId) },
        timeout: 5000,
      });
      return ack.seq;
    } catch (error) {
      if (isWrongLastSequence(error)) {
        throw new ConflictError(
          expectedLast === 0
            ? 'A room with this id exists: create the room again (a new room gets a new id).'
            : 'Another change to this room was committed first: fetch the latest commits, rebuild the change on them and send it again.',
        );
      }
      throw unavailable('store the commit', error);
    }
  }

  /** Every genesis/commit of the room from `fromSeq` on, in order (a short-lived filtered consumer). */
  async readCommits(roomId: string, fromSeq = 1): Promise<StoredCommit[]> {
    const jsm = await this.#jsm;
    const stream = this.layout.streamOf(roomId);
    const info = await natsCall('read the room stream', () =>
      jsm.consumers.add(stream, probeConfig(roomSubject(roomId, 'commit'), fromSeq)),
    );
    const out: StoredCommit[] = [];
    try {
      let pending = info.num_pending;
      const consumer = await this.#js.consumers.get(stream, info.name);
      while (pending > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(pending, 256), expires: 5000 });
        let got = 0;
        for await (const m of batch) {
          out.push({ seq: m.seq, data: m.data });
          got++;
          pending = m.info.pending;
          if (pending === 0) break;
        }
        if (got === 0) throw new UnavailableError('The room stream did not deliver its commits in time.');
      }
    } finally {
      await jsm.consumers.delete(stream, info.name).catch(() => undefined);
    }
    return out;
  }

  /** Sequence of the room's latest genesis/commit, 0 when there is none (no such room). */
  async lastCommitSeq(roomId: string): Promise<number> {
    const jsm = await this.#jsm;
    try {
      const msg = await jsm.streams.getMessage(this.layout.streamOf(roomId), {
        last_by_subj: roomSubject(roomId, 'commit'),
      });
      return msg?.seq ?? 0;
    } catch (error) {
      if (/not found/i.test((error as Error)?.message ?? '')) return 0;
      throw unavailable('read the room stream', error);
    }
  }

  /** The last sequence of the room's shard stream (every later message of the room comes after it). */
  async lastSeq(roomId: string): Promise<number> {
    const jsm = await this.#jsm;
    const info = await natsCall('read the room stream', () => jsm.streams.info(this.layout.streamOf(roomId)));
    return info.state.last_seq;
  }

  /** How many of the room's envelopes are stored at `fromSeq` or later. */
  async envelopesFrom(roomId: string, fromSeq: number): Promise<number> {
    const jsm = await this.#jsm;
    const stream = this.layout.streamOf(roomId);
    const info = await natsCall('read the room stream', () =>
      jsm.consumers.add(stream, probeConfig(roomSubject(roomId, 'msg'), fromSeq)),
    );
    void jsm.consumers.delete(stream, info.name).catch(() => undefined); // else it idles out
    return info.num_pending;
  }

  /**
   * The start sequence from which `last` of the room's envelopes follow, given that more than
   * `last` are stored at `from` or later and none after `lastSeq` (searchStartForLast, counting
   * with filtered consumers' pending counts).
   */
  startForLast(roomId: string, from: number, last: number, lastSeq: number): Promise<number> {
    return searchStartForLast((seq) => this.envelopesFrom(roomId, seq), from, last, lastSeq);
  }

  /** When JetStream stored message `seq` of the room's shard stream (ms, the server's clock). */
  async storedTime(roomId: string, seq: number): Promise<number> {
    const stream = this.layout.streamOf(roomId);
    const key = `${stream}:${seq}`;
    const known = this.#storedTimes.get(key);
    if (known !== undefined) return known;
    let time: number;
    try {
      const stored = await (await this.#jsm).streams.getMessage(stream, { seq });
      time = stored?.time.getTime() ?? Number.NaN;
    } catch (error) {
      throw new UnavailableError('The gateway could not read the room stream: try again.', { cause: error });
    }
    if (!Number.isSafeInteger(time) || time <= 0) {
      throw new UnavailableError(`The room stream has no entry ${seq}: try again.`);
    }
    if (this.#storedTimes.size >= MAX_STORED_TIMES)
      this.#storedTimes.delete(this.#storedTimes.keys().next().value!);
    this.#storedTimes.set(key, time);
    return time;
  }

  /**
   * (Re)creates the device's consumer on the room's envelopes, starting at `startSeq`: a consumer's
   * start cannot be changed, so an existing one is deleted first. Returns how many wait in it.
   */
  async placeDeviceConsumer(roomId: string, deviceNkey: string, startSeq: number): Promise<number> {
    const jsm = await this.#jsm;
    const stream = this.layout.streamOf(roomId);
    const name = deviceConsumerName(deviceNkey, roomId);
    await jsm.consumers.delete(stream, name).catch(() => undefined);
    const info = await natsCall('place the device consumer', () =>
      jsm.consumers.add(stream, {
        durable_name: name,
        filter_subject: roomSubject(roomId, 'msg'),
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, startSeq),
        inactive_threshold: CONSUMER_IDLE_NS,
        // A cursor only: at R3 a replicated consumer would be one more Raft group per device and room.
        mem_storage: true,
        num_replicas: 1,
      }),
    );
    return info.num_pending;
  }

  /** Removes a device's consumer on a room (a removed member keeps nothing to pull from). */
  async deleteDeviceConsumer(roomId: string, deviceNkey: string): Promise<void> {
    const jsm = await this.#jsm;
    await jsm.consumers
      .delete(this.layout.streamOf(roomId), deviceConsumerName(deviceNkey, roomId))
      .catch(() => undefined);
  }

  /**
   * Removes a device's consumer on each of `roomIds` (a revoked device keeps no server-side cursor
   * anywhere). One that is not there is fine; any other failure is an UnavailableError once every
   * room was tried, so the caller can run it again (revocation is idempotent).
   */
  async deleteDeviceConsumers(roomIds: readonly string[], deviceNkey: string): Promise<void> {
    const jsm = await this.#jsm;
    const failures: unknown[] = [];
    // A few at a time: a user may be in a hundred rooms, each delete is one JetStream API call.
    for (let i = 0; i < roomIds.length; i += DELETE_BATCH) {
      await Promise.all(
        roomIds.slice(i, i + DELETE_BATCH).map((roomId) =>
          jsm.consumers
            .delete(this.layout.streamOf(roomId), deviceConsumerName(deviceNkey, roomId))
            .catch((error: unknown) => {
              if (!/not found/i.test((error as Error)?.message ?? '')) failures.push(error);
            }),
        ),
      );
    }
    if (failures.length)
      throw unavailable(`delete ${failures.length} consumer(s) of the device`, failures[0]);
  }
}

/**
 * The largest sequence s in [from, lastSeq] with at least `last` envelopes stored at s or later,
 * i.e. where "the last `last`" start. Other rooms' messages are interleaved in a shard, so a
 * room's sequences are sparse and cannot be counted back from the end: a binary search on
 * `countFrom` (non-increasing in seq), about log2(lastSeq - from) calls.
 * @example await searchStartForLast(async (s) => seqs.filter((x) => x >= s).length, 1, 3, 100)
 */
export async function searchStartForLast(
  countFrom: (seq: number) => Promise<number>,
  from: number,
  last: number,
  lastSeq: number,
): Promise<number> {
  let lo = Math.max(1, from);
  // `last` envelopes have `last` distinct sequences, the newest at most lastSeq.
  let hi = Math.max(lo, lastSeq - last + 1);
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if ((await countFrom(mid)) >= last) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** An unnamed, unacknowledged, in-memory R1 consumer on one subject from `fromSeq` on. */
function probeConfig(subject: string, fromSeq: number) {
  return {
    filter_subject: subject,
    ack_policy: AckPolicy.None,
    deliver_policy: fromSeq > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
    ...(fromSeq > 1 ? { opt_start_seq: fromSeq } : {}),
    inactive_threshold: PROBE_IDLE_NS,
    mem_storage: true,
    num_replicas: 1,
  };
}

async function natsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (/stream not found/i.test((error as Error)?.message ?? '')) {
      throw new UnavailableError(
        'The room shard streams are missing: start a gateway (it creates them) or restore the JetStream store.',
        { cause: error },
      );
    }
    throw unavailable(what, error);
  }
}

function unavailable(what: string, error: unknown): UnavailableError {
  return new UnavailableError(`The gateway could not ${what}: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}
