/**
 * Moves a deployment's rooms from one stream per room (`RK_ROOM_<id>`, the layout before shard
 * streams) into their shard streams when a gateway starts, before it serves anything. Per room:
 * 1. seal the old stream (JetStream then refuses anything more on it: an old client's late send
 *    fails loudly instead of being left behind);
 * 2. copy every message, in order (legacy-copy.ts: resumable, never twice), then check the copy
 *    message by message and record old → new sequences in KV `rk_legacy_rooms` (legacy-rooms.ts);
 * 3. translate the sequences of the room's KV record (epoch commits, members' and former members'
 *    join sequences, the last commit) — once: the write is compare-and-set on the revision the
 *    record had before, kept in the migration record;
 * 4. delete the old stream (its device consumers go with it: clients place new ones).
 * A gateway killed at any point redoes what is missing on its next start and ends with the same
 * result; two gateways starting at once do not copy anything twice. Logs carry counts only (no
 * room ids or names).
 * @example await migrateLegacyRooms({ app, layout, rooms: buckets.rooms, legacy, log });
 */
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConflictError } from '../core/errors.ts';
import type { StreamLayout } from '../core/transport/index.ts';
import type { roomkey } from '../proto/index.ts';
import type { Buckets } from './buckets.ts';
import { type CopyIo, checkLegacyCopy, copyLegacyRoom } from './legacy-copy.ts';
import { LEGACY_ROOM_STREAM_PREFIX, legacyRoomIdOf, legacyRoomStreamName } from './legacy-layout.ts';
import { COPIED, type LegacyRooms, runsOf, TRANSLATED, translateSeq } from './legacy-rooms.ts';

export interface MigrationDeps {
  /** The gateway's app-account connection (room streams live there). */
  app: NatsConnection;
  layout: StreamLayout;
  rooms: Buckets['rooms'];
  legacy: LegacyRooms;
  log: (line: string) => void;
  /** Called at each step ('copy' after each message, 'copied', 'translated'): tests stop a run there. */
  step?: (point: 'copy' | 'copied' | 'translated') => void;
}

export interface MigrationResult {
  rooms: number;
  copied: number;
}

const PROGRESS_MS = 5000;
/** Shard streams copied into at once. */
const PARALLEL_SHARDS = 8;

/**
 * Migrates every per-room stream there is (see the top of this file); nothing to do is quick
 * (one stream listing).
 * @example const { rooms } = await migrateLegacyRooms(deps);
 */
export async function migrateLegacyRooms(deps: MigrationDeps): Promise<MigrationResult> {
  const jsm = await jetstreamManager(deps.app);
  const roomIds: string[] = [];
  for await (const name of jsm.streams.names()) {
    const roomId = legacyRoomIdOf(name);
    if (roomId) roomIds.push(roomId);
  }
  const result: MigrationResult = { rooms: 0, copied: 0 };
  if (roomIds.length === 0) return result;
  deps.log(`migrating ${roomIds.length} per-room stream(s) into the room shard streams`);
  let reported = Date.now();
  // Shards in parallel (the copy waits on round trips), each shard's rooms one after another so
  // that a room's copies stay one run of sequences.
  const byShard = new Map<number, string[]>();
  for (const roomId of roomIds) {
    const k = deps.layout.shardOf(roomId);
    byShard.set(k, [...(byShard.get(k) ?? []), roomId]);
  }
  const queues = [...byShard.values()];
  const worker = async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      for (const roomId of queue) {
        const copied = await migrateRoom(deps, jsm, roomId).catch(async (error: unknown) => {
          // Another gateway starting at the same time finished this room (and deleted its old stream).
          if (await finishedElsewhere(deps, jsm, roomId)) return 0;
          throw error;
        });
        result.copied += copied; // after the await: workers add concurrently
        result.rooms++;
        if (Date.now() - reported > PROGRESS_MS) {
          deps.log(
            `migrated ${result.rooms} of ${roomIds.length} room(s), ${result.copied} message(s) copied`,
          );
          reported = Date.now();
        }
      }
    }
  };
  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.min(PARALLEL_SHARDS, queues.length) }, worker),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    deps.log(
      `migration stopped after ${result.rooms} of ${roomIds.length} room(s): ${scrub((failed.reason as Error)?.message)}; start the gateway again to go on`,
    );
    throw failed.reason;
  }
  deps.log(
    `migration done: ${result.rooms} room(s), ${result.copied} message(s) copied, old streams deleted`,
  );
  return result;
}

async function migrateRoom(deps: MigrationDeps, jsm: JetStreamManager, roomId: string): Promise<number> {
  const legacyStream = legacyRoomStreamName(roomId);
  const io: CopyIo = {
    js: jetstream(deps.app),
    jsm,
    shardStream: deps.layout.streamOf(roomId),
    onCopy: deps.step && (() => deps.step!('copy')),
  };
  let copied = 0;
  let record = (await deps.legacy.records.get(roomId))?.value;
  if (!record) {
    const legacyLast = await seal(jsm, legacyStream);
    copied = await copyLegacyRoom(io, roomId, legacyLast);
    const check = await checkLegacyCopy(io, roomId, legacyLast);
    const fresh: roomkey.v1.LegacyRoomMigration.$Properties = {
      legacyStream,
      legacyLastSeq: legacyLast,
      copiedUntilSeq: check.untilSeq,
      runs: check.runs,
      state: COPIED,
      roomRecordRevision: (await deps.rooms.get(roomId))?.revision ?? 0,
      shardStream: io.shardStream,
    };
    try {
      await deps.legacy.records.create(roomId, fresh, 'raced');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error; // another gateway recorded it first
    }
    record = (await deps.legacy.records.get(roomId))!.value;
    deps.step?.('copied');
  }
  if (record.state < TRANSLATED) {
    await translateRoomRecord(deps.rooms, roomId, record);
    const current = await deps.legacy.records.get(roomId);
    if (current && current.value.state < TRANSLATED) {
      await deps.legacy.records
        .update(roomId, { ...current.value, state: TRANSLATED }, current.revision, 'raced')
        .catch((error: unknown) => {
          if (!(error instanceof ConflictError)) throw error;
        });
    }
    deps.step?.('translated');
  }
  await jsm.streams.delete(legacyStream).catch((error: unknown) => {
    if (!/stream not found/i.test((error as Error)?.message ?? '')) throw error;
  });
  return copied;
}

/** The room's old stream is gone and its record translated: another gateway migrated it. */
async function finishedElsewhere(
  deps: MigrationDeps,
  jsm: JetStreamManager,
  roomId: string,
): Promise<boolean> {
  const record = await deps.legacy.records.get(roomId);
  if (!record || record.value.state < TRANSLATED) return false;
  try {
    await jsm.streams.info(legacyRoomStreamName(roomId));
    return false;
  } catch (error) {
    return /stream not found/i.test((error as Error)?.message ?? '');
  }
}

/** Seals the old stream (idempotent) and returns its last sequence, final from then on. */
async function seal(jsm: JetStreamManager, stream: string): Promise<number> {
  const info = await jsm.streams.info(stream);
  if (info.config.sealed) return info.state.last_seq;
  // Sealing is a stream setting the client library's update type leaves out (nats-server ≥ 2.6.2).
  const config = { ...info.config, sealed: true } as Parameters<JetStreamManager['streams']['update']>[1];
  const sealed = await jsm.streams.update(stream, config);
  return sealed.state.last_seq;
}

/**
 * Rewrites the room record's sequences in shard numbering, only if the record is still at the
 * revision the migration record noted (so a second run, or a second gateway, cannot translate
 * translated sequences again).
 */
async function translateRoomRecord(
  rooms: Buckets['rooms'],
  roomId: string,
  record: roomkey.v1.LegacyRoomMigration,
): Promise<void> {
  const revision = Number(record.roomRecordRevision ?? 0);
  if (revision === 0) return; // no record: the next commit derives one from the copied chain
  const current = await rooms.get(roomId);
  if (!current || current.revision !== revision) return; // translated already
  const runs = runsOf(record);
  const map = (seq: unknown) => translateSeq(runs, Number(seq ?? 0));
  const v = current.value;
  const translated: roomkey.v1.RoomRecord.$Properties = {
    ...v,
    members: v.members.map((m) => ({ ...m, joinSeq: map(m.joinSeq) })),
    former: v.former.map((m) => ({ ...m, joinSeq: map(m.joinSeq) })),
    epochs: v.epochs.map((e) => ({ ...e, seq: map(e.seq) })),
    lastCommitSeq: map(v.lastCommitSeq),
  };
  await rooms.update(roomId, translated, revision, 'raced').catch((error: unknown) => {
    if (!(error instanceof ConflictError)) throw error; // another gateway translated it first
  });
}

/** A NATS error may name an old stream, whose name holds the room id: never log that. */
function scrub(message: string | undefined): string {
  return (message ?? 'unknown error')
    .replaceAll(
      new RegExp(`${LEGACY_ROOM_STREAM_PREFIX}[A-Za-z0-9_-]+`, 'g'),
      `${LEGACY_ROOM_STREAM_PREFIX}…`,
    )
    .replaceAll(/rk\.v1\.room\.[A-Za-z0-9_.>*-]+/g, 'rk.v1.room.…')
    .replaceAll(/\b[0-9a-f]{32}\b/g, '…');
}
