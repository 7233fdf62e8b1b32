// The gateway's reads of the shard streams with one node of a 3-node cluster down (kill -9). nats-server
// 2.9 keeps placing new R1 consumers on the dead node for 30 s and more, and a consumer placed
// there never answers: commits read through a consumer, the "last N" probes and the device cursors
// then timed out about one time in three. Commits and "the last N" are read with message gets now,
// and a device cursor is placed again when a try does not answer. Every read here must come back
// right and within the bound.
// Bound: one cluster start (≤ 60 s), a node kill, and 36 reads of at most READ_BOUND_MS each.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { newRoomId } from '../../core/room/room-id.ts';
import { roomSubject } from '../../core/transport/index.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { RoomStreams } from '../../gateway/room-streams.ts';
import { type ClusterStack, startClusterStack } from '../helpers/cluster-stack.ts';

/**
 * One read with a node down: a few quick tries at most (a consumer try that is not answered in
 * about a second is deleted and placed again), within the cluster clients' request timeout.
 */
const READ_BOUND_MS = 8000;
const ROOMS = 12;
const ENVELOPES = 5;
const DOWN = 2;

let stack: ClusterStack;
let app: NatsConnection;
let streams: RoomStreams;
const rooms: { roomId: string; commits: number[]; envelopes: number[] }[] = [];

before(async () => {
  stack = await startClusterStack();
  const gateway = await stack.startGateway();
  app = stack.track(
    await wsconnect({
      servers: stack.cluster.wsUrls(),
      authenticator: credsAuthenticator(readFileSync(stackPaths(stack.cluster.stack.dir).gatewayAppCreds)),
      reconnectTimeWait: 100,
      maxReconnectAttempts: -1,
    }),
  );
  streams = new RoomStreams(app, gateway.context.streams.layout);
  const js = jetstream(app);
  for (let i = 0; i < ROOMS; i++) {
    const roomId = newRoomId();
    const genesis = await streams.appendCommit(roomId, new TextEncoder().encode(`genesis ${i}`), 0);
    const envelopes: number[] = [];
    for (let k = 0; k < ENVELOPES; k++)
      envelopes.push((await js.publish(roomSubject(roomId, 'msg'), new Uint8Array([k]))).seq);
    const commit = await streams.appendCommit(roomId, new TextEncoder().encode(`commit ${i}`), genesis);
    rooms.push({ roomId, commits: [genesis, commit], envelopes });
  }
  await stack.cluster.kill(DOWN);
  await stack.cluster.waitHealthy();
});
after(() => stack?.stop());

async function timed<T>(what: string, read: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const value = await read();
  const ms = Date.now() - started;
  assert.ok(ms <= READ_BOUND_MS, `${what} took ${ms} ms with one node down (bound ${READ_BOUND_MS} ms)`);
  return value;
}

test('with a node down, every room’s commits are read in order, each read quickly', async () => {
  const slowest: number[] = [];
  for (const [i, room] of rooms.entries()) {
    const started = Date.now();
    const commits = await timed('readCommits', () => streams.readCommits(room.roomId));
    slowest.push(Date.now() - started);
    assert.deepEqual(
      commits.map((c) => c.seq),
      room.commits,
    );
    assert.deepEqual(
      commits.map((c) => new TextDecoder().decode(c.data)),
      [`genesis ${i}`, `commit ${i}`],
    );
    const later = await streams.readCommits(room.roomId, room.commits[0]! + 1);
    assert.deepEqual(
      later.map((c) => c.seq),
      [room.commits[1]],
    );
  }
  console.log(`readCommits with a node down: slowest ${Math.max(...slowest)} ms of ${rooms.length}`);
});

test('with a node down, the "last N" search and the device cursors are placed quickly', async () => {
  const slowest: number[] = [];
  const placements: number[] = [];
  const device = 'UDEVICEKEYFORTHECLUSTERREADSTEST';
  for (const room of rooms) {
    const lastSeq = await streams.lastSeq(room.roomId);
    const started = Date.now();
    const start = await timed('startForLast', () => streams.startForLast(room.roomId, 1, 2, lastSeq));
    slowest.push(Date.now() - started);
    // The last two envelopes start at the second-last one (other rooms' messages lie between).
    assert.equal(start, room.envelopes[ENVELOPES - 2]);
    assert.equal(await streams.startForLast(room.roomId, 1, ENVELOPES + 3, lastSeq), 1, 'fewer: all');
    const placing = Date.now();
    const pending = await timed('placeDeviceConsumer', () =>
      streams.placeDeviceConsumer(room.roomId, device, room.envelopes[1]!),
    );
    placements.push(Date.now() - placing);
    assert.equal(pending, ENVELOPES - 1);
    await streams.deleteDeviceConsumer(room.roomId, device);
  }
  console.log(`startForLast with a node down: slowest ${Math.max(...slowest)} ms of ${rooms.length}`);
  console.log(`device cursor with a node down: slowest ${Math.max(...placements)} ms of ${rooms.length}`);
});
