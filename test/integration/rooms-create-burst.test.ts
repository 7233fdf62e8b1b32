// Room creations in a burst (issue 13 §1: ≥ 2,000 rooms/s means many creations in flight). One
// user's many creations at once land in the user's room list in batches (one compare-and-set per
// batch, not a read, a write and a lost race per room); over two gateways, whose remembered list
// revisions go stale, nothing is lost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { createRoomRequest, roomList } from '../../core/client/gateway-api.ts';
import { GatewayDirectory } from '../../core/client/gateway-directory.ts';
import { newRoomId, Room } from '../../core/room/index.ts';
import { DEFAULT_ORG_ID, DEFAULT_PROJECT_ID } from '../../core/transport/subjects.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

type Me = Awaited<ReturnType<TestStack['registerUser']>> & { nc: NatsConnection };

async function member(): Promise<Me> {
  const registered = await stack.registerUser();
  const { nc } = await stack.logInDevice(registered.user, registered.device);
  return { ...registered, nc };
}

/** Signed geneses of `count` new rooms of `me` (client side only: nothing is sent yet). */
function geneses(me: Me, count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const room = await Room.create({
        me: { userId: me.user.userId, userKeys: me.user.keys, device: me.device },
        directory: new GatewayDirectory(() => me.nc),
        roomId: newRoomId(),
        orgId: DEFAULT_ORG_ID,
        projectId: DEFAULT_PROJECT_ID,
        nowMs: Date.now(),
      });
      return room.genesisSigned;
    }),
  );
}

/** Last sequence of the user-rooms bucket's stream: each stored write of any list adds one. */
async function userRoomsWrites(): Promise<number> {
  const jsm = await jetstreamManager(await stack.adminConnection());
  return (await jsm.streams.info('KV_rk_user_rooms')).state.last_seq;
}

test('one user creating 40 rooms at once: every room in the list, written in batches', async () => {
  const me = await member();
  const signed = await geneses(me, 40);
  const before = await userRoomsWrites();
  const created = await Promise.all(signed.map((genesis) => createRoomRequest(me.nc, genesis)));
  const writes = (await userRoomsWrites()) - before;
  const { rooms } = await roomList(me.nc);
  const listed = new Set(rooms.map((r) => r.roomId));
  for (const { roomId } of created) assert.ok(listed.has(roomId), `room ${roomId} is in the list`);
  assert.equal(listed.size, 40);
  // One write per room before: a read, a compare-and-set and, in a burst, lost races.
  assert.ok(writes <= 20, `40 rooms cost ${writes} list writes (at most 20 expected)`);
});

test('over two gateways at once nothing is lost from the list (remembered revisions go stale)', async () => {
  const second = await stack.startGateway();
  try {
    const me = await member();
    // Rounds: each gateway remembers the revision it wrote last, which the other one then changes.
    const all: string[] = [];
    for (let round = 0; round < 4; round++) {
      const signed = await geneses(me, 12);
      const created = await Promise.all(signed.map((genesis) => createRoomRequest(me.nc, genesis)));
      all.push(...created.map((c) => c.roomId));
    }
    assert.ok(second.stats().answered > 0, 'the second gateway answered some creations');
    const { rooms } = await roomList(me.nc);
    assert.deepEqual(new Set(rooms.map((r) => r.roomId)), new Set(all));
  } finally {
    await second.stop();
    stack.gateways.splice(stack.gateways.indexOf(second), 1);
  }
});
