// The room tests' common start: a directory, users made in it (in the order named), and a room the
// first of them created, all at `nowMs`.
import { MemoryDirectory, newRoomId, Room } from '../../../core/room/index.ts';
import { makeUser, type TestUser } from '../../helpers/users.ts';

export interface RoomFixture<N extends readonly string[]> {
  directory: MemoryDirectory;
  /** One user per name, in the same order; the first created the room. */
  users: { [K in keyof N]: TestUser };
  room: Room;
}

/** A fresh directory with `names` in it and a room created by the first (with `info`, if given). */
export async function roomFixture<const N extends readonly [string, ...string[]]>(
  names: N,
  nowMs: number,
  info?: Parameters<typeof Room.create>[0]['info'],
): Promise<RoomFixture<N>> {
  const directory = new MemoryDirectory();
  const users: TestUser[] = [];
  for (const name of names) users.push(await makeUser(name, directory, nowMs));
  const room = await Room.create({
    me: users[0]!.me,
    directory,
    roomId: newRoomId(),
    orgId: 'org',
    projectId: 'proj',
    ...(info && { info }),
    nowMs,
  });
  return { directory, users: users as RoomFixture<N>['users'], room };
}
