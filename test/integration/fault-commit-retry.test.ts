// A membership change whose reply is lost (a node killed, a link cut after the gateway stored it)
// is sent again, and the gateway answers the same commit the same way: not "this room is at epoch
// N" for the change it stored itself. The lost reply is made on purpose: Alice reaches nats-server
// through a TCP relay that stops passing the server's bytes, then is cut once the gateway has
// stored her commit (seen by Carol), so the reply went to a connection that no longer exists.
// Bound: ~25 s (one request timeout of 2.5 s, one reconnect, eight small rooms).
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { after, before, test } from 'node:test';
import { commitRequest, createRoomRequest } from '../../core/client/gateway-api.ts';
import { GatewayDirectory } from '../../core/client/gateway-directory.ts';
import { ConflictError } from '../../core/errors.ts';
import { newRoomId, Room } from '../../core/room/index.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the same commit sent twice gets the same answer; another commit for that epoch is still refused', async () => {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const bob = await stack.registerUser();
  const room = await Room.create({
    me: { userId: user.userId, userKeys: user.keys, device },
    directory: new GatewayDirectory(() => me.nc),
    roomId: newRoomId(),
    orgId: 'default',
    projectId: 'default',
    nowMs: Date.now(),
  });
  await createRoomRequest(me.nc, room.genesisSigned);
  const add = await room.add([bob.user.userId], { nowMs: Date.now() });
  const rival = await room.rotate({ nowMs: Date.now() }); // built on the same epoch 0

  const first = await commitRequest(me.nc, room.roomId, add);
  const again = await commitRequest(me.nc, room.roomId, add);
  assert.deepEqual(
    { epoch: again.epoch, seq: Number(again.seq) },
    { epoch: first.epoch, seq: Number(first.seq) },
  );
  await assert.rejects(commitRequest(me.nc, room.roomId, rival), ConflictError);
});

test('the same commit sent twice at once through two gateways: both copies get the one answer', async () => {
  await stack.startGateway(); // a second gateway: the two copies may each go to another one
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const answers: string[] = [];
  for (let i = 0; i < 8; i++) {
    const room = await Room.create({
      me: { userId: user.userId, userKeys: user.keys, device },
      directory: new GatewayDirectory(() => me.nc),
      roomId: newRoomId(),
      orgId: 'default',
      projectId: 'default',
      nowMs: Date.now(),
    });
    await createRoomRequest(me.nc, room.genesisSigned);
    const rotate = await room.rotate({ nowMs: Date.now() });
    const both = await Promise.allSettled([
      commitRequest(me.nc, room.roomId, rotate),
      commitRequest(me.nc, room.roomId, rotate),
    ]);
    const [a, b] = both.map((r) =>
      r.status === 'fulfilled' ? `epoch ${r.value.epoch} seq ${r.value.seq}` : String(r.reason),
    );
    answers.push(a === b ? 'same' : `${a} / ${b}`);
  }
  assert.deepEqual(answers, Array(8).fill('same'));
});

test('a removal whose reply was lost is sent again through the reconnect and stored once', async () => {
  const relay = await tcpRelay(Number(new URL(stack.nats.wsUrl).port));
  after(() => relay.close());
  const wsUrl = new URL(stack.nats.wsUrl);
  wsUrl.port = String(relay.port);
  const tag = `${process.pid}x${Date.now() % 100_000}`;
  const alice = await stack.signUpSession({
    username: `alice-retry-${tag}`,
    config: { ...stack.clientConfig(), servers: wsUrl.toString().replace(/\/$/, '') },
  });
  const bob = await stack.signUpSession({ username: `bob-retry-${tag}` });
  const carol = await stack.signUpSession({ username: `carol-retry-${tag}` }); // sees the commits
  const { roomId } = await alice.createRoom('Retry');
  await alice.invite(roomId, `bob-retry-${tag}`);
  await alice.invite(roomId, `carol-retry-${tag}`);
  await epochSeenBy(carol, roomId, 2);

  relay.mute(); // the server's answers stop reaching Alice
  const removed = alice.removeMember(roomId, bob.userId);
  removed.catch(() => undefined); // awaited below
  await epochSeenBy(carol, roomId, 3); // the gateway stored the removal
  relay.cut(); // its reply went to a connection that is gone
  relay.restore();

  const summary = await removed;
  assert.deepEqual(summary.members.map((m) => m.userId).sort(), [alice.userId, carol.userId].sort());
  assert.equal(summary.epoch, 3, 'the removal stored once, not a second commit built on it');
});

/** Waits (bounded) until `session` follows `roomId` at `epoch`. */
async function epochSeenBy(
  session: Awaited<ReturnType<TestStack['signUpSession']>>,
  roomId: string,
  epoch: number,
): Promise<void> {
  let seen = -1;
  for (let i = 0; i < 200 && seen < epoch; i++) {
    seen = (await session.listRooms()).find((r) => r.roomId === roomId)?.epoch ?? -1;
    if (seen < epoch) await sleep(50);
  }
  assert.equal(seen, epoch, `the room reached epoch ${epoch}`);
}

/** A TCP relay to nats-server that can stop passing the server's bytes, and cut every link. */
async function tcpRelay(target: number) {
  const sockets = new Set<Socket>();
  let open = true;
  let muted = false;
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = tcpConnect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!muted) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    mute() {
      muted = true;
    },
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
      muted = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
