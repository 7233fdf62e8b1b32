// Roles as the gateway enforces them reach the client (an admin-API grant shows in the member list,
// and what the user may do follows it), and renaming is role-checked: the gateway refuses a member's
// flagged rename, and a member who leaves the flag off to get past it gains nothing — every client
// keeps the previous name.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AdminApi } from '../../core/client/admin-api.ts';
import { commitRequest, roomCommits } from '../../core/client/gateway-api.ts';
import { GatewayDirectory } from '../../core/client/gateway-directory.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { ForbiddenError } from '../../core/errors.ts';
import { Role } from '../../core/policy/index.ts';
import { buildCommit } from '../../core/room/commit.ts';
import { type LocalMember, Room } from '../../core/room/index.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

async function summaryOf(session: RoomKeySession, roomId: string) {
  // Reading the history reads the chain: the gateway's roles come with it (as when a room opens).
  await session.history(roomId, { limit: 1 });
  const room = (await session.listRooms()).find((r) => r.roomId === roomId);
  assert.ok(room, 'the room is listed');
  return room;
}

const rolesOf = (room: { members: readonly { username: string; role?: string }[] }) =>
  Object.fromEntries(room.members.map((m) => [m.username, m.role]));

test('a role granted with the admin API shows in the room and decides what is offered', async () => {
  const alice = await stack.signUpSession({ username: 'alice-g' });
  const bob = await stack.signUpSession({ username: 'bob-g' });
  const carol = await stack.signUpSession({ username: 'carol-g' });
  const room = await alice.createRoom('Grants');
  await alice.invite(room.roomId, 'bob-g');
  await alice.invite(room.roomId, 'carol-g');
  await new AdminApi(() => alice.nc, { timeoutMs: 3000 }).grant(
    { level: 'room', roomId: room.roomId },
    bob.userId,
    Role.admin,
  );

  const bobs = await summaryOf(bob, room.roomId);
  assert.deepEqual(rolesOf(bobs), { 'alice-g': 'owner', 'bob-g': 'admin', 'carol-g': 'member' });
  assert.deepEqual(bobs.may, { invite: true, remove: true, rename: true }, 'the admin manages the room');
  const carols = await summaryOf(carol, room.roomId);
  assert.deepEqual(rolesOf(carols), { 'alice-g': 'owner', 'bob-g': 'admin', 'carol-g': 'member' });
  assert.deepEqual(carols.may, { invite: false, remove: false, rename: false });

  // The admin renames; a member's rename is refused by the gateway, with who may.
  await bob.rotate(room.roomId, { name: 'Granted' });
  await assert.rejects(carol.rotate(room.roomId, { name: 'Mine now' }), (error: unknown) => {
    assert.ok(error instanceof ForbiddenError, `a typed refusal, got ${String(error)}`);
    assert.match(error.message, /owners and admins may rename the room/);
    return true;
  });
  const seen = (await alice.listRooms()).find((r) => r.roomId === room.roomId);
  assert.equal(seen?.name, 'Granted');
});

test('a member who leaves the rename flag off gets past the gateway, but no client takes the name', async () => {
  const alice = await stack.signUpSession({ username: 'alice-f' });
  const { user, device } = await stack.registerUser('mallory-f');
  const room = await alice.createRoom('Launch plans');
  await alice.invite(room.roomId, 'mallory-f');
  const login = await stack.logInDevice(user, device);
  const directory = new GatewayDirectory(() => login.nc);
  const me: LocalMember = {
    userId: user.userId,
    userKeys: user.keys,
    device: { secretKey: device.secretKey, publicKey: device.publicKey },
  };
  const { chain } = await roomCommits(login.nc, { roomId: room.roomId, fromEpoch: 0 });
  const mallorys = await Room.fromGenesis(chain[0]!, me, directory);
  for (const signed of chain.slice(1)) await mallorys.applyCommit(signed);
  assert.equal(mallorys.info.name, 'Launch plans');

  // The honest way is refused: the flag is in plaintext, and mallory is a member.
  const flagged = await mallorys.rename({ name: 'Pwned' }, { nowMs: Date.now() });
  await assert.rejects(commitRequest(login.nc, room.roomId, flagged), /owners and admins may rename/);

  // Without the flag the gateway sees a rotation (members may rotate) and stores it.
  const { signed } = await buildCommit({
    me,
    directory,
    roomId: room.roomId,
    parentEpoch: mallorys.epoch,
    parent: mallorys.signedAt(mallorys.epoch),
    parentMembers: mallorys.members,
    kind: 'rotate',
    info: { name: 'Pwned', topic: '' },
    nowMs: Date.now(),
  });
  await commitRequest(login.nc, room.roomId, signed);
  const seen = (await alice.listRooms()).find((r) => r.roomId === room.roomId);
  assert.equal(seen?.epoch, mallorys.epoch + 1, 'alice applied the commit: its key is the room key');
  assert.equal(seen?.name, 'Launch plans', 'the unflagged name change is not taken');
  await login.nc.close();
});
