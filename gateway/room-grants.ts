/**
 * The rooms a user's device JWT covers, read from KV at issue time: every room in the user's list
 * whose record lists the user as a member; pre-join history ('stream') when the room's effective
 * policy lets the user read it (core/policy `readPreJoinHistory`).
 * @example const source = kvRoomGrants(ctx.buckets); const grants = await source(userId);
 */
import { can } from '../core/policy/index.ts';
import type { Buckets } from './buckets.ts';
import { readChain } from './policy-store.ts';
import type { RoomGrant, RoomGrantSource } from './room-permissions.ts';
import { memberOf } from './room-records.ts';

/**
 * The grant source the gateway uses for device JWTs.
 * @example const source = kvRoomGrants(buckets);
 */
export function kvRoomGrants(
  buckets: Pick<Buckets, 'rooms' | 'userRooms' | 'orgPolicies' | 'projectPolicies' | 'roomPolicies'>,
): RoomGrantSource {
  return async (userId) => {
    const list = await buckets.userRooms.get(userId);
    const grants = await Promise.all(
      (list?.value.roomIds ?? []).map(async (roomId): Promise<RoomGrant | undefined> => {
        const record = await buckets.rooms.get(roomId);
        if (!record || !memberOf(record.value, userId)) return undefined;
        const { chain } = await readChain(buckets, {
          orgId: record.value.orgId,
          projectId: record.value.projectId,
          roomId,
        });
        return { roomId, send: true, history: can('readPreJoinHistory', userId, chain) ? 'stream' : 'none' };
      }),
    );
    return grants.filter((g): g is RoomGrant => g !== undefined);
  };
}
