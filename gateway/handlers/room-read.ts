/**
 * Reading rooms through the gateway:
 * - room.commits: the signed chain from an epoch on (genesis and commits hold key wraps and sealed
 *   names, no plaintext; every member needs them to verify the room). Members get all of it; a
 *   removed member up to the commit that removed them. Paged to fit a reply. Each entry comes with
 *   its stream sequence and the time JetStream stored it: clients judge the committer's device,
 *   and which devices may send in the epoch, by that time.
 * - room.list: the rooms the caller is or was in, with their latest epoch.
 * - room.cursor: places the caller device's consumer on the room's envelopes, never before the
 *   floor policy sets (its join sequence when pre-join history is not allowed), so NATS itself
 *   cannot serve it anything older. Live delivery resumes from the last sequence a device got
 *   (start_seq, capped by last) or starts after the stream's end (from_end).
 */
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { decode, encode } from '../../core/codec.ts';
import type { SignedProps } from '../../core/crypto/index.ts';
import { NotMemberError, UnavailableError } from '../../core/errors.ts';
import { can } from '../../core/policy/index.ts';
import { checkRoomId } from '../../core/room/index.ts';
import { deviceConsumerName, ROOM_SUBJECTS, roomStreamName } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { readChain, readRoomRecord } from '../policy-store.ts';
import { formerMemberOf, memberOf } from '../room-records.ts';
import type { Endpoint } from '../service.ts';

/** A commits reply stays below the client's reply limit (256 KiB). */
const MAX_CHAIN_BYTES = 192 * 1024;
const MAX_LAST = 100_000;
/** Stored times remembered per gateway (they never change: room streams deny delete and purge). */
const MAX_STORED_TIMES = 20_000;

export function roomCommits(ctx: GatewayContext): Endpoint {
  return {
    subject: ROOM_SUBJECTS.commits,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.CommitsRequest, data, 'commits request');
      const roomId = checkRoomId(req.roomId);
      const caller = await requireDevice(ctx, call.caller.user);
      const record = await readRoomRecord(ctx.buckets, roomId);
      const member = memberOf(record, caller.userId);
      const former = formerMemberOf(record, caller.userId);
      if (!member && !former) {
        throw new NotMemberError('You are not a member of this room.');
      }
      return ctx.rooms.use(roomId, async (room) => {
        const latest = room.observer.epoch;
        // A removed member sees the chain up to its removal (it was there), nothing after.
        const until = former && !member ? Math.min(latest, former.removedEpoch ?? 0) : latest;
        const chain: SignedProps[] = [];
        const seqs: number[] = [];
        const storedAtMs: number[] = [];
        let size = 0;
        for (let epoch = req.fromEpoch ?? 0; epoch <= until; epoch++) {
          const signed = room.observer.signedAt(epoch);
          const bytes = signed.body.length + signed.signature.length + signed.signer.length + 16;
          if (chain.length > 0 && size + bytes > MAX_CHAIN_BYTES) break;
          chain.push(signed);
          seqs.push(room.seqs[epoch]!);
          storedAtMs.push(await storedTime(ctx.app, roomId, room.seqs[epoch]!));
          size += bytes;
        }
        return encode(v1.CommitsResponse, { chain, seqs, latestEpoch: until, storedAtMs });
      });
    },
  };
}

export function roomList(ctx: GatewayContext): Endpoint {
  return {
    subject: ROOM_SUBJECTS.list,
    maxBytes: 64,
    handle: async (_data, call) => {
      const caller = await requireDevice(ctx, call.caller.user);
      const list = await ctx.buckets.userRooms.get(caller.userId);
      const rooms = await Promise.all(
        (list?.value.roomIds ?? []).map(async (roomId) => {
          const record = await ctx.buckets.rooms.get(roomId);
          if (!record) return undefined;
          const member = Boolean(memberOf(record.value, caller.userId));
          const former = formerMemberOf(record.value, caller.userId);
          const epoch = member ? (record.value.epochs.at(-1)?.epoch ?? 0) : (former?.removedEpoch ?? 0);
          return { roomId, epoch, member };
        }),
      );
      return encode(v1.RoomListResponse, { rooms: rooms.filter((r) => r !== undefined) });
    },
  };
}

export function roomCursor(ctx: GatewayContext): Endpoint {
  return {
    subject: ROOM_SUBJECTS.cursor,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.CursorRequest, data, 'cursor request');
      const roomId = checkRoomId(req.roomId);
      const caller = await requireDevice(ctx, call.caller.user);
      const record = await readRoomRecord(ctx.buckets, roomId);
      const member = memberOf(record, caller.userId);
      if (!member) throw new NotMemberError('You are not a member of this room.');
      const { chain } = await readChain(ctx.buckets, {
        orgId: record.orgId,
        projectId: record.projectId,
        roomId,
      });
      const floor = can('readPreJoinHistory', caller.userId, chain) ? 1 : Number(member.joinSeq) + 1;
      const lastSeq = await ctx.streams.lastSeq(roomId);
      let start = Math.max(floor, Number(req.startSeq ?? 0));
      const last = Math.min(Number(req.last ?? 0), MAX_LAST);
      if (req.fromEnd) start = Math.max(floor, lastSeq + 1);
      else if (last > 0)
        start = Math.max(
          start,
          startForLast(
            lastSeq,
            last,
            record.epochs.map((e) => Number(e.seq)),
          ),
        );
      const pending = await ctx.streams.placeDeviceConsumer(roomId, call.caller.user, start);
      return encode(v1.CursorResponse, {
        stream: roomStreamName(roomId),
        consumer: deviceConsumerName(call.caller.user),
        startSeq: start,
        lastSeq,
        pending,
        floorSeq: floor,
      });
    },
  };
}

/** The start sequence after which `last` envelopes follow (commits are interleaved, so skip them). */
export function startForLast(lastSeq: number, last: number, commitSeqs: readonly number[]): number {
  let start = Math.max(1, lastSeq - last + 1);
  for (;;) {
    const commitsInside = commitSeqs.filter((seq) => seq >= start && seq <= lastSeq).length;
    const next = Math.max(1, lastSeq - last - commitsInside + 1);
    if (next === start) return start;
    start = next;
  }
}

const managers = new WeakMap<NatsConnection, Promise<JetStreamManager>>();
const storedTimes = new Map<string, number>();

/** When JetStream stored message `seq` of the room's stream (ms, the server's clock). */
async function storedTime(app: NatsConnection, roomId: string, seq: number): Promise<number> {
  const key = `${roomId}:${seq}`;
  const known = storedTimes.get(key);
  if (known !== undefined) return known;
  let jsm = managers.get(app);
  if (!jsm) {
    jsm = jetstreamManager(app);
    jsm.catch(() => managers.delete(app));
    managers.set(app, jsm);
  }
  let time: number;
  try {
    const stored = await (await jsm).streams.getMessage(roomStreamName(roomId), { seq });
    time = stored?.time.getTime() ?? Number.NaN;
  } catch (error) {
    throw new UnavailableError('The gateway could not read the room stream: try again.', { cause: error });
  }
  if (!Number.isSafeInteger(time) || time <= 0) {
    throw new UnavailableError(`The room stream has no entry ${seq}: try again.`);
  }
  if (storedTimes.size >= MAX_STORED_TIMES) storedTimes.delete(storedTimes.keys().next().value!);
  storedTimes.set(key, time);
  return time;
}
