// Faults on a local 3-node cluster (R3 streams and buckets) that clients must ride out, with
// messages flowing: `kill -9` of the node leading the room's stream, and of the node a receiver is
// connected to. Every message JetStream acknowledged reaches the other member exactly once, live;
// the receiver reconnects to another node by itself (time printed). The killed node is started
// again after each test. Bound: 90 s per test (about 20–30 s each here).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import type { RoomKeySession } from '../../core/client/session.ts';
import { DEFAULT_ROOM_SHARDS, roomStreamName } from '../../core/transport/index.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { type ClusterStack, startClusterStack } from '../helpers/cluster-stack.ts';
import { connectionLog, Deliveries, Sender, until } from '../helpers/fault-traffic.ts';

let stack: ClusterStack;
before(async () => {
  stack = await startClusterStack();
  await stack.startGateway();
});
after(() => stack?.stop());
// A test that failed half-way leaves a node down: the next one starts from a whole cluster.
beforeEach(async () => {
  for (const [k, node] of stack.cluster.nodes.entries()) if (!node.process) await stack.cluster.start(k);
  await stack.cluster.waitHealthy(60_000);
});

/** A sender and a receiver in one room; the receiver's servers in the given order (first = its node). */
async function room(tag: string, receiverServers?: string[]) {
  const receiverName = `receiver-${tag}-${process.pid}`;
  const sender = await stack.signUpSession({
    username: `sender-${tag}-${process.pid}`,
    // Short, so that sends fail inside the outage instead of outlasting it.
    config: { ...stack.clientConfig(), requestTimeoutMs: 1500 },
  });
  const receiverConfig = receiverServers
    ? {
        ...stack.clientConfig(receiverServers),
        connectionOptions: { reconnectTimeWait: 100, noRandomize: true },
      }
    : stack.clientConfig();
  const receiver = await stack.signUpSession({ username: receiverName, config: receiverConfig });
  const created = await sender.createRoom(`Cluster ${tag}`);
  await sender.invite(created.roomId, receiverName);
  for (let i = 0; i < 200 && !(await receiver.listRooms()).some((r) => r.roomId === created.roomId); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return { sender, receiver, roomId: created.roomId };
}

/** Which node (index) leads the stream that holds `roomId`'s history. */
async function streamLeader(roomId: string): Promise<number> {
  const app = await wsconnect({
    servers: stack.cluster.wsUrls(),
    authenticator: credsAuthenticator(readFileSync(stackPaths(stack.cluster.stack.dir).gatewayAppCreds)),
  });
  try {
    const shards = stack.cluster.stack.public.roomShards ?? DEFAULT_ROOM_SHARDS;
    const info = await (await jetstreamManager(app)).streams.info(roomStreamName(roomId, shards));
    const leader = info.cluster?.leader;
    const index = stack.cluster.nodes.findIndex((n) => n.name === leader);
    assert.ok(index >= 0, `the stream has a leader (${leader})`);
    return index;
  } finally {
    await app.close();
  }
}

/** Sends through a kill of node `victim`; checks every acknowledged message arrived once. */
async function sendThroughKill(
  t: { diagnostic(message: string): void; after(fn: () => unknown): void },
  parts: { sender: RoomKeySession; receiver: RoomKeySession; roomId: string },
  victim: number,
  what: string,
) {
  const deliveries = new Deliveries(parts.receiver, parts.roomId);
  const states = connectionLog(parts.receiver);
  const sending = new Sender(parts.sender, parts.roomId, 100);
  t.after(() => sending.stop());
  await until(() => sending.acked.size >= 10, 15_000, 'ten sends before the kill');

  const killedAt = Date.now();
  await stack.cluster.kill(victim);
  const ackedBefore = sending.acked.size;
  await until(() => sending.acked.size >= ackedBefore + 10, 45_000, 'ten sends after the kill');
  const resumed = sending.acked.size;
  t.diagnostic(`${what}: sends acknowledged again ${Date.now() - killedAt} ms after the kill`);
  const reconnect = states.states.find((s) => s.state === 'online' && s.at > killedAt);
  if (reconnect) t.diagnostic(`${what}: receiver reconnected ${reconnect.at - killedAt} ms after the kill`);
  await sending.stop();

  const missing = await deliveries.waitFor(sending.acked.keys(), 30_000);
  deliveries.stop();
  t.diagnostic(
    `${what}: ${sending.acked.size} acknowledged (${resumed - ackedBefore}+ after the kill), ${sending.failures.length} failed, ${deliveries.counts.size} delivered`,
  );
  assert.deepEqual(missing, [], 'every acknowledged message delivered');
  assert.deepEqual(deliveries.duplicates(), [], 'none delivered twice');
  return { killedAt, states };
}

test('kill -9 of the node leading the room stream during sends: every acknowledged message once', {
  timeout: 90_000,
}, async (t) => {
  const parts = await room('leader');
  const victim = await streamLeader(parts.roomId);
  t.diagnostic(`room stream leader: ${stack.cluster.nodes[victim]!.name}`);
  await sendThroughKill(t, parts, victim, 'leader kill');
  await stack.cluster.start(victim);
});

test('a client connected to the killed node reconnects to another, resumes, and misses nothing', {
  timeout: 90_000,
}, async (t) => {
  const victim = 1;
  const urls = stack.cluster.wsUrls();
  const order = [urls[victim]!, ...urls.filter((_, k) => k !== victim)];
  const parts = await room('node', order);
  const { killedAt, states } = await sendThroughKill(t, parts, victim, 'node kill');
  const back = states.states.find((s) => s.state === 'online' && s.at > killedAt);
  assert.ok(back, `the receiver went back online: ${JSON.stringify(states.states)}`);
  t.diagnostic(`node kill: the receiver was online again ${back.at - killedAt} ms after its node was killed`);
  assert.ok(
    states.states.some((s) => s.state !== 'online' && s.at >= killedAt),
    'the receiver did lose its node',
  );
  await stack.cluster.start(victim);
});

test('gateway and receiver on the killed node: catch-up is retried until a gateway answers again', {
  timeout: 90_000,
}, async (t) => {
  const victim = 2;
  const urls = stack.cluster.wsUrls();
  // The only gateway talks to the victim alone, so while it is down no gateway answers anywhere.
  await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
  await stack.startGateway({ servers: [urls[victim]!] });
  t.after(async () => {
    await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
    await stack.startGateway();
  });
  const parts = await room('gateway', [urls[victim]!, ...urls.filter((_, k) => k !== victim)]);
  const deliveries = new Deliveries(parts.receiver, parts.roomId);
  const states = connectionLog(parts.receiver);
  const sending = new Sender(parts.sender, parts.roomId, 100);
  t.after(() => sending.stop());
  await until(() => sending.acked.size >= 10, 15_000, 'ten sends before the kill');

  const killedAt = Date.now();
  await stack.cluster.kill(victim);
  // Sends go to JetStream, not the gateway: they are acknowledged again once the stream has a
  // leader among the two nodes left, while no gateway can answer the receiver's catch-up.
  const ackedAtKill = sending.acked.size;
  await until(() => sending.acked.size >= ackedAtKill + 10, 45_000, 'ten sends with the gateway gone');
  // Down long enough that the receiver's catch-up meets no gateway, and more than once.
  const minimumDown = killedAt + 4000 - Date.now();
  if (minimumDown > 0) await new Promise((resolve) => setTimeout(resolve, minimumDown));
  const outage = Date.now() - killedAt;
  const whileDown = [...sending.acked.keys()].slice(ackedAtKill);
  const deliveredWhileDown = whileDown.filter((id) => deliveries.counts.has(id)).length;
  await stack.cluster.start(victim);
  t.diagnostic(
    `victim down ${outage} ms: ${whileDown.length} sends acknowledged meanwhile, ${deliveredWhileDown} of them delivered before the restart`,
  );
  await until(() => sending.acked.size >= ackedAtKill + 20, 30_000, 'ten more sends after the restart');
  await sending.stop();

  const missing = await deliveries.waitFor(sending.acked.keys(), 30_000);
  deliveries.stop();
  const back = states.states.find((s) => s.state === 'online' && s.at > killedAt);
  t.diagnostic(
    `gateway and receiver node kill: receiver online again ${back ? back.at - killedAt : '?'} ms after the kill; ${sending.acked.size} acknowledged, ${sending.failures.length} failed, ${deliveries.counts.size} delivered ${Date.now() - killedAt} ms after the kill`,
  );
  assert.deepEqual(
    missing,
    [],
    'every acknowledged message delivered, the ones sent while no gateway answered too',
  );
  assert.deepEqual(deliveries.duplicates(), [], 'none delivered twice');
});
