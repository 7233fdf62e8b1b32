// Faults the client rides out: the gateway process `kill -9` while a sender keeps sending, then
// started again. Messages go to JetStream without the gateway, so every acknowledged one is
// delivered exactly once, live; and a gateway request while no gateway runs is refused at once
// (no responders) with an UnavailableError that names the gateway and says what to do, instead
// of waiting out the request timeout twice.
// Bound: 60 s (about 10 s here).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { UnavailableError } from '../../core/errors.ts';
import {
  assertExactlyOnce,
  connectionLog,
  Deliveries,
  faultRoom,
  Sender,
  until,
} from '../helpers/fault-traffic.ts';
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

test('gateway kill -9 during sends: every acknowledged message arrives exactly once; requests fail fast', {
  timeout: 60_000,
}, async (t) => {
  const { sender, receiver, roomId } = await faultRoom(stack, 'gateway');
  const deliveries = new Deliveries(receiver, roomId);
  const receiverStates = connectionLog(receiver);
  const sending = new Sender(sender, roomId, 100);
  t.after(() => sending.stop());
  await until(() => sending.acked.size >= 10, 10_000, 'ten sends before the fault');

  await gateway.kill();
  const ackedAtKill = sending.acked.size;
  // Nothing answers on the gateway's subjects now: the answer comes at once, not after 2 × 2.5 s.
  const asked = Date.now();
  const refused = await receiver.listRooms().then(
    () => undefined,
    (error: Error) => error,
  );
  const tookMs = Date.now() - asked;
  t.diagnostic(`room list with no gateway running: refused after ${tookMs} ms: ${refused?.message}`);
  assert.ok(refused instanceof UnavailableError, `refused as unavailable (${refused?.name})`);
  assert.match(refused.message, /gateway/i, 'names the gateway');
  assert.match(refused.message, /not running|not reachable/i, 'says nothing answers');
  assert.ok(tookMs < 1500, `refused at once (${tookMs} ms)`);

  await until(() => sending.acked.size >= ackedAtKill + 10, 10_000, 'sends go on without the gateway');
  await gateway.restart();
  assert.equal(
    (await receiver.listRooms()).some((r) => r.roomId === roomId),
    true,
    'the gateway answers again',
  );
  const ackedAtRestart = sending.acked.size;
  await until(() => sending.acked.size >= ackedAtRestart + 5, 10_000, 'five sends after the restart');
  await sending.stop();

  await assertExactlyOnce(t, sending, deliveries, 15_000);
  assert.deepEqual(
    sending.failures.map((e) => e.message),
    [],
    'no send needs the gateway',
  );
  assert.ok(!receiverStates.states.some((s) => s.state !== 'online'), 'the NATS connection never dropped');
});
