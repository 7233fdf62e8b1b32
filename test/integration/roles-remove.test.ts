// Roles in a room under the default policy: the creator owns the room, an invited user is a member.
// Managing membership (adding, removing) belongs to owners and admins; a member may only leave.
// The gateway enforces it: a member's remove commit is refused with a ForbiddenError that says why.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setPolicy } from '../../core/client/gateway-api.ts';
import { ForbiddenError, NotMemberError } from '../../core/errors.ts';
import { Role } from '../../core/policy/index.ts';
import { DEFAULT_ORG_ID, DEFAULT_PROJECT_ID } from '../../core/transport/index.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('a member cannot remove the owner nor another member, nor add anyone; the owner can remove a member', async () => {
  const alice = await stack.signUpSession({ username: 'alice-roles' });
  const bob = await stack.signUpSession({ username: 'bob-roles' });
  const carol = await stack.signUpSession({ username: 'carol-roles' });
  const room = await alice.createRoom('Roles');
  await alice.invite(room.roomId, 'bob-roles');
  await alice.invite(room.roomId, 'carol-roles');
  const seen = (await bob.listRooms()).find((r) => r.roomId === room.roomId);
  const roles = Object.fromEntries((seen?.members ?? []).map((m) => [m.username, m.role]));
  assert.deepEqual(roles, { 'alice-roles': 'owner', 'bob-roles': 'member', 'carol-roles': 'member' });

  await assert.rejects(bob.removeMember(room.roomId, alice.userId), (error: unknown) => {
    assert.ok(error instanceof ForbiddenError, `a typed refusal, got ${String(error)}`);
    assert.match(error.message, /owners and admins/i, 'the message says who may');
    return true;
  });
  await assert.rejects(bob.removeMember(room.roomId, carol.userId), ForbiddenError);
  const dave = await stack.signUpSession({ username: 'dave-roles' });
  await assert.rejects(bob.invite(room.roomId, 'dave-roles'), /owners and admins may add members/);
  assert.ok(dave.userId);

  await alice.removeMember(room.roomId, carol.userId);
  const members = (await alice.listRooms()).find((r) => r.roomId === room.roomId)?.members ?? [];
  assert.deepEqual(
    members.map((m) => m.userId).sort(),
    [alice.userId, bob.userId].sort(),
    'carol is gone, alice and bob stay',
  );
});

test('an admin cannot remove the owner, but can remove a member', async () => {
  const alice = await stack.signUpSession({ username: 'alice-admin' });
  const bob = await stack.signUpSession({ username: 'bob-admin' });
  const carol = await stack.signUpSession({ username: 'carol-admin' });
  const room = await alice.createRoom('Admins');
  await alice.invite(room.roomId, 'bob-admin');
  await alice.invite(room.roomId, 'carol-admin');
  await setPolicy(alice.nc, {
    room: {
      orgId: DEFAULT_ORG_ID,
      projectId: DEFAULT_PROJECT_ID,
      roomId: room.roomId,
      rules: {},
      grants: [
        { userId: alice.userId, role: Role.owner },
        { userId: bob.userId, role: Role.admin },
      ],
    },
  });
  await bob.listRooms();
  await assert.rejects(bob.removeMember(room.roomId, alice.userId), /higher role/);
  await bob.removeMember(room.roomId, carol.userId);
  const after = (await alice.listRooms()).find((r) => r.roomId === room.roomId);
  assert.ok(!after?.members.some((m) => m.userId === carol.userId), 'carol was removed by the admin');
});

test('a member can leave: the answer arrives, then their access ends', async () => {
  const alice = await stack.signUpSession({ username: 'alice-leave' });
  const bob = await stack.signUpSession({ username: 'bob-leave' });
  const room = await alice.createRoom('Leaving');
  await alice.invite(room.roomId, 'bob-leave');
  await bob.listRooms();
  const left = await bob.removeMember(room.roomId, bob.userId);
  assert.equal(left.status, 'removed');
  const members = (await alice.listRooms()).find((r) => r.roomId === room.roomId)?.members ?? [];
  assert.deepEqual(
    members.map((m) => m.userId),
    [alice.userId],
  );
  for (let i = 0; i < 100 && bob.connection !== 'online'; i++) await sleep(50);
  await assert.rejects(bob.send(room.roomId, 'still here?'), NotMemberError);
});
