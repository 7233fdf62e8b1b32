// Epoch commits are ordered by JetStream's expected-last-subject-sequence: of two commits built
// on the same parent exactly one is stored and the other gets a ConflictError — also when two
// gateways handle them. The SDK rebuilds a lost change on the winner. Gateways keep no room state:
// a restart mid-session, or two at once, changes nothing for clients.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { commitRequest, createRoomRequest, roomCommits, setPolicy } from '../../core/client/gateway-api.ts';
import { GatewayDirectory } from '../../core/client/gateway-directory.ts';
import { ConflictError, UnavailableError } from '../../core/errors.ts';
import { Role } from '../../core/policy/index.ts';
import { type LocalMember, newRoomId, Room } from '../../core/room/index.ts';
import { DEFAULT_ORG_ID, DEFAULT_PROJECT_ID } from '../../core/transport/subjects.ts';
import { textOf } from '../helpers/messages.ts';
import { nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
});
after(() => stack?.stop());

async function rawMember() {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const member: LocalMember = {
    userId: user.userId,
    userKeys: user.keys,
    device: { secretKey: device.secretKey, publicKey: device.publicKey },
  };
  return { member, nc: me.nc, directory: new GatewayDirectory(() => me.nc) };
}

test('two commits on the same parent: one wins, the other is a ConflictError (two gateways)', async () => {
  const first = await stack.startGateway();
  const second = await stack.startGateway();
  const { member, nc, directory } = await rawMember();
  const room = await Room.create({
    me: member,
    directory,
    roomId: newRoomId(),
    orgId: DEFAULT_ORG_ID,
    projectId: DEFAULT_PROJECT_ID,
    nowMs: Date.now(),
  });
  await createRoomRequest(nc, room.genesisSigned);
  for (let round = 0; round < 6; round++) {
    const a = await room.rotate({ nowMs: Date.now() });
    const b = await room.rename({ name: `round ${round}` }, { nowMs: Date.now() });
    const results = await Promise.allSettled([
      commitRequest(nc, room.roomId, a),
      commitRequest(nc, room.roomId, b),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, `round ${round}: exactly one stored`);
    assert.ok(lost[0]?.reason instanceof ConflictError, `round ${round}: ${lost[0]?.reason}`);
    await room.applyCommit(results[0]!.status === 'fulfilled' ? a : b);
  }
  // The chain the gateway serves is the one this device built: one commit per epoch.
  const chain = await roomCommits(nc, { roomId: room.roomId, fromEpoch: 0 });
  assert.equal(chain.latestEpoch, 6);
  assert.equal(chain.chain.length, 7);
  assert.ok(first.stats().answered > 0 && second.stats().answered > 0, 'both gateways served');
});

test('two admins inviting at once: the SDK rebuilds the loser on the winner, both get in', async () => {
  const alice = await stack.signUpSession({ username: 'alice-c' });
  const bob = await stack.signUpSession({ username: 'bob-c' });
  await stack.signUpSession({ username: 'carol-c' });
  await stack.signUpSession({ username: 'dave-c' });
  const room = await alice.createRoom('Busy');
  await alice.invite(room.roomId, 'bob-c');
  const policy = { orgId: DEFAULT_ORG_ID, projectId: DEFAULT_PROJECT_ID, roomId: room.roomId, rules: {} };
  await setPolicy(alice.nc, {
    room: {
      ...policy,
      grants: [
        { userId: alice.userId, role: Role.owner },
        { userId: bob.userId, role: Role.admin },
      ],
    },
  });
  await bob.listRooms();
  await Promise.all([alice.invite(room.roomId, 'carol-c'), bob.invite(room.roomId, 'dave-c')]);
  const rooms = await alice.listRooms();
  const members = rooms
    .find((r) => r.roomId === room.roomId)
    ?.members.map((m) => m.username)
    .sort();
  assert.deepEqual(members, ['alice-c', 'bob-c', 'carol-c', 'dave-c']);
});

test('a gateway restart mid-session: messages keep flowing, room changes wait for a gateway', async () => {
  const alice = await stack.signUpSession({ username: 'alice-s' });
  const bob = await stack.signUpSession({ username: 'bob-s' });
  await stack.signUpSession({ username: 'carol-s' });
  const room = await alice.createRoom('Resilient');
  await alice.invite(room.roomId, 'bob-s');
  await bob.listRooms();

  await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
  // Envelopes go member to member through NATS: no gateway needed.
  const during = nextMessage(bob, (m) => m.text === 'no gateway here');
  await alice.send(room.roomId, 'no gateway here');
  await during;
  await assert.rejects(alice.invite(room.roomId, 'carol-s'), UnavailableError);

  await stack.startGateway(); // a new instance, nothing carried over
  await stack.startGateway(); // and a second one beside it
  const invited = await alice.invite(room.roomId, 'carol-s');
  assert.equal(invited.members.length, 3);
  const history = await bob.history(room.roomId, { limit: 10 });
  assert.deepEqual(history.map(textOf), ['no gateway here']);
  const after = nextMessage(alice, (m) => m.text === 'gateways are back');
  await bob.send(room.roomId, 'gateways are back');
  await after;
});
