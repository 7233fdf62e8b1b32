/**
 * Room history in JetStream, in the app account, through the gateway's app-account connection
 * (gateway-app.creds): one stream RK_ROOM_<id> per room (subjects rk.v1.room.<id>.>), made only
 * here; members never create, delete or configure anything on it. Epoch commits are published
 * here with Nats-Expected-Last-Subject-Sequence, so of two commits built on the same parent only
 * one is stored. Each device reads through one consumer this module places for it.
 * @example const streams = new RoomStreams(appNc, { replicas: 1 }); await streams.create(roomId);
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConflictError, NotFoundError, UnavailableError } from '../core/errors.ts';
import { deviceConsumerName, roomStreamName, roomSubject } from '../core/transport/index.ts';
import { isWrongLastSequence } from './sealed-kv.ts';

/** Largest message a room stream stores (an epoch commit carries one key wrap per member). */
export const MAX_ROOM_MESSAGE_BYTES = 1024 * 1024;
/** A device consumer nobody pulled from for this long is removed by the server. */
const CONSUMER_IDLE_NS = 3600 * 1e9;
const NS = 1e6;
/** Consumer deletions in flight at once. */
const DELETE_BATCH = 16;

export interface StoredCommit {
  seq: number;
  data: Uint8Array;
}

/**
 * Room streams through the app-account connection (see the top of this file).
 * @example const seq = await streams.appendCommit(roomId, bytes, lastSeq);
 */
export class RoomStreams {
  readonly #js: JetStreamClient;
  readonly #jsm: Promise<JetStreamManager>;
  readonly #replicas: number;

  constructor(app: NatsConnection, options: { replicas?: number } = {}) {
    this.#js = jetstream(app);
    this.#jsm = jetstreamManager(app);
    this.#replicas = options.replicas ?? 1;
  }

  /** Makes the room's stream (idempotent for the same config; the genesis publish decides who wins). */
  async create(roomId: string): Promise<void> {
    const jsm = await this.#jsm;
    await natsCall('create the room stream', () =>
      jsm.streams.add({
        name: roomStreamName(roomId),
        subjects: [roomSubject(roomId, '>')],
        storage: StorageType.File,
        num_replicas: this.#replicas,
        max_msg_size: MAX_ROOM_MESSAGE_BYTES,
        deny_delete: true,
        deny_purge: true,
        allow_rollup_hdrs: false,
      }),
    );
  }

  /**
   * Appends a genesis or commit on `.commit` if the last one stored there is `expectedLast`
   * (0 = none yet); ConflictError if another commit got there first. Returns its sequence.
   */
  async appendCommit(roomId: string, data: Uint8Array, expectedLast: number): Promise<number> {
    try {
      const ack = await this.#js.publish(roomSubject(roomId, 'commit'), data, {
        expect: { lastSubjectSequence: expectedLast },
        timeout: 5000,
      });
      return ack.seq;
    } catch (error) {
      if (isWrongLastSequence(error)) {
        throw new ConflictError(
          'Another change to this room was committed first: fetch the latest commits, rebuild the change on them and send it again.',
        );
      }
      throw unavailable('store the commit', error);
    }
  }

  /** Every genesis/commit from `fromSeq` on, in order (a short-lived consumer filtered on `.commit`). */
  async readCommits(roomId: string, fromSeq = 1): Promise<StoredCommit[]> {
    const jsm = await this.#jsm;
    const stream = roomStreamName(roomId);
    const info = await natsCall('read the room stream', () =>
      jsm.consumers.add(stream, {
        filter_subject: roomSubject(roomId, 'commit'),
        ack_policy: AckPolicy.None,
        deliver_policy: fromSeq > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
        ...(fromSeq > 1 ? { opt_start_seq: fromSeq } : {}),
        inactive_threshold: 30_000 * NS,
        mem_storage: true,
        num_replicas: 1,
      }),
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

  /** Sequence of the latest genesis/commit, 0 when there is none (or no stream). */
  async lastCommitSeq(roomId: string): Promise<number> {
    const jsm = await this.#jsm;
    try {
      const msg = await jsm.streams.getMessage(roomStreamName(roomId), {
        last_by_subj: roomSubject(roomId, 'commit'),
      });
      return msg?.seq ?? 0;
    } catch (error) {
      if (/not found/i.test((error as Error)?.message ?? '')) return 0;
      throw unavailable('read the room stream', error);
    }
  }

  /** The stream's last sequence. */
  async lastSeq(roomId: string): Promise<number> {
    const jsm = await this.#jsm;
    const info = await natsCall('read the room stream', () => jsm.streams.info(roomStreamName(roomId)));
    return info.state.last_seq;
  }

  /**
   * (Re)creates the device's consumer on the room's envelopes, starting at `startSeq`: a consumer's
   * start cannot be changed, so an existing one is deleted first. Returns how many wait in it.
   */
  async placeDeviceConsumer(roomId: string, deviceNkey: string, startSeq: number): Promise<number> {
    const jsm = await this.#jsm;
    const stream = roomStreamName(roomId);
    const name = deviceConsumerName(deviceNkey);
    await jsm.consumers.delete(stream, name).catch(() => undefined);
    const info = await natsCall('place the device consumer', () =>
      jsm.consumers.add(stream, {
        durable_name: name,
        filter_subject: roomSubject(roomId, 'msg'),
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, startSeq),
        inactive_threshold: CONSUMER_IDLE_NS,
        mem_storage: true,
      }),
    );
    return info.num_pending;
  }

  /** Removes a device's consumer (a removed member keeps nothing to pull from). */
  async deleteDeviceConsumer(roomId: string, deviceNkey: string): Promise<void> {
    const jsm = await this.#jsm;
    await jsm.consumers.delete(roomStreamName(roomId), deviceConsumerName(deviceNkey)).catch(() => undefined);
  }

  /**
   * Removes a device's consumer on each of `roomIds` (a revoked device keeps no server-side cursor
   * anywhere). One that is not there is fine; any other failure is an UnavailableError once every
   * room was tried, so the caller can run it again (revocation is idempotent).
   */
  async deleteDeviceConsumers(roomIds: readonly string[], deviceNkey: string): Promise<void> {
    const jsm = await this.#jsm;
    const name = deviceConsumerName(deviceNkey);
    const failures: unknown[] = [];
    // A few at a time: a user may be in a hundred rooms, each delete is one JetStream API call.
    for (let i = 0; i < roomIds.length; i += DELETE_BATCH) {
      await Promise.all(
        roomIds.slice(i, i + DELETE_BATCH).map((roomId) =>
          jsm.consumers.delete(roomStreamName(roomId), name).catch((error: unknown) => {
            if (!/not found/i.test((error as Error)?.message ?? '')) failures.push(error);
          }),
        ),
      );
    }
    if (failures.length)
      throw unavailable(`delete ${failures.length} consumer(s) of the device`, failures[0]);
  }
}

async function natsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (/stream not found/i.test((error as Error)?.message ?? '')) {
      throw new NotFoundError('No such room.');
    }
    throw unavailable(what, error);
  }
}

function unavailable(what: string, error: unknown): UnavailableError {
  return new UnavailableError(`The gateway could not ${what}: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}
