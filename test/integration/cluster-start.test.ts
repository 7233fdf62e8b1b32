// A gateway starting while its 3-node cluster cannot yet make R3 streams (two nodes down: no
// JetStream meta leader, so every create or info is refused as "temporarily unavailable", the
// same family of answers as the "error creating store for stream" a joining cluster gives now and
// then): the shard streams and the KV buckets are tried again with bounded backoff, so a start
// overlapping the nodes' return succeeds, and one that never gets them fails with a typed error that
// says what to check. Bound: one cluster start (≤ 60 s), ≤ 30 s of refused tries, two node restarts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { fromHex } from '../../core/bytes.ts';
import { UnavailableError } from '../../core/errors.ts';
import { openBuckets } from '../../gateway/buckets.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { ensureRoomShards } from '../../gateway/room-shards.ts';
import { deriveServerKeys } from '../../gateway/server-keys.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';

let cluster: TestCluster;
const connections: NatsConnection[] = [];
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await Promise.allSettled(connections.map((nc) => nc.close()));
  await cluster?.stop();
});

/** A connection to node n1 alone, with `creds` (the other nodes may be down). */
async function onFirstNode(creds: string): Promise<NatsConnection> {
  const nc = await wsconnect({
    servers: cluster.nodes[0]!.wsUrl,
    authenticator: credsAuthenticator(readFileSync(creds)),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
  });
  connections.push(nc);
  return nc;
}

test('with the cluster unable to make R3 streams, the start fails after bounded tries, saying what to check', async () => {
  const paths = stackPaths(cluster.stack.dir);
  const app = await onFirstNode(paths.gatewayAppCreds);
  await cluster.kill(1);
  await cluster.kill(2);
  const started = Date.now();
  const failure = await ensureRoomShards(app, { shards: 2, replicas: 3 }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const ms = Date.now() - started;
  console.log(`shard streams with two nodes down: refused after ${ms} ms: ${(failure as Error)?.message}`);
  assert.ok(failure instanceof UnavailableError, `typed: ${failure}`);
  assert.match(failure.message, /RK_ROOMS_\d/);
  assert.match(failure.message, /Check that every nats-server of the cluster is running/);
  assert.ok(ms >= 5000, `tried again for a while first (${ms} ms)`);
  // No new try after 20 s; a try may itself wait out its 5 s request timeout.
  assert.ok(ms <= 30_000, `bounded (${ms} ms)`);
});

test('a start that overlaps the nodes coming back makes the shard streams and the buckets', async () => {
  const paths = stackPaths(cluster.stack.dir);
  const app = await onFirstNode(paths.gatewayAppCreds);
  const api = await onFirstNode(paths.gatewayCreds);
  await cluster.kill(1);
  await cluster.kill(2);
  const keys = deriveServerKeys(fromHex(cluster.stack.secrets.serverSecret));
  const started = Date.now();
  const shards = ensureRoomShards(app, { shards: 2, replicas: 3 });
  const buckets = openBuckets(api, keys, { replicas: 3 });
  shards.catch(() => undefined);
  buckets.catch(() => undefined);
  await sleep(1500);
  await cluster.start(1);
  await cluster.start(2);
  const layout = await shards;
  await buckets;
  console.log(`shard streams and buckets made ${Date.now() - started} ms after the start began`);
  assert.equal(layout.shards, 2);
  const jsm = await jetstreamManager(app);
  for (const name of layout.streams())
    assert.equal((await jsm.streams.info(name)).config.num_replicas, 3, `${name} R3`);
  const users = await (await jetstreamManager(api)).streams.info('KV_rk_users');
  assert.equal(users.config.num_replicas, 3);
});
