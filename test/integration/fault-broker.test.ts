// Faults the client rides out: nats-server `kill -9` while a sender keeps sending, down for a few
// seconds, then restarted on the same ports and store. Every message JetStream acknowledged is
// delivered exactly once to the other member, live; the sends that failed meanwhile blame the
// NATS server (JetStream), and a gateway request the connection, not the gateway; both clients
// reconnect by themselves (time printed).
// Bound: 60 s (about 15 s here).
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

const DOWN_MS = 3500;

test('broker kill -9 and restart during sends: every acknowledged message arrives exactly once', {
  timeout: 60_000,
}, async (t) => {
  const { sender, receiver, roomId } = await faultRoom(stack, 'broker', 800);
  const deliveries = new Deliveries(receiver, roomId);
  const receiverStates = connectionLog(receiver);
  const sending = new Sender(sender, roomId, 100);
  t.after(() => sending.stop());
  await until(() => sending.acked.size >= 10, 10_000, 'ten sends before the fault');

  const natsBack = (async () => {
    for await (const s of receiver.nc.status()) if (s.type === 'reconnect') return Date.now();
    return Number.NaN;
  })();
  const killedAt = Date.now();
  const restarted = stack.nats.restart({ kill: true, downMs: DOWN_MS });
  // A gateway request while the connection is down blames the connection, not the gateway.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const whileDown = await sender.listRooms().then(
    () => undefined,
    (error: Error) => error,
  );
  await restarted;
  await until(
    () => receiverStates.states.some((s) => s.state === 'online' && s.at > killedAt),
    20_000,
    'the receiver back online',
  );
  const back = receiverStates.states.find((s) => s.state === 'online' && s.at > killedAt)!.at;
  t.diagnostic(
    `receiver reconnected to NATS ${(await natsBack) - killedAt} ms and online (rooms caught up) ${back - killedAt} ms after the kill (nats-server down ${DOWN_MS} ms, then restarted)`,
  );
  const ackedBefore = sending.acked.size;
  await until(() => sending.acked.size >= ackedBefore + 10, 20_000, 'ten sends after the restart');
  await sending.stop();

  await assertExactlyOnce(t, sending, deliveries, 20_000);
  assert.ok(whileDown instanceof UnavailableError, `room list while down: ${whileDown?.message}`);
  assert.equal(whileDown.service, 'nats', whileDown.message);
  assert.match(whileDown.message, /Not connected to the NATS server/);
  assert.ok(sending.failures.length > 0, 'sends failed while the broker was down');
  for (const failure of sending.failures) {
    assert.ok(failure instanceof UnavailableError, `${failure.name}: ${failure.message}`);
    assert.doesNotMatch(failure.message, /gateway/i, 'a publish does not blame the gateway');
    assert.match(failure.message, /NATS server|JetStream/, failure.message);
  }
});
