// On a local 3-node cluster (R3): the shard streams are replicated, the device consumers on them
// are not. A consumer inherits its stream's replica count unless told otherwise, and each
// replicated consumer is one more Raft group (issue 13 §1): per device and room, that is what made
// per-room layouts unaffordable at R3. Bound: one cluster start (≤ 60 s) and a few requests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { deviceConsumerName } from '../../core/transport/stream-layout.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { type ClusterStack, startClusterStack } from '../helpers/cluster-stack.ts';
import { textOf } from '../helpers/messages.ts';

let stack: ClusterStack;
before(async () => {
  stack = await startClusterStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('shard streams are R3; a device consumer on one is an R1 memory cursor, no Raft group of its own', async () => {
  const app = stack.track(
    await wsconnect({
      servers: stack.cluster.wsUrls(),
      authenticator: credsAuthenticator(readFileSync(stackPaths(stack.cluster.stack.dir).gatewayAppCreds)),
    }),
  );
  const jsm = await jetstreamManager(app);
  const layout = stack.gateways[0]!.context.streams.layout;
  for (const name of layout.streams()) {
    const info = await jsm.streams.info(name);
    assert.equal(info.config.num_replicas, 3, `${name} R3`);
  }

  const alice = await stack.signUpSession({ username: `alice-r3-${process.pid}` });
  const room = await alice.createRoom('Replicated');
  await alice.send(room.roomId, 'hello cluster');
  assert.deepEqual((await alice.history(room.roomId)).map(textOf), ['hello cluster']);

  const name = deviceConsumerName(alice.deviceNkey, room.roomId);
  let info: Awaited<ReturnType<typeof jsm.consumers.info>> | undefined;
  for (let i = 0; i < 40 && !info; i++) {
    info = await jsm.consumers.info(layout.streamOf(room.roomId), name).catch(() => undefined);
    if (!info) await sleep(50);
  }
  assert.ok(info, 'the device consumer exists');
  assert.equal(info.config.mem_storage, true);
  assert.equal(
    info.cluster?.replicas?.length ?? 0,
    0,
    `no replicas on other nodes (${JSON.stringify(info.cluster)})`,
  );
  assert.equal(info.config.num_replicas, 1, 'R1, not the stream R3');
});
