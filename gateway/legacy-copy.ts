/**
 * Copying one room's per-room stream (sealed first, so it cannot grow) into the room's subjects
 * of its shard stream, in order, each copy carrying its original's sequence and stored time in
 * headers, and checking the result message by message.
 * - Resumable: the copy goes on after the last original found in the room's new subjects (a
 *   gateway killed halfway continues where it stopped).
 * - Never twice: each copy is published with Nats-Expected-Last-Subject-Sequence = the last copy
 *   on its subject, so two gateways migrating at once cannot both store one original; the one
 *   that loses reads where the copy stands and goes on.
 * @example const copied = await copyLegacyRoom(io, roomId, legacyLast); const check = await checkLegacyCopy(io, roomId);
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { equalBytes } from '../core/bytes.ts';
import { ConflictError, MalformedError, UnavailableError } from '../core/errors.ts';
import { LEGACY_SEQ_HEADER, LEGACY_TIME_HEADER, legacyTimeOf, roomSubject } from '../core/transport/index.ts';
import { legacyRoomStreamName, legacyRoomSubject } from './legacy-layout.ts';
import type { LegacyRun } from './legacy-rooms.ts';
import { isWrongLastSequence } from './sealed-kv.ts';

export interface CopyIo {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** The room's shard stream. */
  shardStream: string;
  /** Called after each copy (tests stop a migration there, as a kill would). */
  onCopy?: () => void;
}

type Kind = 'msg' | 'commit';
const BATCH = 256;
const NS = 1e6;

/**
 * Copies what is not copied yet of the room's old stream (up to `legacyLast`, its last sequence
 * once sealed). Returns how many this call copied.
 */
export async function copyLegacyRoom(io: CopyIo, roomId: string, legacyLast: number): Promise<number> {
  let copied = 0;
  for (let attempt = 0; ; attempt++) {
    const last = { msg: await lastCopy(io, roomId, 'msg'), commit: await lastCopy(io, roomId, 'commit') };
    let next = Math.max(last.msg.legacySeq, last.commit.legacySeq) + 1;
    if (next > legacyLast) return copied;
    try {
      for await (const original of readStream(
        io.jsm,
        io.js,
        legacyRoomStreamName(roomId),
        next,
        legacyLast,
      )) {
        const kind = kindOf(roomId, original.subject);
        const h = headers();
        h.set(LEGACY_SEQ_HEADER, String(original.seq));
        h.set(LEGACY_TIME_HEADER, String(original.time.getTime()));
        const ack = await io.js.publish(roomSubject(roomId, kind), original.data, {
          headers: h,
          expect: { lastSubjectSequence: last[kind].seq },
          timeout: 5000,
        });
        last[kind] = { seq: ack.seq, legacySeq: original.seq };
        next = original.seq + 1;
        copied++;
        io.onCopy?.();
      }
      return copied;
    } catch (error) {
      // Another gateway copied the same original first: read where the copy stands, go on.
      if (!isWrongLastSequence(error) || attempt >= 1000) throw error;
    }
  }
}

export interface CopyCheck {
  runs: LegacyRun[];
  /** The shard sequence of the last copy. */
  untilSeq: number;
}

/**
 * Reads the old stream and the room's new subjects side by side: every original (1..legacyLast)
 * must have exactly one copy, in order, same subject kind, same bytes, same original time.
 * Returns old → new sequence runs. MalformedError when anything differs (nothing is deleted then).
 */
export async function checkLegacyCopy(io: CopyIo, roomId: string, legacyLast: number): Promise<CopyCheck> {
  const copies = readStream(
    io.jsm,
    io.js,
    io.shardStream,
    1,
    Number.MAX_SAFE_INTEGER,
    roomSubject(roomId, '>'),
  );
  const runs: LegacyRun[] = [];
  let untilSeq = 0;
  for await (const original of readStream(io.jsm, io.js, legacyRoomStreamName(roomId), 1, legacyLast)) {
    const { value: copy, done } = await copies.next();
    if (done || !copy)
      throw new MalformedError(`the copy of a room stops before its original ${original.seq}`);
    const legacySeq = copy.headers?.get(LEGACY_SEQ_HEADER);
    const time = legacyTimeOf(copy.headers?.get(LEGACY_TIME_HEADER), copy.time.getTime());
    if (
      legacySeq !== String(original.seq) ||
      time !== original.time.getTime() ||
      copy.subject !== roomSubject(roomId, kindOf(roomId, original.subject)) ||
      !equalBytes(copy.data, original.data)
    ) {
      throw new MalformedError(`a room's copy differs from its original at ${original.seq}`);
    }
    const run = runs.at(-1);
    if (run && run.newFrom + run.count === copy.seq) run.count++;
    else runs.push({ legacyFrom: original.seq, newFrom: copy.seq, count: 1 });
    untilSeq = copy.seq;
  }
  await copies.return(undefined);
  return { runs, untilSeq };
}

/** The last copy on one of the room's new subjects (zeros when there is none). */
async function lastCopy(io: CopyIo, roomId: string, kind: Kind): Promise<{ seq: number; legacySeq: number }> {
  let stored: Awaited<ReturnType<JetStreamManager['streams']['getMessage']>>;
  try {
    stored = await io.jsm.streams.getMessage(io.shardStream, { last_by_subj: roomSubject(roomId, kind) });
  } catch (error) {
    if (/no message found|not found/i.test((error as Error)?.message ?? '')) return { seq: 0, legacySeq: 0 };
    throw new UnavailableError('The gateway could not read a room shard stream.', { cause: error });
  }
  if (!stored) return { seq: 0, legacySeq: 0 };
  const legacySeq = stored.header?.get(LEGACY_SEQ_HEADER) ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(legacySeq)) {
    throw new ConflictError(
      'A room being migrated already has messages in its shard stream that are not copies: stop every gateway of the old version, then start this one again.',
    );
  }
  return { seq: stored.seq, legacySeq: Number(legacySeq) };
}

function kindOf(roomId: string, subject: string): Kind {
  if (subject === legacyRoomSubject(roomId, 'msg')) return 'msg';
  if (subject === legacyRoomSubject(roomId, 'commit')) return 'commit';
  throw new MalformedError('a per-room stream holds a message on a subject that is not its room’s');
}

/**
 * The messages of `stream` from `from` to `until` (by sequence), through a short-lived consumer
 * (filtered on `filter` when given), in order.
 */
async function* readStream(
  jsm: JetStreamManager,
  js: JetStreamClient,
  stream: string,
  from: number,
  until: number,
  filter?: string,
): AsyncGenerator<JsMsg, void, undefined> {
  const info = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, from),
    ...(filter ? { filter_subject: filter } : {}),
    inactive_threshold: 60_000 * NS,
    mem_storage: true,
    num_replicas: 1,
  });
  try {
    const consumer = await js.consumers.get(stream, info.name);
    let pending = info.num_pending;
    while (pending > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(pending, BATCH), expires: 5000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        pending = m.info.pending;
        if (m.seq > until) return;
        yield m;
        if (pending === 0) break;
      }
      if (got === 0) throw new UnavailableError('A stream did not deliver its messages in time.');
    }
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}
