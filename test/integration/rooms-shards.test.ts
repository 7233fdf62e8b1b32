// Rooms in a fixed set of shard streams (issue 13 §1): many rooms share one stream, so the
// negative authz suite's promise must hold between two rooms of the same shard too — a member of
// one reads nothing of the other, by any JetStream API. Also: "the last N" of a room whose
// sequences are interleaved with another room's, no stream made per room, device consumers that
// are R1 memory cursors, one winner of two creations of one room id, and a shard count that a
// gateway never changes silently. The stack here runs 4 shards, so rooms meet in a shard quickly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { createRoomRequest, roomCursor } from '../../core/client/gateway-api.ts';
import { GatewayDirectory } from '../../core/client/gateway-directory.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { ConflictError, NotMemberError } from '../../core/errors.ts';
import { newRoomId, Room } from '../../core/room/index.ts';
import { deviceConsumerName, StreamLayout } from '../../core/transport/stream-layout.ts';
import { DEFAULT_ORG_ID, DEFAULT_PROJECT_ID, roomSubject } from '../../core/transport/subjects.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { requestRefused, subscribeRefused } from '../helpers/authz.ts';
import { textOf } from '../helpers/messages.ts';
import { nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const SHARDS = 4;
const layout = new StreamLayout(SHARDS);

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway({ roomShards: SHARDS });
});
after(() => stack?.stop());

/** A room of `owner`'s in the same shard as `roomId` (new rooms until one lands there; 1 in 4 does). */
async function roomInShardOf(owner: RoomKeySession, roomId: string, name: string) {
  for (let i = 0; i < 40; i++) {
    const room = await owner.createRoom(`${name} ${i}`);
    if (layout.shardOf(room.roomId) === layout.shardOf(roomId)) return room;
  }
  throw new Error('no room landed in the shard in 40 tries');
}

async function appConnection() {
  return stack.track(
    await wsconnect({
      servers: stack.nats.wsUrl,
      authenticator: credsAuthenticator(readFileSync(stackPaths(stack.nats.stack.dir).gatewayAppCreds)),
    }),
  );
}

test('a member of one room reads nothing of another room in the same shard stream, by any JetStream API', async () => {
  const alice = await stack.signUpSession({ username: 'alice-s' });
  const bob = await stack.signUpSession({ username: 'bob-s' });
  const ours = await alice.createRoom('Ours');
  await alice.invite(ours.roomId, 'bob-s', { shareHistory: true });
  await bob.listRooms();
  const theirs = await roomInShardOf(alice, ours.roomId, 'Alice only');
  const stream = layout.streamOf(ours.roomId);
  assert.equal(layout.streamOf(theirs.roomId), stream, 'both rooms in one shard stream');
  const secret = await alice.send(theirs.roomId, 'only for alice');
  const seen = nextMessage(bob, (m) => m.text === 'for both');
  await alice.send(ours.roomId, 'for both');
  await seen;

  const other = theirs.roomId;
  const sub = await subscribeRefused(bob.nc, roomSubject(other, '>'));
  assert.ok(sub.refused && sub.received === 0, 'subscribe to the other room refused');
  for (const [subject, body] of [
    [`$JS.API.STREAM.INFO.${stream}`, ''],
    [`$JS.API.STREAM.MSG.GET.${stream}`, JSON.stringify({ seq: 1 })],
    [`$JS.API.STREAM.MSG.GET.${stream}`, JSON.stringify({ last_by_subj: roomSubject(other, 'msg') })],
    [`$JS.API.DIRECT.GET.${stream}`, JSON.stringify({ seq: 1 })],
    [`$JS.API.DIRECT.GET.${stream}.${roomSubject(other, 'msg')}`, ''],
    [
      `$JS.API.CONSUMER.CREATE.${stream}`,
      JSON.stringify({ stream_name: stream, config: { ack_policy: 'none' } }),
    ],
    [
      `$JS.API.CONSUMER.CREATE.${stream}.spy.${roomSubject(other, 'msg')}`,
      JSON.stringify({
        stream_name: stream,
        config: { name: 'spy', ack_policy: 'none', filter_subject: roomSubject(other, 'msg') },
      }),
    ],
    [
      `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${deviceConsumerName(bob.deviceNkey, other)}`,
      JSON.stringify({ stream_name: stream, config: { ack_policy: 'none' } }),
    ],
    // The other room's consumer names: Bob's (if he had one) and Alice's, which exists.
    [
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${deviceConsumerName(bob.deviceNkey, other)}`,
      JSON.stringify({ batch: 10 }),
    ],
    [
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${deviceConsumerName(alice.deviceNkey, other)}`,
      JSON.stringify({ batch: 10 }),
    ],
    [`$JS.API.CONSUMER.INFO.${stream}.${deviceConsumerName(alice.deviceNkey, other)}`, ''],
    // And Alice's consumer of the room they share: one device's cursor is not another's.
    [
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${deviceConsumerName(alice.deviceNkey, ours.roomId)}`,
      JSON.stringify({ batch: 10 }),
    ],
  ] as const) {
    const result = await requestRefused(bob.nc, subject, body);
    assert.ok(result.refused, `${subject} ${body} refused by NATS`);
    assert.equal(result.reply, undefined, `no reply to ${subject}`);
  }
  await assert.rejects(roomCursor(bob.nc, { roomId: other, startSeq: 1 }), NotMemberError);

  // His own cursor on the shared stream serves his room only, from its first sequence on.
  const cursor = await roomCursor(bob.nc, { roomId: ours.roomId, startSeq: 1 });
  assert.equal(cursor.stream, stream);
  assert.equal(cursor.consumer, deviceConsumerName(bob.deviceNkey, ours.roomId));
  const history = await bob.history(ours.roomId, { limit: 100 });
  assert.deepEqual(history.map(textOf), ['for both']);
  assert.ok(!history.some((m) => m.messageId === secret.messageId));
  assert.equal(bob.nc.isClosed(), false);
});

test("the last N of a room are its own N newest even when another room's messages fill the shard between them", async () => {
  const alice = await stack.signUpSession({ username: 'alice-n' });
  const mine = await alice.createRoom('Mine');
  const noise = await roomInShardOf(alice, mine.roomId, 'Noise');
  const sent: string[] = [];
  for (let i = 0; i < 12; i++) {
    sent.push(`mine ${i}`);
    await alice.send(mine.roomId, `mine ${i}`);
    for (let j = 0; j < 3; j++) await alice.send(noise.roomId, `noise ${i}.${j}`);
  }
  for (const limit of [1, 5, 11, 12, 50]) {
    const texts = (await alice.history(mine.roomId, { limit })).map(textOf);
    assert.deepEqual(texts, sent.slice(-limit), `limit ${limit}`);
  }
  // With a start sequence: at most N from there, the newest.
  const cursor = await roomCursor(alice.nc, { roomId: mine.roomId, startSeq: 1, last: 4 });
  assert.equal(Number(cursor.pending), 4);
});

test('rooms make no streams of their own; device consumers are in-memory R1 cursors on their room', async () => {
  const app = await appConnection();
  const jsm = await jetstreamManager(app);
  const alice = await stack.signUpSession({ username: 'alice-c' });
  const rooms = [
    await alice.createRoom('One'),
    await alice.createRoom('Two'),
    await alice.createRoom('Three'),
  ];
  for (const room of rooms) await alice.history(room.roomId);
  const names: string[] = [];
  for await (const name of jsm.streams.names()) names.push(name);
  assert.deepEqual(names.sort(), layout.streams().sort(), 'only the shard streams');
  for (const room of rooms) {
    // The live reader places the same consumer again after a history read (delete, then add):
    // look until it is there (bounded).
    const name = deviceConsumerName(alice.deviceNkey, room.roomId);
    let info: Awaited<ReturnType<typeof jsm.consumers.info>> | undefined;
    for (let i = 0; i < 40 && !info; i++) {
      info = await jsm.consumers.info(layout.streamOf(room.roomId), name).catch(() => undefined);
      if (!info) await sleep(50);
    }
    assert.ok(info, `the device's consumer of ${room.name}`);
    assert.equal(info.config.filter_subject, roomSubject(room.roomId, 'msg'));
    assert.equal(info.config.mem_storage, true);
    assert.ok((info.config.num_replicas ?? 0) <= 1, `R1 (${info.config.num_replicas})`);
    assert.equal(info.config.ack_policy, 'none');
  }
  const shard = await jsm.streams.info(layout.streamOf(rooms[0]!.roomId));
  assert.equal(shard.config.deny_delete, true);
  assert.equal(shard.config.deny_purge, true);
  assert.equal(shard.config.allow_direct ?? false, false);
});

test('two creations of one room id: the genesis stored first wins, the other is a ConflictError', async () => {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const member = { userId: user.userId, userKeys: user.keys, device };
  for (let round = 0; round < 3; round++) {
    const roomId = newRoomId();
    const make = () =>
      Room.create({
        me: member,
        directory: new GatewayDirectory(() => me.nc),
        roomId,
        orgId: DEFAULT_ORG_ID,
        projectId: DEFAULT_PROJECT_ID,
        nowMs: Date.now(),
      });
    const [a, b] = [await make(), await make()];
    const results = await Promise.allSettled([
      createRoomRequest(me.nc, a.genesisSigned),
      createRoomRequest(me.nc, b.genesisSigned),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}: one stored`);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.ok(lost?.reason instanceof ConflictError, `round ${round}: ${lost?.reason}`);
  }
});

test("a gateway keeps the deployment's shard count: it adopts it, and refuses to start with another", async () => {
  const adopted = await stack.startGateway({ roomShards: undefined });
  assert.equal(adopted.context.streams.layout.shards, SHARDS);
  await assert.rejects(stack.startGateway({ roomShards: 16 }), (error: Error) => {
    assert.ok(error instanceof ConflictError, `${error}`);
    assert.match(error.message, /4 shard streams.*started with 16.*start it with 4/);
    return true;
  });
  // The refusal changed nothing: the deployment still serves rooms.
  const alice = await stack.signUpSession({ username: 'alice-k' });
  const room = await alice.createRoom('Still fine');
  await alice.send(room.roomId, 'ok');
  assert.deepEqual((await alice.history(room.roomId)).map(textOf), ['ok']);
});
