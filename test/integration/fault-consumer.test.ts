// Faults the client rides out: the receiver's consumers (R1, in memory: they vanish with their
// node) deleted from under its live readers while a sender keeps sending, three times. Each
// reader places its consumer again through the gateway, after the last sequence it delivered:
// every acknowledged message arrives exactly once. Consumer names come from the server's own
// core/transport's naming (deviceConsumerName), found on whichever stream holds them.
// Bound: 60 s (about 10 s here).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { deviceConsumerName } from '../../core/transport/stream-layout.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { Deliveries, faultRoom, Sender, until } from '../helpers/fault-traffic.ts';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

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

test('consumers deleted under the live readers: every acknowledged message arrives exactly once', {
  timeout: 60_000,
}, async (t) => {
  const { sender, receiver, roomId } = await faultRoom(stack, 'consumer');
  const deliveries = new Deliveries(receiver, roomId);
  const sending = new Sender(sender, roomId, 100);
  t.after(() => sending.stop());
  // What the server side sees: the app account, where room streams and consumers live.
  const app = stack.track(
    await wsconnect({
      servers: stack.nats.wsUrl,
      authenticator: credsAuthenticator(readFileSync(stackPaths(stack.nats.stack.dir).gatewayAppCreds)),
    }),
  );
  const jsm = await jetstreamManager(app);
  const mine = deviceConsumerName(receiver.deviceNkey, roomId);
  const deleteReceiverConsumers = async (): Promise<number> => {
    let deleted = 0;
    for await (const stream of jsm.streams.list()) {
      for await (const consumer of jsm.consumers.list(stream.config.name)) {
        if (consumer.name !== mine) continue;
        await jsm.consumers.delete(stream.config.name, consumer.name).catch(() => false);
        deleted++;
      }
    }
    return deleted;
  };

  let deleted = 0;
  for (let round = 1; round <= 3; round++) {
    const acked = sending.acked.size;
    await until(() => sending.acked.size >= acked + 10, 10_000, `ten sends before deletion ${round}`);
    // Placed again by then (after a deletion the reader waits a moment first: see live-reader.ts).
    for (let i = 0; i < 100; i++) {
      const now = await deleteReceiverConsumers();
      deleted += now;
      if (now > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const ackedNow = sending.acked.size;
  await until(() => sending.acked.size >= ackedNow + 10, 10_000, 'ten sends after the last deletion');
  await sending.stop();

  const missing = await deliveries.waitFor(sending.acked.keys(), 20_000);
  deliveries.stop();
  t.diagnostic(
    `${deleted} consumers deleted; ${sending.acked.size} acknowledged, ${deliveries.counts.size} delivered`,
  );
  assert.ok(deleted >= 3, `the receiver's consumer was deleted each time (${deleted})`);
  assert.deepEqual(missing, [], 'every acknowledged message delivered');
  assert.deepEqual(deliveries.duplicates(), [], 'none delivered twice');
});
