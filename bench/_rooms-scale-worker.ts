// Helper of rooms-scale.bench.ts (not a bench): creates rooms the way the gateway's room-create
// handler stores them, in a worker thread that connects over TCP as `roomkey-gateway start` does.
// nats.js keeps one transport per realm, and the bench runner's realm uses WebSocket; a worker is
// its own realm. Input (workerData): { dir, servers, count, inFlight, replicas, budgetMs }.
// Output (one message): { done, perSecond, sample } — sample: two room ids made first, with streams.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { jetstream } from '@nats-io/jetstream';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from '@noble/hashes/utils.js';
import { fromHex, toHex } from '../core/bytes.ts';
import { Role } from '../core/policy/index.ts';
import { newRoomId } from '../core/room/index.ts';
import { roomSubject } from '../core/transport/subjects.ts';
import { type Buckets, openBuckets } from '../gateway/buckets.ts';
import { readStack, stackPaths } from '../gateway/data-dir.ts';
import { roomPolicyKey } from '../gateway/policy-store.ts';
import { addUserRooms, saveRoomRecord } from '../gateway/room-records.ts';
import { ensureRoomShards } from '../gateway/room-shards.ts';
import { RoomStreams } from '../gateway/room-streams.ts';
import { deriveServerKeys } from '../gateway/server-keys.ts';
import { type CreateJob, type CreateResult, ENVELOPE_BYTES, GENESIS_BYTES } from './_rooms-scale-job.ts';

interface Pieces {
  app: NatsConnection;
  gw: NatsConnection;
  streams: RoomStreams;
  buckets: Buckets;
}

/** One room as the create handler stores it, plus its first envelope (see rooms-scale.bench.ts). */
async function createRoom(
  p: Pieces,
  js: ReturnType<typeof jetstream>,
  streamsOnly: boolean,
): Promise<string> {
  const roomId = newRoomId();
  const userId = toHex(randomBytes(16));
  const seq = await p.streams.appendCommit(roomId, randomBytes(GENESIS_BYTES), 0);
  if (!streamsOnly) {
    await Promise.all([
      p.buckets.roomPolicies.put(roomPolicyKey(roomId), {
        orgId: 'default',
        projectId: 'default',
        roomId,
        rules: {},
        grants: [{ userId, role: Role.owner }],
      }),
      saveRoomRecord(p.buckets, {
        roomId,
        orgId: 'default',
        projectId: 'default',
        members: [{ userId, joinSeq: seq, joinEpoch: 0 }],
        former: [],
        epochs: [{ epoch: 0, roomPublicKey: randomBytes(32), seq }],
        lastCommitSeq: seq,
        createdAtMs: Date.now(),
      }),
      addUserRooms(p.buckets, [userId], roomId),
    ]);
  }
  await js.publish(roomSubject(roomId, 'msg'), randomBytes(ENVELOPE_BYTES), {
    msgID: toHex(randomBytes(16)),
    timeout: 10_000,
  });
  return roomId;
}

async function runJob(job: CreateJob): Promise<CreateResult> {
  const stack = readStack(job.dir);
  const paths = stackPaths(stack.dir);
  const open = (creds: string) =>
    connect({ servers: job.servers, authenticator: credsAuthenticator(readFileSync(creds)) });
  const app = await open(paths.gatewayAppCreds);
  const gw = await open(paths.gatewayCreds);
  try {
    const layout = await ensureRoomShards(app, { replicas: job.replicas, log: () => undefined });
    const keys = deriveServerKeys(fromHex(stack.secrets.serverSecret));
    const p: Pieces = {
      app,
      gw,
      streams: new RoomStreams(app, layout),
      buckets: await openBuckets(gw, keys, { replicas: job.replicas }),
    };
    const js = jetstream(app);
    const sample: string[] = [];
    let started = 0;
    let done = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(job.inFlight, job.count) }, async () => {
        while (started < job.count && performance.now() - start < job.budgetMs) {
          started++;
          const roomId = await createRoom(p, js, job.streamsOnly ?? false);
          if (sample.length < 2) sample.push(roomId);
          done++;
        }
      }),
    );
    const end = performance.now();
    const perSecond = (done / (end - start)) * 1000;
    await Promise.all([app.flush(), gw.flush()]);
    return {
      done,
      perSecond,
      startedAt: performance.timeOrigin + start,
      endedAt: performance.timeOrigin + end,
      sample: sample.map((roomId) => ({ roomId, stream: layout.streamOf(roomId) })),
    };
  } finally {
    await Promise.allSettled([app.close(), gw.close()]);
  }
}

if (parentPort && workerData) {
  const port = parentPort;
  runJob(workerData as CreateJob).then(
    (result) => port.postMessage({ result }),
    (error: Error) => port.postMessage({ error: error?.stack ?? String(error) }),
  );
}
