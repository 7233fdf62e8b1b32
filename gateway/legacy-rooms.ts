/**
 * What the migration from per-room streams recorded for each room it copied (KV `rk_legacy_rooms`,
 * sealed like every room record), and the two things the gateway answers from it for good:
 * - a position a client saved in the old stream, translated to the shard stream (sequences change
 *   when messages are copied; translate() maps old → new, so a client resumes exactly after what
 *   it had);
 * - up to which shard sequence a room's messages are copies, whose `Rk-Legacy-Time` header (the
 *   time JetStream stored the original) counts instead of the copy's own stored time. Only the
 *   gateway writes copies, all before any client can publish on the new subjects, so at or below
 *   that sequence nothing of the room is a client's.
 * @example const legacy = await LegacyRooms.open(nc, keys, { replicas }); await legacy.untilSeq(roomId);
 */
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { MalformedError, UnavailableError } from '../core/errors.ts';
import { LEGACY_TIME_HEADER, legacyTimeOf } from '../core/transport/index.ts';
import { type roomkey, v1 } from '../proto/index.ts';
import { SealedKv } from './sealed-kv.ts';
import type { ServerKeys } from './server-keys.ts';

export const LEGACY_ROOMS_BUCKET = 'rk_legacy_rooms';
/** Migration states (LegacyRoomMigration.state). */
export const COPIED = 1;
export const TRANSLATED = 2;

export type LegacyRecord = roomkey.v1.LegacyRoomMigration;
export type LegacyRun = { legacyFrom: number; newFrom: number; count: number };

/** Records looked up by the cursor and commits handlers, kept per gateway (they never change once translated). */
const MAX_CACHED = 4096;

/**
 * The migration records of a deployment (see the top of this file).
 * @example const newSeq = await legacy.translate(roomId, oldSeq);
 */
export class LegacyRooms {
  readonly records: SealedKv<roomkey.v1.LegacyRoomMigration, roomkey.v1.LegacyRoomMigration.$Properties>;
  readonly #cache = new Map<string, LegacyRecord | null>();
  readonly #jsm: Promise<JetStreamManager>;

  constructor(
    records: SealedKv<roomkey.v1.LegacyRoomMigration, roomkey.v1.LegacyRoomMigration.$Properties>,
    app: NatsConnection,
  ) {
    this.records = records;
    this.#jsm = jetstreamManager(app);
    this.#jsm.catch(() => undefined);
  }

  /**
   * Opens (makes) the bucket in the gateway account (`nc`); copies are read through `app`.
   * @example const legacy = await LegacyRooms.open(nc, app, keys, { replicas: 3 });
   */
  static async open(
    nc: NatsConnection,
    app: NatsConnection,
    keys: ServerKeys,
    options: { replicas?: number } = {},
  ): Promise<LegacyRooms> {
    const kv = await new Kvm(nc).create(LEGACY_ROOMS_BUCKET, {
      history: 1,
      replicas: options.replicas ?? 1,
      maxValueSize: 256 * 1024,
    });
    const records = new SealedKv(kv, LEGACY_ROOMS_BUCKET, keys.kvRecords, v1.LegacyRoomMigration);
    return new LegacyRooms(records, app);
  }

  /** The room's finished migration record, or undefined (a room made after the migration). */
  async finished(roomId: string): Promise<LegacyRecord | undefined> {
    if (this.#cache.has(roomId)) return this.#cache.get(roomId) ?? undefined;
    const entry = await this.records.get(roomId);
    const record = entry && entry.value.state >= TRANSLATED ? entry.value : undefined;
    if (record) checkRuns(runsOf(record), Number(record.legacyLastSeq));
    // A room with no record now never gets one: migration ends before a gateway serves.
    if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(roomId, record ?? null);
    return record;
  }

  /** The highest shard sequence of the room's copies (0: the room has none). */
  async untilSeq(roomId: string): Promise<number> {
    return Number((await this.finished(roomId))?.copiedUntilSeq ?? 0);
  }

  /**
   * The shard sequence of the message a client last had at `legacySeq` of the room's old stream
   * (0 = before everything). A room without a record was never in an old stream: 0.
   */
  async translate(roomId: string, legacySeq: number): Promise<number> {
    const record = await this.finished(roomId);
    return record ? translateSeq(runsOf(record), legacySeq) : 0;
  }

  /**
   * When JetStream stored message `seq` of the room, for the commits reply: the original's time
   * for a copy (at or below the room's copies' end), else `own` (the shard stream's stored time).
   */
  async storedTime(roomId: string, seq: number, own: () => Promise<number>): Promise<number> {
    const record = await this.finished(roomId);
    if (!record || seq > Number(record.copiedUntilSeq)) return own();
    let time: number | undefined;
    try {
      const stored = await (await this.#jsm).streams.getMessage(record.shardStream, { seq });
      time = legacyTimeOf(stored?.header?.get(LEGACY_TIME_HEADER), stored?.time.getTime());
    } catch (error) {
      throw new UnavailableError('The gateway could not read the room stream: try again.', { cause: error });
    }
    if (time === undefined) throw new UnavailableError(`The room's copy ${seq} has no original time.`);
    return time;
  }
}

/** The runs of a record as numbers. */
export function runsOf(record: roomkey.v1.ILegacyRoomMigration): LegacyRun[] {
  return (record.runs ?? []).map((r) => ({
    legacyFrom: Number(r.legacyFrom ?? 0),
    newFrom: Number(r.newFrom ?? 0),
    count: Number(r.count ?? 0),
  }));
}

/**
 * Old sequence → shard sequence. A position between two copies (or past the last) maps to the
 * copy before it, so resuming after the result resumes after exactly what the client had.
 * @example translateSeq([{ legacyFrom: 1, newFrom: 40, count: 10 }], 3) === 42;
 */
export function translateSeq(runs: readonly LegacyRun[], legacySeq: number): number {
  let out = 0;
  for (const run of runs) {
    if (legacySeq < run.legacyFrom) break;
    out = run.newFrom + Math.min(legacySeq - run.legacyFrom, run.count - 1);
  }
  return out;
}

/** Refuses a record that does not describe a finished copy (hostile input: it came from KV). */
export function checkRuns(runs: readonly LegacyRun[], legacyLast: number): void {
  let next = 1;
  let lastNew = 0;
  for (const run of runs) {
    if (run.legacyFrom !== next || run.count < 1 || run.newFrom <= lastNew) {
      throw new MalformedError('legacy migration record: runs do not cover the old stream in order');
    }
    next = run.legacyFrom + run.count;
    lastNew = run.newFrom + run.count - 1;
  }
  if (next !== legacyLast + 1) throw new MalformedError('legacy migration record: runs do not reach its end');
}
