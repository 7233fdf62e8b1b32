// A sender that has not seen a rotation sends anyway (it was offline while a member rotated the
// key, and its catch-up cannot run: the gateway is down). JetStream stores the message more than
// the replay grace after the rotation's commit, so every receiver refuses it by position. Once the
// sender's catch-up runs it knows both stored times, judges its message by the receivers' rule and
// sends it again in the new epoch: the receiver gets it exactly once, and the sender's host hears
// of the copy that counts. Alice reaches nats-server through a TCP relay the test can cut.
// Bound: 180 s (about 85 s here: the 60 s grace is waited out for real, production settings).
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import type { NatsConnection } from '@nats-io/nats-core';
import type { StoredMessage } from '../../core/client/types.ts';
import { REPLAY_GRACE_MS } from '../../core/room/index.ts';
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

/** Alice (through a relay the test can cut) and Bob in one room, both following it. */
async function resendRoom(t: TestContext, tag: string) {
  const { relay, servers } = await relayedNats(stack.nats.wsUrl, t);
  const alice = await stack.signUpSession({
    username: `alice-${tag}`,
    config: { ...stack.clientConfig(), servers },
  });
  const bob = await stack.signUpSession({ username: `bob-${tag}` });
  const { roomId } = await alice.createRoom('Resend');
  await alice.invite(roomId, `bob-${tag}`);
  let bobKnows = false;
  for (let i = 0; i < 100 && !bobKnows; i++) {
    bobKnows = (await bob.listRooms()).some((r) => r.roomId === roomId);
    if (!bobKnows) await sleep(50);
  }
  assert.ok(bobKnows, 'bob follows the room');
  const deliveries = new Deliveries(bob, roomId);
  t.after(() => deliveries.stop());
  const atBob: StoredMessage[] = [];
  t.after(bob.on('message', (m) => m.roomId === roomId && atBob.push(m)));
  const atAlice: StoredMessage[] = [];
  t.after(alice.on('message', (m) => m.roomId === roomId && atAlice.push(m)));
  return { relay, alice, bob, roomId, deliveries, atBob, atAlice };
}

test('a send during the catch-up after a reconnect waits for it and goes out in the epoch it found', {
  timeout: 60_000,
}, async (t) => {
  const { relay, alice, bob, roomId, deliveries, atBob } = await resendRoom(t, 'rg');
  const first = await alice.send(roomId, 'before the rotation');
  assert.deepEqual(await deliveries.waitFor([first.messageId], 10_000), [], 'the first message arrives');
  relay.cut();
  await until(() => alice.connection !== 'online', 10_000, 'alice noticed she is offline');
  const rotated = await bob.rotate(roomId);
  // Back without a gateway: her catch-up is running (and failing) when she sends.
  await gateway.kill();
  const reconnected = nextStatus(alice.nc, 'reconnect');
  relay.restore();
  await reconnected;
  await sleep(300);
  const sending = alice.send(roomId, 'typed during the catch-up');
  await sleep(500);
  await gateway.restart();
  const sent = await sending;
  assert.equal(sent.epoch, rotated.epoch, 'sent in the epoch the catch-up found, not the one it replaced');
  assert.deepEqual(await deliveries.waitFor([sent.messageId], 10_000), [], 'bob gets it');
  assert.deepEqual(deliveries.duplicates(), []);
  const atBobs = atBob.find((m) => m.messageId === sent.messageId);
  assert.equal(atBobs?.epoch, rotated.epoch, 'encrypted in the epoch the catch-up found');
});

/** Resolves at the connection's next status event of `type`; rejects after `ms`. */
async function nextStatus(nc: NatsConnection, type: string, ms = 15_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${type} within ${ms} ms`)), ms);
  });
  const seen = (async () => {
    for await (const s of nc.status()) if (s.type === type) return;
  })();
  try {
    await Promise.race([seen, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('a message stored past its epoch grace is sent again in the new epoch and received once', {
  timeout: 180_000,
}, async (t) => {
  const { relay, alice, bob, roomId, deliveries, atBob, atAlice } = await resendRoom(t, 'rs');
  const first = await alice.send(roomId, 'before the rotation');
  assert.deepEqual(await deliveries.waitFor([first.messageId], 10_000), [], 'the first message arrives');

  // Alice offline; Bob rotates; the grace passes; the gateway goes down; Alice is back.
  relay.cut();
  await until(() => alice.connection !== 'online', 10_000, 'alice noticed she is offline');
  const rotated = await bob.rotate(roomId);
  assert.equal(rotated.epoch, first.epoch + 1);
  await sleep(REPLAY_GRACE_MS + 3000);
  await gateway.kill();
  relay.restore();

  // Her catch-up cannot read the chain: she sends in the epoch she knows (after the bounded wait).
  const late = await alice.send(roomId, 'after a rotation she had not seen');
  assert.equal(late.epoch, first.epoch, 'sent in the replaced epoch: the case this test is about');
  await sleep(3000);
  assert.equal(deliveries.counts.get(late.messageId), undefined, 'refused by position at bob');

  await gateway.restart();
  const missing = await deliveries.waitFor([late.messageId], 40_000);
  assert.deepEqual(missing, [], 'bob gets the message once alice learned it was refused');
  await sleep(3000); // a second copy would be here by now
  assert.deepEqual(deliveries.duplicates(), [], 'bob shows it once');
  const shown = atBob.find((m) => m.status === 'received' && m.messageId === late.messageId);
  assert.equal(shown?.status === 'received' && shown.text, 'after a rotation she had not seen');
  assert.equal(shown?.epoch, rotated.epoch, 'the copy that counts is in the new epoch');
  const resent = atAlice.find((m) => m.status === 'sent' && m.messageId === late.messageId);
  assert.ok(resent, "alice's host hears of the copy that was stored again");
  assert.equal(resent.epoch, rotated.epoch);
  assert.ok(resent.seq > late.seq, 'stored again, after the refused copy');
  // Both copies are stored under the one id; a history read shows the one that counts.
  for (const [who, session] of [
    ['bob', bob],
    ['alice', alice],
  ] as const) {
    const rows = (await session.history(roomId)).filter((m) => m.messageId === late.messageId);
    assert.deepEqual(
      rows.map((m) => [m.seq, m.epoch]),
      [[resent.seq, rotated.epoch]],
      `${who}'s history shows it once`,
    );
  }
  t.diagnostic(`refused copy seq ${late.seq} (epoch ${late.epoch}), sent again as seq ${resent.seq}`);
});
