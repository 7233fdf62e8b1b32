// The outbox (core/client outbox.ts, outbox-sender.ts) against a real nats-server and gateway:
// a message written while the device is offline is kept encrypted in the store (its text is in
// no stored byte), read back by a new sender on the same store (a reload), and sent once the
// device is online again — received exactly once. Every attempt of a kept message uses its one
// message id, so an attempt whose answer was lost and a second attempt store and show it once.
// Alice reaches nats-server through a TCP relay the test can cut. Bound: 60 s.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fromHex } from '../../core/bytes.ts';
import { OutboxSender } from '../../core/client/outbox-sender.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import type { SentMessage, StoredMessage } from '../../core/client/types.ts';
import { UnavailableError } from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { Deliveries, until } from '../helpers/fault-traffic.ts';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';
import { relayedNats } from './helpers/tcp-relay.ts';

let stack: TestStack;
let gateway: GatewayProcess;
before(async () => {
  stack = await startStack();
  gateway = await startGatewayProcess(stack);
});
after(async () => {
  await gateway?.stop();
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function bobFollows(bob: RoomKeySession, roomId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await bob.listRooms()).some((r) => r.roomId === roomId)) return;
    await sleep(50);
  }
  assert.fail('bob does not follow the room');
}

test('written offline, kept encrypted, read back after a reload, sent once online: received once', {
  timeout: 60_000,
}, async (t) => {
  const { relay, servers } = await relayedNats(stack.nats.wsUrl, t);
  const backend = new MemoryBackend();
  const alice = await stack.signUpSession({
    username: 'alice-ob',
    backend,
    config: { ...stack.clientConfig(), servers },
  });
  const bob = await stack.signUpSession({ username: 'bob-ob' });
  const { roomId } = await alice.createRoom('Outbox');
  await alice.invite(roomId, 'bob-ob');
  await bobFollows(bob, roomId);
  const deliveries = new Deliveries(bob, roomId);
  t.after(() => deliveries.stop());
  const atBob: StoredMessage[] = [];
  t.after(bob.on('message', (m) => m.roomId === roomId && atBob.push(m)));
  const hooks = (sent: SentMessage[], changed: string[]) => ({
    me: { userId: alice.userId, username: alice.username },
    onChange: (id: string) => changed.push(id),
    onSent: (m: SentMessage) => sent.push(m),
  });

  relay.cut();
  await until(() => alice.connection !== 'online', 10_000, 'alice noticed she is offline');
  const before = await OutboxSender.open(alice, hooks([], []));
  const text = 'written on the train, no signal';
  await assert.rejects(
    before.send(roomId, text),
    UnavailableError,
    'the attempt fails for want of a connection',
  );
  const [kept] = before.unsent(roomId);
  assert.ok(kept, 'kept as not sent yet');
  assert.equal(kept.status, 'unsent');
  assert.equal(kept.text, text);
  assert.ok(kept.reason.length > 0, 'with a reason for the person');
  before.close();

  // Encrypted at rest: no stored byte holds the text.
  const needle = new TextEncoder().encode('no signal');
  for (const key of await backend.keys()) {
    const value = (await backend.get(key))!;
    assert.ok(!Buffer.from(value).includes(Buffer.from(needle)), `the text is in store record ${key}`);
  }

  // A reload: a new sender reads the outbox back from the store.
  const sent: SentMessage[] = [];
  const changed: string[] = [];
  const after = await OutboxSender.open(alice, hooks(sent, changed));
  assert.deepEqual(
    after.unsent(roomId).map((m) => [m.messageId, m.text]),
    [[kept.messageId, text]],
  );
  relay.restore();
  await until(() => alice.connection === 'online', 20_000, 'alice online again');
  await after.flush();
  assert.equal(sent.length, 1, 'sent once');
  assert.equal(sent[0]!.messageId, kept.messageId, 'with the id it was kept under');
  assert.deepEqual(after.unsent(roomId), [], 'the outbox is empty');
  assert.ok(changed.includes(roomId), 'the views were told');
  assert.deepEqual(await deliveries.waitFor([kept.messageId], 10_000), [], 'bob gets it');
  await after.flush(); // nothing left: nothing more goes out
  await sleep(1500); // a second copy would be here by now
  assert.deepEqual(deliveries.duplicates(), [], 'received once');
  assert.equal(atBob.filter((m) => m.status === 'received' && m.text === text).length, 1);
  after.close();
});

test('a second attempt of one message (its first answer lost) is stored and received once', {
  timeout: 30_000,
}, async (t) => {
  const alice = await stack.signUpSession({ username: 'alice-ob2' });
  const bob = await stack.signUpSession({ username: 'bob-ob2' });
  const { roomId } = await alice.createRoom('Twice');
  await alice.invite(roomId, 'bob-ob2');
  await bobFollows(bob, roomId);
  const deliveries = new Deliveries(bob, roomId);
  t.after(() => deliveries.stop());
  const messageId = fromHex('0f'.repeat(16));
  const first = await alice.send(roomId, 'once only', { messageId, sentAtMs: Date.now() });
  const again = await alice.send(roomId, 'once only', { messageId, sentAtMs: Date.now() });
  assert.equal(again.seq, first.seq, "JetStream's Nats-Msg-Id dedupe: the same stored message");
  assert.deepEqual(await deliveries.waitFor([first.messageId], 10_000), []);
  await sleep(1500);
  assert.deepEqual(deliveries.duplicates(), [], 'received once');
});
