/**
 * Room history in JetStream, in the app account, through the gateway's app-account connection
 * (gateway-app.creds): a fixed set of shard streams RK_ROOMS_<k> (core/transport/stream-layout.ts,
 * made at start by room-shards.ts), each holding many rooms' subjects rk.v1.room.<bucket>.<id>.>.
 * Members never create, delete or configure anything on them. Genesis and epoch commits are
 * published here with Nats-Expected-Last-Subject-Sequence (checked per subject, so per room):
 * of two commits built on the same parent, and of two geneses of one room id, only one is stored.
 * Each device reads a room through one consumer this module places for it (R1, memory: a cursor,
 * never a Raft group of its own). Sequences are the shard's: dense per stream, sparse per room.
 * On a cluster a consumer may be placed on a node that just died (2.9 keeps choosing it for 30 s
 * and more), so commits and "the last N" are read with message gets, answered by the stream's
 * leader, and the one consumer that remains (the device cursor) is created with a short time
 * limit, deleted and placed again when it does not answer.
 * @example const streams = new RoomStreams(appNc, new StreamLayout(16)); await streams.appendCommit(roomId, genesis, 0);
 */
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type MsgRequest,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConflictError, UnavailableError } from '../core/errors.ts';
import { deviceConsumerName, roomSubject, type StreamLayout } from '../core/transport/index.ts';
import { retryTransient } from './jetstream-retry.ts';
import { startOfLast } from './last-start.ts';
import { isWrongLastSequence } from './sealed-kv.ts';

/** Largest message a shard stream stores (an epoch commit carries one key wrap per member). */
export const MAX_ROOM_MESSAGE_BYTES = 1024 * 1024;
/** A device consumer nobody pulled from for this long is removed by the server. */
const CONSUMER_IDLE_NS = 3600 * 1e9;
/**
 * Time limit of each try to create a consumer: an R1 consumer answers in milliseconds unless it
 * was placed on a dead node, which never answers. Later tries wait longer (a busy meta leader).
 */
const CONSUMER_TRY_MS = [1000, 1000, 1000, 1500, 2000];
/** How long each check that a deleted consumer is gone waits, and how many checks at most. */
const GONE_TRY_MS = 400;
const GONE_TRIES = 3;
/** Time limit of a message get, and how often one is tried (an election takes a few seconds). */
const GET_TRY_MS = 2000;
const GET_ATTEMPTS = 3;
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
  readonly #app: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: Promise<JetStreamManager>;
  /** Managers whose API requests give up after a given time (ms → manager). */
  readonly #limited = new Map<number, Promise<JetStreamManager>>();
  readonly #storedTimes = new Map<string, number>();

  constructor(app: NatsConnection, layout: StreamLayout) {
    this.layout = layout;
    this.#app = app;
    this.#js = jetstream(app);
    this.#jsm = jetstreamManager(app);
    this.#jsm.catch(() => undefined); // each use reports its own failure
  }

  #jsmWithin(timeoutMs: number): Promise<JetStreamManager> {
    let jsm = this.#limited.get(timeoutMs);
    if (!jsm) {
      jsm = jetstreamManager(this.#app, { timeout: timeoutMs, checkAPI: false });
      jsm.catch(() => undefined);
      this.#limited.set(timeoutMs, jsm);
    }
    return jsm;
  }

  /**
   * Creates a named consumer (see CONSUMER_TRY_MS): a try that does not answer in time is deleted,
   * so the next is placed anew. Returns its info.
   */
  async #addConsumer(stream: string, config: Partial<ConsumerConfig> & { name: string }, what: string) {
    const quick = await this.#jsmWithin(CONSUMER_TRY_MS[0]!);
    return natsCall(what, () =>
      retryTransient(
        async (attempt) => {
          if (attempt > 1) {
            // The meta leader drops the assignment even when the dead node never answers the
            // delete; until it has, a create of the same name is given the old, dead placement.
            await quick.consumers.delete(stream, config.name).catch(() => undefined);
            await this.#untilGone(stream, config.name);
          }
          const limited = await this.#jsmWithin(CONSUMER_TRY_MS[attempt - 1]!);
          return limited.consumers.add(stream, config);
        },
        { attempts: CONSUMER_TRY_MS.length, firstDelayMs: 50, maxDelayMs: 200 },
      ),
    );
  }

  /** Waits (≤ ~1.5 s) until the meta leader says consumer `name` is not there. */
  async #untilGone(stream: string, name: string): Promise<void> {
    const jsm = await this.#jsmWithin(GONE_TRY_MS);
    for (let i = 0; i < GONE_TRIES; i++) {
      const gone = await jsm.consumers.info(stream, name).then(
        () => false,
        (error: Error) => /consumer not found/i.test(error.message),
      );
      if (gone) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Message `query` of the shard stream, null when there is none (a few quick tries). */
  async #getMessage(stream: string, query: MsgQuery) {
    const jsm = await this.#jsmWithin(GET_TRY_MS);
    return natsCall('read the room stream', () =>
      retryTransient(() => jsm.streams.getMessage(stream, query as MsgRequest), {
        attempts: GET_ATTEMPTS,
        firstDelayMs: 250,
      }),
    );
  }

  #rememberTime(stream: string, seq: number, time: number): void {
    if (this.#storedTimes.size >= MAX_STORED_TIMES)
      this.#storedTimes.delete(this.#storedTimes.keys().next().value!);
    this.#storedTimes.set(`${stream}:${seq}`, time);
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

  /**
   * Every genesis/commit of the room from `fromSeq` on, in order: message gets that each ask for
   * the first `.commit` at or after a sequence (no consumer, so nothing to place on a dead node).
   */
  async readCommits(roomId: string, fromSeq = 1): Promise<StoredCommit[]> {
    const stream = this.layout.streamOf(roomId);
    const subject = roomSubject(roomId, 'commit');
    const out: StoredCommit[] = [];
    for (let seq = Math.max(1, fromSeq); ; ) {
      const msg = await this.#getMessage(stream, { seq, next_by_subj: subject });
      // The server gives the first match at or after `seq`; anything else is not an answer to it.
      if (!msg) return out;
      if (msg.subject !== subject || msg.seq < seq) {
        throw new UnavailableError(
          `The room stream answered a read of ${subject} with ${msg.subject} #${msg.seq}: this needs nats-server 2.9 or later.`,
        );
      }
      out.push({ seq: msg.seq, data: msg.data });
      this.#rememberTime(stream, msg.seq, msg.time.getTime());
      seq = msg.seq + 1;
    }
  }

  /** Sequence of the room's latest genesis/commit, 0 when there is none (no such room). */
  async lastCommitSeq(roomId: string): Promise<number> {
    const jsm = await this.#jsmWithin(GET_TRY_MS);
    const query = { last_by_subj: roomSubject(roomId, 'commit') };
    try {
      const msg = await retryTransient(() => jsm.streams.getMessage(this.layout.streamOf(roomId), query), {
        attempts: GET_ATTEMPTS,
        firstDelayMs: 250,
      });
      return msg?.seq ?? 0;
    } catch (error) {
      if (/not found/i.test((error as Error)?.message ?? '')) return 0;
      throw unavailable('read the room stream', error);
    }
  }

  /** The last sequence of the room's shard stream (every later message of the room comes after it). */
  async lastSeq(roomId: string): Promise<number> {
    const jsm = await this.#jsmWithin(GET_TRY_MS);
    const info = await natsCall('read the room stream', () =>
      retryTransient(() => jsm.streams.info(this.layout.streamOf(roomId)), {
        attempts: GET_ATTEMPTS,
        firstDelayMs: 250,
      }),
    );
    return info.state.last_seq;
  }

  /**
   * The start sequence from which the last `last` of the room's envelopes in [from, lastSeq]
   * follow, or `from` when there are fewer (startOfLast: message gets only, no consumer).
   */
  startForLast(roomId: string, from: number, last: number, lastSeq: number): Promise<number> {
    const stream = this.layout.streamOf(roomId);
    const subject = roomSubject(roomId, 'msg');
    return startOfLast(
      async (seq) => (await this.#getMessage(stream, { seq, next_by_subj: subject }))?.seq,
      from,
      last,
      lastSeq,
    );
  }

  /** When JetStream stored message `seq` of the room's shard stream (ms, the server's clock). */
  async storedTime(roomId: string, seq: number): Promise<number> {
    const stream = this.layout.streamOf(roomId);
    const key = `${stream}:${seq}`;
    const known = this.#storedTimes.get(key);
    if (known !== undefined) return known;
    const stored = await this.#getMessage(stream, { seq });
    const time = stored?.time.getTime() ?? Number.NaN;
    if (!Number.isSafeInteger(time) || time <= 0) {
      throw new UnavailableError(`The room stream has no entry ${seq}: try again.`);
    }
    this.#rememberTime(stream, seq, time);
    return time;
  }

  /**
   * (Re)creates the device's consumer on the room's envelopes, starting at `startSeq`: a consumer's
   * start cannot be changed, so an existing one is deleted first. Returns how many wait in it.
   */
  async placeDeviceConsumer(roomId: string, deviceNkey: string, startSeq: number): Promise<number> {
    const stream = this.layout.streamOf(roomId);
    const name = deviceConsumerName(deviceNkey, roomId);
    // The one being replaced may sit on a dead node, which never answers the delete: wait ≤ 1 s.
    const quick = await this.#jsmWithin(CONSUMER_TRY_MS[0]!);
    await quick.consumers.delete(stream, name).catch(() => undefined);
    const info = await this.#addConsumer(
      stream,
      {
        name,
        durable_name: name,
        filter_subject: roomSubject(roomId, 'msg'),
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, startSeq),
        inactive_threshold: CONSUMER_IDLE_NS,
        // A cursor only: at R3 a replicated consumer would be one more Raft group per device and room.
        mem_storage: true,
        num_replicas: 1,
      },
      'place the device consumer',
    );
    return info.num_pending;
  }

  /**
   * Removes a device's consumer on a room (a removed member keeps nothing to pull from). The meta
   * leader drops it even when its dead node never answers, so this waits ≤ 1 s for the answer.
   */
  async deleteDeviceConsumer(roomId: string, deviceNkey: string): Promise<void> {
    const jsm = await this.#jsmWithin(CONSUMER_TRY_MS[0]!);
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

/** A message get: by sequence, last on a subject, or first on a subject at or after a sequence. */
type MsgQuery = { seq: number } | { last_by_subj: string } | { seq: number; next_by_subj: string };

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
