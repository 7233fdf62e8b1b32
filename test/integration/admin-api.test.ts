// The admin console's requests (core/client AdminApi, used by <roomkey-admin> and
// `roomkey-gateway admin`) against a real nats-server and gateway: an owner makes an org and a
// project, grants roles, sets rules and reads the effective policy with its reasons; a member, an
// admin and an outsider are refused each request their role does not allow.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AdminApi } from '../../core/client/admin-api.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.ts';
import { Role } from '../../core/policy/index.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

const adminOf = (session: RoomKeySession) => new AdminApi(() => session.nc, { timeoutMs: 3000 });

async function people(tag: string) {
  // One after another: four OPAQUE sign-ups at once can outlast a request timeout on a busy machine.
  const signUp = (name: string) => stack.signUpSession({ username: `${name}-${tag}` });
  const alice = await signUp('alice');
  const bob = await signUp('bob');
  const carol = await signUp('carol');
  const dave = await signUp('dave');
  return { alice, bob, carol, dave };
}

test('an owner makes an org and a project, grants roles, sets rules and sees why a rule denies', async () => {
  const { alice, bob, carol } = await people('a');
  const admin = adminOf(alice);
  const orgId = `acme${Date.now()}`;
  const org = await admin.createOrg(orgId);
  assert.deepEqual(org.grants, [{ userId: alice.userId, role: Role.owner }], 'the creator owns the org');
  await assert.rejects(admin.createOrg(orgId), ConflictError, 'an existing org is not made again');
  await admin.createProject(orgId, 'web');
  await assert.rejects(admin.createProject(orgId, 'web'), ConflictError);

  const project = { level: 'project', orgId, projectId: 'web' } as const;
  assert.equal(await admin.userIdOf(`bob-a`), bob.userId);
  await admin.grant(project, bob.userId, Role.member);
  await admin.grant({ level: 'org', orgId }, carol.userId, Role.admin);
  const rules = await admin.setRules(project, { invite: Role.admin, rotateEverySeconds: 3600 });
  assert.equal(rules.rules.invite, Role.admin);
  assert.deepEqual(
    rules.grants,
    [{ userId: bob.userId, role: Role.member }],
    'grants kept by a rules change',
  );
  assert.equal(await admin.usernameOf(bob.userId), 'bob-a');

  // Bob sees his own rules at the project, with the level and the reason.
  const mine = await adminOf(bob).explain(project);
  assert.equal(mine.role, Role.member);
  assert.equal(mine.roleLevel, 'project');
  const invite = mine.rules.find((r) => r.action === 'invite');
  assert.equal(invite?.allowed, false);
  assert.equal(invite?.level, 'project');
  assert.equal(invite?.reason, 'denied by the project rule invite: admin or above (you are member)');
  const create = mine.rules.find((r) => r.action === 'create_room');
  assert.equal(create?.allowed, true);
  assert.equal(create?.level, 'default');
  assert.equal(Number(mine.rotateEveryS), 3600);
  assert.equal(mine.rotateLevel, 'project');

  // At a room: a room rule stricter than the project's wins, and says so.
  const room = await alice.createRoom('Board', { orgId, projectId: 'web' });
  await admin.setRules({ level: 'room', roomId: room.roomId }, { 'read-history': Role.admin });
  const atRoom = await adminOf(carol).explain({ level: 'room', roomId: room.roomId }, bob.userId);
  assert.equal(atRoom.userId, bob.userId);
  const history = atRoom.rules.find((r) => r.action === 'read_pre_join_history');
  assert.equal(
    history?.reason,
    'denied by the room rule read_pre_join_history: admin or above (this user is member)',
  );
  const carolsOwn = await adminOf(carol).explain({ level: 'room', roomId: room.roomId });
  assert.equal(carolsOwn.roleLevel, 'org', "carol's admin role comes from the org");
  assert.ok(carolsOwn.rules.every((r) => r.allowed));

  // Taking a grant away.
  await admin.grant(project, bob.userId, Role.none);
  assert.deepEqual((await admin.level(project)).grants, []);
  await assert.rejects(adminOf(bob).explain(project), ForbiddenError, 'no role left: nothing to see');
});

test('each admin request is refused to a role that does not allow it', async () => {
  const { alice, bob, carol, dave } = await people('n');
  const admin = adminOf(alice);
  const orgId = `neg${Date.now()}`;
  const org = { level: 'org', orgId } as const;
  const project = { level: 'project', orgId, projectId: 'p1' } as const;
  await admin.createOrg(orgId);
  await admin.createProject(orgId, 'p1');
  await admin.grant(project, bob.userId, Role.member);
  await admin.grant(org, carol.userId, Role.admin);
  const room = await alice.createRoom('R', { orgId, projectId: 'p1' });
  const roomTarget = { level: 'room', roomId: room.roomId } as const;

  // A member: may read the chain and his own rules, change nothing.
  const member = adminOf(bob);
  assert.ok((await member.chain(project)).project, 'a member reads the policy he is under');
  await assert.rejects(member.write(org, { rules: {}, grants: [] }), ForbiddenError, 'admin.org');
  await assert.rejects(member.grant(project, bob.userId, Role.admin), ForbiddenError, 'admin.project');
  await assert.rejects(
    member.setRules(project, { invite: Role.member }),
    ForbiddenError,
    'admin.project rules',
  );
  await assert.rejects(member.setRules(roomTarget, { invite: Role.member }), ForbiddenError, 'admin.room');
  await assert.rejects(member.createProject(orgId, 'p2'), ForbiddenError, 'admin.project create');
  await assert.rejects(member.explain(project, carol.userId), ForbiddenError, "another user's rules");

  // An admin (not owner): may change rules and grants, not the owner role.
  const orgAdmin = adminOf(carol);
  await orgAdmin.setRules(project, { remove: Role.owner });
  await assert.rejects(
    orgAdmin.grant(org, carol.userId, Role.owner),
    ForbiddenError,
    'owner granted by an admin',
  );
  await assert.rejects(
    orgAdmin.grant(org, alice.userId, Role.none),
    ForbiddenError,
    'owner taken away by an admin',
  );

  // An outsider: nothing at all, not even reading.
  const outsider = adminOf(dave);
  await assert.rejects(outsider.chain(org), ForbiddenError, 'admin.get');
  await assert.rejects(outsider.explain(project), ForbiddenError, 'admin.explain');
  await assert.rejects(outsider.explain(roomTarget), ForbiddenError, 'admin.explain at a room');
  await assert.rejects(outsider.write(org, { rules: {}, grants: [] }), ForbiddenError, 'admin.org');
  await assert.rejects(outsider.setRules(roomTarget, { invite: Role.guest }), ForbiddenError, 'admin.room');
  await assert.rejects(outsider.createOrg(orgId), ConflictError, 'an org he cannot see still exists');

  // The last owner cannot leave the org without one.
  await assert.rejects(admin.grant(org, alice.userId, Role.none), ConflictError);
  await assert.rejects(admin.explain({ level: 'project', orgId, projectId: 'nope' }), NotFoundError);
});
