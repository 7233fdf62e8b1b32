/**
 * Reading rooms through the gateway:
 * - room.commits: the signed chain from an epoch on (genesis and commits hold key wraps and sealed
 *   names, no plaintext; every member needs them to verify the room). Members get all of it; a
 *   removed member up to the commit that removed them. Paged to fit a reply. Each entry comes with
 *   its stream sequence and the time JetStream stored it: clients judge the committer's device,
 *   and which devices may send in the epoch, by that time.
 *   With it, the caller's role and each member's as this gateway enforces them (admin-API grants
 *   included) and what the caller may do (invite, remove, rename): clients show and offer that.
 * - room.list: the rooms the caller is or was in, with their latest epoch.
 * - room.cursor: places the caller device's consumer on the room's envelopes, never before the
 *   floor policy sets (its join sequence when pre-join history is not allowed), so NATS itself
 *   cannot serve it anything older. Live delivery resumes from the last sequence a device got
 *   (start_seq, capped by last) or starts after the shard stream's end (from_end). Sequences are
 *   the shard stream's: a room's are increasing but not dense.
 */
import { decode, encode } from '../../core/codec.ts';
import type { SignedProps } from '../../core/crypto/index.ts';
import { NotMemberError } from '../../core/errors.ts';
import { can, type PolicyChain, roleOf } from '../../core/policy/index.ts';
import { checkRoomId } from '../../core/room/index.ts';
import { deviceConsumerName, ROOM_SUBJECTS } from '../../core/transport/index.ts';
import { type roomkey, v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { readChain, readRoomRecord } from '../policy-store.ts';
import { formerMemberOf, memberOf } from '../room-records.ts';
import type { Endpoint } from '../service.ts';
import { RENAME_RULE } from './room-commit.ts';

/** A commits reply stays below the client's reply limit (256 KiB). */
const MAX_CHAIN_BYTES = 192 * 1024;
/** The most a cursor request may ask for as "the last N" (each costs the stream leader gets: last-start.ts). */
const MAX_LAST = 10_000;

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
      const roles = readChain(ctx.buckets, { orgId: record.orgId, projectId: record.projectId, roomId });
      roles.catch(() => undefined); // awaited below, after the chain
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
          const seq = room.seqs[epoch]!;
          // A copy from a per-room stream counts with its original's time (legacy-rooms.ts).
          storedAtMs.push(
            await ctx.legacy.storedTime(roomId, seq, () => ctx.streams.storedTime(roomId, seq)),
          );
          size += bytes;
        }
        const { chain: policy } = await roles;
        return encode(v1.CommitsResponse, {
          chain,
          seqs,
          latestEpoch: until,
          storedAtMs,
          ...rolesIn(policy, caller.userId, room.observer.members),
        });
      });
    },
  };
}

/**
 * The roles the gateway enforces in the room (grants at org, project and room), so a client shows
 * and offers what policy really allows, not a default. Authorization facts, no content.
 */
function rolesIn(
  policy: PolicyChain,
  userId: string,
  members: readonly string[],
): Pick<
  roomkey.v1.CommitsResponse.$Properties,
  'callerRole' | 'memberRoles' | 'mayInvite' | 'mayRemove' | 'mayRename'
> {
  return {
    callerRole: roleOf(userId, policy),
    memberRoles: members.map((member) => ({ userId: member, role: roleOf(member, policy) })),
    mayInvite: can('invite', userId, policy),
    mayRemove: can('remove', userId, policy),
    mayRename: can(RENAME_RULE, userId, policy),
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
      const last = Math.min(Number(req.last ?? 0), MAX_LAST);
      // A position saved in the room's old per-room stream resumes after the same message here.
      const requested = req.startSeqLegacy
        ? (await ctx.legacy.translate(roomId, Math.max(0, Number(req.startSeq ?? 0) - 1))) + 1
        : Number(req.startSeq ?? 0);
      let start = req.fromEnd ? Math.max(floor, lastSeq + 1) : Math.max(floor, requested);
      let pending = await ctx.streams.placeDeviceConsumer(roomId, call.caller.user, start);
      if (!req.fromEnd && last > 0 && pending > last) {
        // More wait than asked for: start at the last `last` (the room's sequences are sparse).
        start = await ctx.streams.startForLast(roomId, start, last, lastSeq);
        pending = await ctx.streams.placeDeviceConsumer(roomId, call.caller.user, start);
      }
      return encode(v1.CursorResponse, {
        stream: ctx.streams.layout.streamOf(roomId),
        consumer: deviceConsumerName(call.caller.user, roomId),
        startSeq: start,
        lastSeq,
        pending,
        floorSeq: floor,
        legacyUntilSeq: await ctx.legacy.untilSeq(roomId),
      });
    },
  };
}
