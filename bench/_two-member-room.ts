// Alice's room with Bob added, and Bob's copy of it: the fixture the room and ceiling rows measure on.
import { MemoryDirectory, newRoomId, Room } from '../core/room/index.ts';
import { makeUser } from '../test/helpers/users.ts';

/**
 * A room Alice created and added Bob to (epoch 1), as each of them holds it, without a network.
 * @example const { room, bobs } = await twoMemberRoom();
 */
export async function twoMemberRoom(): Promise<{ room: Room; bobs: Room }> {
  const directory = new MemoryDirectory();
  const alice = await makeUser('alice', directory);
  const bob = await makeUser('bob', directory);
  const room = await Room.create({
    me: alice.me,
    directory,
    roomId: newRoomId(),
    orgId: 'o',
    projectId: 'p',
    nowMs: Date.now(),
  });
  await room.applyCommit(await room.add(['bob'], { nowMs: Date.now() }));
  const bobs = await Room.fromGenesis(room.genesisSigned, bob.me, directory);
  await bobs.applyCommit(room.signedAt(1));
  return { room, bobs };
}
