/**
 * The room index in KV, derived from each room's chain: the room record (members with their join
 * sequence, each epoch's room public key) and every user's room list. Writes are compare-and-set
 * and never go backwards (a record is replaced only by one reflecting a later commit), so gateways
 * committing to one room in quick succession cannot leave an older state behind.
 * @example await saveRoomRecord(ctx.buckets, deriveRoomRecord(room)); await addUserRooms(ctx.buckets, added, roomId);
 */
import { ConflictError } from '../core/errors.ts';
import type { roomkey } from '../proto/index.ts';
import type { Buckets } from './buckets.ts';
import { appendUserRooms } from './user-room-lists.ts';

const MAX_CAS_RETRIES = 16;

/**
 * Writes a room record unless KV already reflects a later commit.
 * @example await saveRoomRecord(ctx.buckets, deriveRoomRecord(room));
 */
export async function saveRoomRecord(
  buckets: Pick<Buckets, 'rooms'>,
  record: roomkey.v1.RoomRecord.$Properties,
): Promise<void> {
  const roomId = record.roomId!;
  // A genesis's record is new (its genesis just won the room id): create it without reading first,
  // one round trip less per room creation; if a record is there after all, read and compare.
  const fresh = (record.epochs?.length ?? 0) === 1;
  for (let attempt = 0; ; attempt++) {
    const current = fresh && attempt === 0 ? undefined : await buckets.rooms.get(roomId);
    try {
      if (!current) {
        await buckets.rooms.create(roomId, record, 'raced');
      } else {
        if (Number(current.value.lastCommitSeq) >= Number(record.lastCommitSeq)) return;
        await buckets.rooms.update(roomId, record, current.revision, 'raced');
      }
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_CAS_RETRIES) throw error;
    }
  }
}

/**
 * Adds `roomId` to each user's room list (idempotent): batched per user and compare-and-set
 * (user-room-lists.ts).
 * @example await addUserRooms(ctx.buckets, ['u1'], roomId);
 */
export function addUserRooms(
  buckets: Pick<Buckets, 'userRooms'>,
  userIds: readonly string[],
  roomId: string,
): Promise<void> {
  return appendUserRooms(buckets, userIds, roomId);
}

/** The member entry of `userId`, or undefined when the user is not (or no longer) a member. */
export function memberOf(
  record: roomkey.v1.RoomRecord | roomkey.v1.RoomRecord.$Properties,
  userId: string,
): roomkey.v1.RoomMember.$Properties | undefined {
  return (record.members ?? []).find((m) => m.userId === userId);
}

/** The former-member entry of `userId`, if the user was removed (and not added back). */
export function formerMemberOf(
  record: roomkey.v1.RoomRecord | roomkey.v1.RoomRecord.$Properties,
  userId: string,
): roomkey.v1.RoomMember.$Properties | undefined {
  return (record.former ?? []).find((m) => m.userId === userId);
}
