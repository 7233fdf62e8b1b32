// Faults on a local 3-node cluster (R3 streams and buckets) that clients must ride out, with
// messages flowing: `kill -9` of the node leading the room's stream, and of the node a receiver is
// connected to. Every message JetStream acknowledged reaches the other member exactly once, live;
// the receiver reconnects to another node by itself (time printed). The killed node is started
// again after each test. Bound: 120 s per test (15–45 s each here).
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

/** A sender and a receiver in one room, each on a device of their own. */
async function room(tag: string) {
  const receiverName = `receiver-${tag}-${process.pid}`;
  const sender = await stack.signUpSession({
    username: `sender-${tag}-${process.pid}`,
    // Short, so that sends fail inside the outage instead of outlasting it.
    config: { ...stack.clientConfig(), requestTimeoutMs: 1500 },
  });
  const errors: string[] = [];
  const receiver = await stack.signUpSession({
    username: receiverName,
    onError: (error) => errors.push(`${Date.now()} ${error.name}: ${error.message}`),
  });
  const created = await sender.createRoom(`Cluster ${tag}`);
  await sender.invite(created.roomId, receiverName);
  for (let i = 0; i < 200 && !(await receiver.listRooms()).some((r) => r.roomId === created.roomId); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return { sender, receiver, roomId: created.roomId, errors };
}

/**
 * The node `session` is connected to now (index). Read after the room is set up: joining a room
 * refreshes the device JWT and reconnects, which may move it to another node.
 */
function nodeOf(session: RoomKeySession): number {
  const name = session.nc.info?.server_name;
  const index = stack.cluster.nodes.findIndex((n) => n.name === name);
  assert.ok(index >= 0, `connected to a node of the cluster (${name})`);
  return index;
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
  parts: { sender: RoomKeySession; receiver: RoomKeySession; roomId: string; errors: string[] },
  victim: number,
  what: string,
) {
  const deliveries = new Deliveries(parts.receiver, parts.roomId);
  const states = connectionLog(parts.receiver);
  const sending = new Sender(parts.sender, parts.roomId, 100);
  t.after(() => sending.stop());
  await until(() => sending.acked.size >= 10, 15_000, 'ten sends before the kill');

  const killedAt = Date.now();
  const receiverNode = parts.receiver.nc.info?.server_name;
  const ackedBefore = sending.acked.size;
  const before = new Set(sending.acked.keys());
  let firstAfterKill = 0;
  const offTimes = parts.receiver.on('message', (m) => {
    const id = 'messageId' in m ? m.messageId : undefined;
    if (!firstAfterKill && m.roomId === parts.roomId && id && !before.has(id)) firstAfterKill = Date.now();
  });
  await stack.cluster.kill(victim);
  await until(() => sending.acked.size >= ackedBefore + 10, 45_000, 'ten sends after the kill');
  const resumed = sending.acked.size;
  t.diagnostic(`${what}: sends acknowledged again ${Date.now() - killedAt} ms after the kill`);
  const reconnect = states.states.find((s) => s.state === 'online' && s.at > killedAt);
  if (reconnect) t.diagnostic(`${what}: receiver reconnected ${reconnect.at - killedAt} ms after the kill`);
  await sending.stop();

  // Generous: a receiver whose R1 consumer died with the node notices only when its pull misses
  // two heartbeats (nats.js: half the 30 s pull expiry each), then places it again.
  const missing = await deliveries.waitFor(sending.acked.keys(), 60_000);
  deliveries.stop();
  offTimes();
  t.diagnostic(
    `${what}: the receiver (on ${receiverNode}) got its first message sent after the kill ${firstAfterKill ? firstAfterKill - killedAt : '-'} ms after the kill`,
  );
  t.diagnostic(
    `${what}: ${sending.acked.size} acknowledged (${resumed - ackedBefore}+ after the kill), ${sending.failures.length} failed, ${deliveries.counts.size} delivered`,
  );
  assert.deepEqual(
    missing,
    [],
    `every acknowledged message delivered (receiver on ${receiverNode}, ${stack.cluster.nodes[victim]!.name} killed at ${killedAt}; receiver errors: ${parts.errors.join(' | ')})`,
  );
  assert.deepEqual(deliveries.duplicates(), [], 'none delivered twice');
  return { killedAt, states };
}

test('kill -9 of the node leading the room stream during sends: every acknowledged message once', {
  timeout: 120_000,
}, async (t) => {
  const parts = await room('leader');
  const victim = await streamLeader(parts.roomId);
  t.diagnostic(`room stream leader: ${stack.cluster.nodes[victim]!.name}`);
  await sendThroughKill(t, parts, victim, 'leader kill');
  await stack.cluster.start(victim);
});

test('a client connected to the killed node reconnects to another, resumes, and misses nothing', {
  timeout: 120_000,
}, async (t) => {
  const parts = await room('node');
  const victim = nodeOf(parts.receiver);
  t.diagnostic(`the receiver is on ${stack.cluster.nodes[victim]!.name}`);
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
  timeout: 120_000,
}, async (t) => {
  const parts = await room('gateway');
  const victim = nodeOf(parts.receiver);
  // The only gateway talks to the receiver's node alone, so while it is down no gateway answers.
  await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
  await stack.startGateway({ servers: [stack.cluster.nodes[victim]!.wsUrl] });
  t.after(async () => {
    await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
    await stack.startGateway();
  });
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
