// Revocations and removal cut-offs on a 3-node cluster hold on a node that was down when they
// were made: kill -9 one node, revoke a device (or remove a member) while it is down, start it
// again, and the node refuses the JWT on the first attempt and every attempt after. Each node has
// its own full resolver directory, so the restarted node comes back with the account JWT it had
// before the kill; it must not let the revoked JWT in until something brings it the newer one.
// Bound: ~45 s for the file (one cluster start, two node restarts).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import { revokeDevice } from '../../core/client/auth.ts';
import { connectAsDevice } from '../../core/transport/connect.ts';
import { type ClusterStack, startClusterStack } from '../helpers/cluster-stack.ts';

let stack: ClusterStack;
before(async () => {
  stack = await startClusterStack();
  // Pinned to n1, so that no reconnect of its own makes it push by chance: only what the gateway
  // does on purpose when a server starts counts.
  await stack.startGateway({ servers: [stack.cluster.nodes[0]!.wsUrl] });
});
after(() => stack?.stop());
// A test that failed half-way leaves its node down: the next one starts from a whole cluster.
beforeEach(async () => {
  if (!stack.cluster.nodes[DOWN]!.process) await stack.cluster.start(DOWN);
  await stack.cluster.waitHealthy();
});

const DOWN = 2; // n3

/**
 * One connection attempt to `server` with `jwt`, no retry. 'refused' (an authorization refusal),
 * 'closed after N ms' (let in, then cut off by the server within `closeWithinMs`), or what else
 * happened: 'connected' (still open after that), or an error that is not a refusal.
 */
async function attempt(
  server: string,
  jwt: string,
  secretKey: Uint8Array,
  closeWithinMs = 1500,
): Promise<string> {
  let nc: NatsConnection;
  try {
    nc = await connectAsDevice({
      servers: server,
      jwt: () => jwt,
      deviceSecretKey: secretKey,
      options: { maxReconnectAttempts: 0, reconnect: false, timeout: 2000 },
    });
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    return /authorization|authentication/i.test(message) ? 'refused' : message;
  }
  const since = Date.now();
  const closed = await Promise.race([
    nc.closed().then(() => true),
    sleep(closeWithinMs, false, { ref: false }),
  ]);
  if (closed) return `closed after ${Date.now() - since} ms`;
  await nc.close();
  return 'connected';
}

/**
 * Starts the down node and tries `jwt` on it at once and then every 100 ms for `forMs`. Every
 * attempt from the first second on must be refused; one made earlier, while the node was
 * joining, may have got in only if the server closed it right after (the re-push landing).
 */
async function assertRefusedFromFirstSecond(jwt: string, secretKey: Uint8Array, what: string, forMs = 3000) {
  await stack.cluster.start(DOWN);
  const server = stack.cluster.nodes[DOWN]!.wsUrl;
  const started = Date.now();
  const outcomes: { at: number; outcome: string }[] = [];
  do {
    const at = Date.now() - started;
    outcomes.push({ at, outcome: await attempt(server, jwt, secretKey) });
    await sleep(100);
  } while (Date.now() - started < forMs);
  const log = outcomes.map((o) => `${o.at} ms: ${o.outcome}`);
  console.log(`${what} on the restarted node: ${log.slice(0, 4).join(', ')} … (${outcomes.length} attempts)`);
  const wrong = outcomes.filter(
    (o) => o.outcome !== 'refused' && (o.at >= 1000 || !o.outcome.startsWith('closed')),
  );
  assert.deepEqual(
    wrong,
    [],
    `${what}: refused on the restarted node from its first second back:\n${log.join('\n')}`,
  );
}

test('a device revoked while a node was down is refused on that node from its first second back', async () => {
  const { user, device: phone } = await stack.registerUser();
  const laptop = await stack.newDevice(user);
  const onPhone = await stack.logInDevice(user, phone, [stack.cluster.nodes[0]!.wsUrl]);
  const onLaptop = await stack.logInDevice(user, laptop, [stack.cluster.nodes[DOWN]!.wsUrl]);
  const jwt = onLaptop.credential.userJwt;
  await onLaptop.nc.close();
  assert.equal(await attempt(stack.cluster.nodes[DOWN]!.wsUrl, jwt, laptop.secretKey, 100), 'connected');

  await stack.cluster.kill(DOWN);
  await stack.cluster.waitHealthy(); // the other two have elected new leaders
  const revokeStarted = Date.now();
  await revokeDevice(onPhone.nc, {
    deviceKey: laptop.publicKey,
    userSigningSecretKey: user.signingSecretKey,
  });
  console.log(`revoke with one node down answered in ${Date.now() - revokeStarted} ms`);
  assert.equal(await attempt(stack.cluster.nodes[1]!.wsUrl, jwt, laptop.secretKey), 'refused');

  await assertRefusedFromFirstSecond(jwt, laptop.secretKey, 'revoked device');
  await stack.cluster.waitHealthy();
});

test('a member removed while a node was down: the cut-off JWT is refused on that node from its first second back', async () => {
  const alice = await stack.signUpSession();
  const bob = await stack.registerUser();
  const onBob = await stack.logInDevice(bob.user, bob.device, [stack.cluster.nodes[DOWN]!.wsUrl]);
  const jwt = onBob.credential.userJwt;
  await onBob.nc.close();
  const room = await alice.createRoom('Cluster');
  await alice.invite(room.roomId, bob.user.username);

  await stack.cluster.kill(DOWN);
  await stack.cluster.waitHealthy();
  const removeStarted = Date.now();
  await alice.removeMember(room.roomId, bob.user.userId);
  console.log(`removal with one node down answered in ${Date.now() - removeStarted} ms`);
  assert.equal(await attempt(stack.cluster.nodes[1]!.wsUrl, jwt, bob.device.secretKey), 'refused');

  await assertRefusedFromFirstSecond(jwt, bob.device.secretKey, 'removed member');
  await stack.cluster.waitHealthy();
});
