// Negative authorization: NATS itself (the device JWT's permissions) or the gateway (a typed
// error) stops everyone who may not read a room — an outsider, a removed member, a guest asking
// for history from before they joined — and none of them receives any byte of the room's messages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { toHex } from '../../core/bytes.ts';
import { roomCommits, roomCursor, setPolicy } from '../../core/client/gateway-api.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { parseEnvelope } from '../../core/crypto/index.ts';
import { ForbiddenError, NotMemberError } from '../../core/errors.ts';
import { Role } from '../../core/policy/index.ts';
import {
  DEFAULT_ROOM_SHARDS,
  deviceConsumerName,
  roomStreamName as shardStream,
} from '../../core/transport/stream-layout.ts';
import { roomSubject } from '../../core/transport/subjects.ts';
import { publishRefused, requestRefused, subscribeRefused } from '../helpers/authz.ts';
import { textOf } from '../helpers/messages.ts';
import { nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

/** The shard stream of a room in this stack (the gateway runs with the default shard count). */
const roomStreamName = (roomId: string) => shardStream(roomId, DEFAULT_ROOM_SHARDS);

/** Every way at a room's stream and subjects, each of which NATS must refuse for `session`. */
async function assertLockedOut(session: RoomKeySession, roomId: string, what: string): Promise<void> {
  const nc = session.nc;
  const stream = roomStreamName(roomId);
  const sub = await subscribeRefused(nc, roomSubject(roomId, '>'));
  assert.ok(sub.refused, `${what}: subscribe refused`);
  assert.equal(sub.received, 0, `${what}: nothing received`);
  assert.ok(await publishRefused(nc, roomSubject(roomId, 'msg')), `${what}: publish .msg refused`);
  assert.ok(await publishRefused(nc, roomSubject(roomId, 'commit')), `${what}: publish .commit refused`);
  for (const [subject, body] of [
    [`$JS.API.STREAM.INFO.${stream}`, ''],
    [`$JS.API.STREAM.MSG.GET.${stream}`, JSON.stringify({ seq: 1 })],
    [
      `$JS.API.CONSUMER.CREATE.${stream}`,
      JSON.stringify({ stream_name: stream, config: { ack_policy: 'none' } }),
    ],
    [
      `$JS.API.CONSUMER.CREATE.${stream}.spy.${roomSubject(roomId, 'msg')}`,
      JSON.stringify({ stream_name: stream, config: { name: 'spy', ack_policy: 'none' } }),
    ],
    [
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${deviceConsumerName(session.deviceNkey, roomId)}`,
      JSON.stringify({ batch: 10 }),
    ],
    [`$JS.API.DIRECT.GET.${stream}`, JSON.stringify({ seq: 1 })],
  ] as const) {
    const result = await requestRefused(nc, subject, body);
    assert.ok(result.refused, `${what}: ${subject} refused by NATS`);
    assert.equal(result.reply, undefined, `${what}: no reply to ${subject}`);
  }
  await assert.rejects(roomCursor(nc, { roomId, startSeq: 1 }), NotMemberError, `${what}: no cursor`);
  assert.equal(nc.isClosed(), false, 'permission errors leave the connection up');
}

test('an outsider cannot subscribe, publish, consume, get or inspect a room', async () => {
  const alice = await stack.signUpSession({ username: 'alice-a' });
  const mallory = await stack.signUpSession({ username: 'mallory-a' });
  const room = await alice.createRoom('Private');
  await alice.send(room.roomId, 'for members only');
  await assertLockedOut(mallory, room.roomId, 'outsider');
  await assert.rejects(roomCommits(mallory.nc, { roomId: room.roomId, fromEpoch: 0 }), NotMemberError);
  await assert.rejects(mallory.send(room.roomId, 'hi'), /No such room|not a member/i);
});

test('members publish envelopes but never commits or consumers of their own', async () => {
  const alice = await stack.signUpSession({ username: 'alice-b' });
  const room = await alice.createRoom('Own');
  const stream = roomStreamName(room.roomId);
  assert.ok(
    await publishRefused(alice.nc, roomSubject(room.roomId, 'commit')),
    'commits go through the gateway',
  );
  const create = await requestRefused(
    alice.nc,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    JSON.stringify({
      stream_name: stream,
      config: { ack_policy: 'none', deliver_subject: `_RK_INBOX.${alice.deviceNkey}.x` },
    }),
  );
  assert.ok(create.refused, 'no push consumer a member could keep after removal');
  for (const subject of [
    `$JS.API.STREAM.DELETE.${stream}`,
    `$JS.API.STREAM.PURGE.${stream}`,
    '$JS.API.STREAM.LIST',
  ]) {
    assert.ok((await requestRefused(alice.nc, subject)).refused, `${subject} refused`);
  }
});

test('a removed member is cut off at once, gets a fresh JWT, and reads nothing more of the room', async () => {
  const alice = await stack.signUpSession({ username: 'alice-r' });
  const bob = await stack.signUpSession({ username: 'bob-r' });
  const one = await alice.createRoom('Room one');
  const two = await alice.createRoom('Room two');
  await alice.invite(one.roomId, 'bob-r');
  await alice.invite(two.roomId, 'bob-r');
  await bob.listRooms();
  const first = nextMessage(bob, (m) => m.text === 'before removal');
  await alice.send(one.roomId, 'before removal');
  await first;

  // Bob also listens on the raw subject, to see every byte NATS would give him.
  const raw: { subject: string; data: Uint8Array }[] = [];
  bob.nc.subscribe(roomSubject(one.roomId, '>'), {
    callback: (error, m) => {
      if (!error) raw.push({ subject: m.subject, data: m.data });
    },
  });
  await bob.nc.flush();
  const states: string[] = [];
  bob.on('connection', (s) => states.push(s));
  const serverErrors: string[] = [];
  void (async () => {
    for await (const s of bob.nc.status()) {
      if (s.type === 'error') serverErrors.push(String((s as { error?: Error }).error?.message));
    }
  })();
  const events: string[] = [];
  bob.on('message', (m) => events.push(textOf(m)));

  await alice.removeMember(one.roomId, bob.userId);
  // NATS cut Bob's JWT off; his device got a fresh one through the login credential.
  for (let i = 0; i < 100 && !(states.includes('reconnecting') && bob.connection === 'online'); i++)
    await sleep(50);
  assert.ok(states.includes('reconnecting'), `cut off (states: ${states.join(',')})`);
  assert.ok(
    serverErrors.some((e) => /revoked/i.test(e)),
    `NATS closed the connection of the old JWT itself (errors: ${serverErrors.join(' | ')})`,
  );
  assert.equal(bob.connection, 'online', 'back online with a fresh JWT');
  const rawBefore = raw.length;

  const secret = await alice.send(one.roomId, 'after removal: not for bob');
  await sleep(300);
  await assertLockedOut(bob, one.roomId, 'removed member');
  assert.equal(raw.length, rawBefore, 'no byte of the room after the removal');
  for (const m of raw.filter((r) => r.subject.endsWith('.msg'))) {
    assert.notEqual(toHex(parseEnvelope(m.data).header.messageId), secret.messageId);
  }
  assert.ok(!events.includes('after removal: not for bob'));
  const chain = await roomCommits(bob.nc, { roomId: one.roomId, fromEpoch: 0 });
  assert.equal(chain.latestEpoch, 2, 'the chain up to his removal (genesis, add, remove), nothing after');
  await assert.rejects(bob.send(one.roomId, 'still here?'), NotMemberError);
  const summary = (await bob.listRooms()).find((r) => r.roomId === one.roomId);
  assert.equal(summary?.status, 'removed');

  // His other room is untouched: the fresh JWT still covers it.
  const inTwo = nextMessage(bob, (m) => m.text === 'room two still works');
  await alice.send(two.roomId, 'room two still works');
  await inTwo;
  const back = nextMessage(alice, (m) => m.text === 'yes it does');
  await bob.send(two.roomId, 'yes it does');
  await back;
});

test('a guest cannot read history from before joining where policy forbids it', async () => {
  const alice = await stack.signUpSession({ username: 'alice-g' });
  const gina = await stack.signUpSession({ username: 'gina-g' });
  const mia = await stack.signUpSession({ username: 'mia-g' });
  const orgId = `acme${Date.now()}`;
  await setPolicy(alice.nc, { org: { orgId, rules: {}, grants: [] } }); // Alice makes the org: owner
  await setPolicy(alice.nc, {
    project: {
      orgId,
      projectId: 'p1',
      rules: { createRoom: Role.member, readPreJoinHistory: Role.member },
      grants: [
        { userId: gina.userId, role: Role.guest },
        { userId: mia.userId, role: Role.member },
      ],
    },
  });
  // Gina (a guest) may not change the project's policy.
  await assert.rejects(
    setPolicy(gina.nc, {
      project: { orgId, projectId: 'p1', rules: {}, grants: [{ userId: gina.userId, role: Role.owner }] },
    }),
    ForbiddenError,
  );
  const room = await alice.createRoom('Board', { orgId, projectId: 'p1' });
  const before = [];
  for (let i = 1; i <= 3; i++) before.push(await alice.send(room.roomId, `before ${i}`));
  // History keys are even shared with both: only NATS and policy stand between Gina and them.
  await alice.invite(room.roomId, 'gina-g', { shareHistory: true });
  await alice.invite(room.roomId, 'mia-g', { shareHistory: true });
  await alice.send(room.roomId, 'after 1');
  await gina.listRooms();
  await mia.listRooms();

  assert.deepEqual((await gina.history(room.roomId, { limit: 100 })).map(textOf), ['after 1']);
  assert.deepEqual((await mia.history(room.roomId, { limit: 100 })).map(textOf), [
    'before 1',
    'before 2',
    'before 3',
    'after 1',
  ]);

  // Asking for sequence 1 explicitly: the gateway clamps to her join sequence.
  const cursor = await roomCursor(gina.nc, { roomId: room.roomId, startSeq: 1 });
  assert.ok(Number(cursor.floorSeq) > 1 && Number(cursor.startSeq) === Number(cursor.floorSeq));
  assert.equal(Number(cursor.pending), 1);
  const consumer = await jetstream(gina.nc).consumers.get(cursor.stream, cursor.consumer);
  const got: Uint8Array[] = [];
  for await (const m of await consumer.fetch({ max_messages: 10, expires: 1000 })) got.push(m.data);
  const ids = got.map((d) => toHex(parseEnvelope(d).header.messageId));
  assert.equal(ids.length, 1);
  for (const b of before) assert.ok(!ids.includes(b.messageId), 'no pre-join envelope');
  // Random access by sequence is not hers either.
  const get = await requestRefused(
    gina.nc,
    `$JS.API.STREAM.MSG.GET.${roomStreamName(room.roomId)}`,
    JSON.stringify({ seq: 2 }),
  );
  assert.ok(get.refused && get.reply === undefined, 'MSG.GET refused by NATS');
  const info = await requestRefused(gina.nc, `$JS.API.STREAM.INFO.${roomStreamName(room.roomId)}`);
  assert.ok(info.refused, 'STREAM.INFO refused by NATS');
});
