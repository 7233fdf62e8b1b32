/**
 * The rooms a user's device JWT covers, read from KV at issue time: every room in the user's list
 * whose record lists the user as a member; pre-join history ('stream') when the room's effective
 * policy lets the user read it (core/policy `readPreJoinHistory`).
 * @example const source = kvRoomGrants(ctx.buckets); const grants = await source(userId);
 */
import { can } from '../core/policy/index.ts';
import type { Buckets } from './buckets.ts';
import { type PolicyReaders, readChain } from './policy-store.ts';
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
    // Rooms share orgs and projects: each of their policies is read once per call.
    const policies: PolicyReaders = {
      orgPolicies: memoised(buckets.orgPolicies),
      projectPolicies: memoised(buckets.projectPolicies),
      roomPolicies: buckets.roomPolicies,
    };
    const list = await buckets.userRooms.get(userId);
    const grants = await Promise.all(
      (list?.value.roomIds ?? []).map(async (roomId): Promise<RoomGrant | undefined> => {
        const record = await buckets.rooms.get(roomId);
        if (!record || !memberOf(record.value, userId)) return undefined;
        const { chain } = await readChain(policies, {
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

/** `store.get`, each key read once (the promise is shared, so concurrent reads wait for one). */
function memoised<T>(store: { get(key: string): Promise<T> }): { get(key: string): Promise<T> } {
  const reads = new Map<string, Promise<T>>();
  return {
    get(key) {
      let read = reads.get(key);
      if (!read) {
        read = store.get(key);
        reads.set(key, read);
      }
      return read;
    },
  };
}
