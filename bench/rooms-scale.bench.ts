/**
 * Rooms at scale in the shard-stream layout (issue 13 §1), against real nats-server 2.9.10 processes
 * this bench starts and stops itself. What one room creation costs here is the NATS side of the
 * gateway's room-create handler, through the gateway's own code (RoomStreams, room-records.ts,
 * the sealed KV buckets) over TCP as a gateway connects (in a worker thread: _rooms-scale-worker.ts):
 * the genesis stored with expected-last-subject-sequence 0 on the room's `.commit`, the room
 * policy, the room record and the creator's room list, plus the room's first envelope published on
 * `.msg` with its message id. Not in it: the client's crypto and the handler's signature checks (measured apart
 * on a small sample, `create-handler`). Genesis and envelope are random bytes of typical size.
 *
 *   rooms-scale.loadavg               the machine's 1-minute load average when the bench started
 *   rooms-scale.create-handler        rooms/s through rk.v1.gw.device.room.create end to end
 *                                     (real signed geneses made beforehand) from 16 devices over
 *                                     WebSocket, 64 in flight, one gateway in its own thread over TCP
 *   rooms-scale.create-handler-one    ms per room through the same handler, one at a time
 *   rooms-scale.create-handler-2-gateways  the same burst served by two gateways (row create-handler-two)
 *   rooms-scale.r1.streams-only.10k.create  rooms/s for genesis + first envelope alone (no KV
 *                                     index): what the shard layout itself costs per room
 *   rooms-scale.r1.two-gateways.10k.create  rooms/s with the KV index, split over two workers'
 *                                     connections (two gateways: they are stateless)
 *   rooms-scale.r1.<n>.create         rooms/s creating the rooms up to n (256 in flight), R1
 *   rooms-scale.r1.<n>.rss            nats-server RSS with n rooms (MiB), after creating them
 *   rooms-scale.r1.<n>.disk           JetStream store on disk (MiB)
 *   rooms-scale.r1.<n>.files          open file descriptors of nats-server
 *   rooms-scale.r1.<n>.restart        kill -9, start again: ms until a fresh client has published
 *                                     to one room and read another room's last message
 *   rooms-scale.r1.<n>.rss-restarted  RSS right after that restart (MiB)
 *   rooms-scale.legacy.<n>.rss/files  the same n rooms as one stream each (the layout before),
 *                                     for contrast (1k only: it does not go further cheaply)
 *   rooms-scale.r3.<n>.create         rooms/s on a local 3-node cluster, everything R3 (n = 20k,
 *                                     or what got done in R3_BUDGET_MS, printed as n)
 * Targets (issue 13): 100k rooms ≤ 1 GiB RSS, start-up ≤ 3 s, ≥ 2,000 rooms/s at R1, ≥ 200/s at R3.
 * Figures only: nothing here fails on time.
 * @example await bench((name, value, unit) => console.log(`bench ${name} ${value} ${unit}`));
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { randomBytes } from '@noble/hashes/utils.js';
import { createRoomRequest } from '../core/client/gateway-api.ts';
import { GatewayDirectory } from '../core/client/gateway-directory.ts';
import { newRoomId, Room } from '../core/room/index.ts';
import { roomSubject } from '../core/transport/subjects.ts';
import { type Stack, stackPaths } from '../gateway/data-dir.ts';
import { legacyRoomStreamName, legacyRoomSubject } from '../gateway/legacy-layout.ts';
import { startTestCluster } from '../test/helpers/cluster.ts';
import { startTestNats } from '../test/helpers/nats-server.ts';
import { startStack, type TestStack } from '../test/helpers/stack.ts';
import { type CreateJob, type CreateResult, ENVELOPE_BYTES, GENESIS_BYTES } from './_rooms-scale-job.ts';

type Report = (name: string, value: number, unit: string) => void;

/** `ROOMKEY_BENCH_ROOMS=10000` stops the curve (and the R3 row) there, for a quick look. */
const MAX_ROOMS = Number(process.env['ROOMKEY_BENCH_ROOMS'] ?? 100_000);
const CURVE = [1000, 10_000, 100_000].filter((n) => n <= MAX_ROOMS);
const IN_FLIGHT = 256;
/** `ROOMKEY_BENCH_ROWS=create-handler,r1` runs only those rows (names as in bench() below). */
const ROWS = process.env['ROOMKEY_BENCH_ROWS']?.split(',');
const HANDLER_ROOMS = Number(process.env['ROOMKEY_BENCH_HANDLER_ROOMS'] ?? 1000);
const HANDLER_ONE_BY_ONE = Math.min(100, Math.floor(HANDLER_ROOMS / 2));
/** Signed-in devices creating rooms in the handler rows, and creations in flight over all of them. */
const HANDLER_USERS = Number(process.env['ROOMKEY_BENCH_HANDLER_USERS'] ?? 16);
const HANDLER_IN_FLIGHT = Number(process.env['ROOMKEY_BENCH_HANDLER_IN_FLIGHT'] ?? 64);
const STREAMS_ONLY_ROOMS = Math.min(10_000, MAX_ROOMS);
const TWO_GATEWAY_ROOMS = Math.min(10_000, MAX_ROOMS);
const LEGACY_ROOMS = 1000;
const R3_ROOMS = Math.min(20_000, MAX_ROOMS);
/** The R3 row stops here and prints how many it made: the whole file stays a few minutes. */
const R3_BUDGET_MS = 120_000;
const MIB = 1024 * 1024;

/**
 * Creates rooms in a worker thread over TCP (_rooms-scale-worker.ts): the gateway's own
 * transport (nats.js keeps one per realm; this runner's is WebSocket).
 */
function createInWorker(job: CreateJob): Promise<CreateResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./_rooms-scale-worker.ts', import.meta.url), { workerData: job });
    worker.once('message', (m: { result?: CreateResult; error?: string }) => {
      if (m.result) resolve(m.result);
      else reject(new Error(m.error ?? 'the worker failed'));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) without a result`)));
  });
}

/** Runs `task` `count` times, `width` at once; tasks per second. */
async function run(count: number, width: number, task: () => Promise<unknown>, budgetMs = Infinity) {
  let started = 0;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (started < count && performance.now() - start < budgetMs) {
        started++;
        await task();
        done++;
      }
    }),
  );
  return { done, perSecond: (done / (performance.now() - start)) * 1000 };
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(line?.[1] ?? Number.NaN) / 1024;
}

function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function diskMiB(dir: string): number {
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else bytes += statSync(path).size;
    }
  };
  walk(dir);
  return bytes / MIB;
}

/** Until a fresh app-account client has published to `roomId` and read `otherRoomId`'s last message. */
async function firstPublishAndRead(
  stack: Stack,
  wsUrl: string,
  roomId: string,
  other: { roomId: string; stream: string },
) {
  const creds = readFileSync(stackPaths(stack.dir).gatewayAppCreds);
  for (;;) {
    let nc: NatsConnection | undefined;
    try {
      nc = await wsconnect({ servers: wsUrl, authenticator: credsAuthenticator(creds), reconnect: false });
      await jetstream(nc).publish(roomSubject(roomId, 'msg'), randomBytes(ENVELOPE_BYTES), { timeout: 2000 });
      const read = await (await jetstreamManager(nc, { timeout: 2000 })).streams.getMessage(other.stream, {
        last_by_subj: roomSubject(other.roomId, 'msg'),
      });
      if (read) return;
    } catch {
      await sleep(10);
    } finally {
      await nc?.close().catch(() => undefined);
    }
  }
}

/**
 * A gateway in its own thread over TCP (_gateway-worker.ts), as deployed: its own event loop and
 * transport, not sharing one with the bench's WebSocket clients. Resolves once it serves.
 */
async function gatewayInWorker(stack: TestStack): Promise<{ stop(): Promise<void> }> {
  const worker = new Worker(new URL('./_gateway-worker.ts', import.meta.url), {
    workerData: { dir: stack.nats.stack.dir, servers: [stack.nats.clientUrl] },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      const stopped = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}

/**
 * Room creations through the real handler from HANDLER_USERS signed-in devices over WebSocket,
 * HANDLER_IN_FLIGHT at once, served by `gateways` gateways in threads of their own (stateless, one
 * queue group: how an operator adds capacity). With one gateway, also one creation at a time.
 */
async function handlerRow(report: Report, gateways: number): Promise<void> {
  const stack = await startStack();
  const served = await Promise.all(Array.from({ length: gateways }, () => gatewayInWorker(stack)));
  try {
    // Signed up a few at a time: sign-up and log-in are meant to be slow (OPAQUE, Argon2id).
    const users: Array<Awaited<ReturnType<TestStack['registerUser']>> & { me: { nc: NatsConnection } }> = [];
    await run(HANDLER_USERS, 4, async () => {
      const { user, device } = await stack.registerUser();
      users.push({ user, device, me: await stack.logInDevice(user, device) });
    });
    // Signed geneses made first: client crypto is not what this row measures. 16 at a time: each
    // asks the directory, and a thousand at once would find the gateway busy.
    const geneses: Array<{ nc: NatsConnection; genesis: Room['genesisSigned'] }> = [];
    await run(HANDLER_ROOMS, 16, async () => {
      const { user, device, me } = users[geneses.length % users.length]!;
      const room = await Room.create({
        me: { userId: user.userId, userKeys: user.keys, device },
        directory: new GatewayDirectory(() => me.nc),
        roomId: newRoomId(),
        orgId: 'default',
        projectId: 'default',
        nowMs: Date.now(),
      });
      geneses.push({ nc: me.nc, genesis: room.genesisSigned });
    });
    let next = 0;
    const burst = gateways === 1 ? HANDLER_ROOMS - HANDLER_ONE_BY_ONE : HANDLER_ROOMS;
    const { perSecond } = await run(burst, HANDLER_IN_FLIGHT, async () => {
      const { nc, genesis } = geneses[next++]!;
      await createRoomRequest(nc, genesis);
    });
    const row = gateways === 1 ? 'create-handler' : `create-handler-${gateways}-gateways`;
    report(`rooms-scale.${row}`, perSecond, 'rooms/s');
    if (gateways > 1) return;
    // One at a time: what one person creating a room waits (the handler's round trips in a row).
    const one = await run(HANDLER_ONE_BY_ONE, 1, async () => {
      const { nc, genesis } = geneses[next++]!;
      await createRoomRequest(nc, genesis);
    });
    report('rooms-scale.create-handler-one', 1000 / one.perSecond, 'ms per room, one at a time');
  } finally {
    await Promise.all(served.map((g) => g.stop()));
    await stack.stop();
  }
}

async function r1Curve(report: Report): Promise<void> {
  const nats = await startTestNats();
  try {
    let sample: CreateResult['sample'] = [];
    let total = 0;
    for (const target of CURVE) {
      const created = await createInWorker({
        dir: nats.stack.dir,
        servers: [nats.clientUrl],
        count: target - total,
        inFlight: IN_FLIGHT,
        replicas: 1,
        budgetMs: Number.POSITIVE_INFINITY,
      });
      if (sample.length === 0) sample = created.sample;
      total = target;
      await sleep(1000); // the server settles (flushes, caches) before its figures are read
      const row = `rooms-scale.r1.${target / 1000}k`;
      report(`${row}.create`, created.perSecond, 'rooms/s');
      report(`${row}.rss`, rssMiB(nats.pid), 'MiB');
      report(`${row}.disk`, diskMiB(join(nats.dir, 'jetstream')), 'MiB');
      report(`${row}.files`, openFiles(nats.pid), 'fds');
      const killedAt = performance.now();
      await nats.restart({ kill: true });
      await firstPublishAndRead(nats.stack, nats.wsUrl, sample[0]!.roomId, sample[1]!);
      report(`${row}.restart`, performance.now() - killedAt, 'ms');
      report(`${row}.rss-restarted`, rssMiB(nats.pid), 'MiB');
    }
  } finally {
    await nats.stop();
  }
}

/**
 * The same creations split over two gateway processes' worth of connections (two worker threads):
 * gateways are stateless, so creation scales with them until nats-server is the limit.
 */
async function twoGatewaysRow(report: Report): Promise<void> {
  const nats = await startTestNats();
  try {
    const job: CreateJob = {
      dir: nats.stack.dir,
      servers: [nats.clientUrl],
      count: TWO_GATEWAY_ROOMS / 2,
      inFlight: IN_FLIGHT,
      replicas: 1,
      budgetMs: Number.POSITIVE_INFINITY,
    };
    const both = await Promise.all([createInWorker(job), createInWorker(job)]);
    const wallMs = Math.max(...both.map((r) => r.endedAt)) - Math.min(...both.map((r) => r.startedAt));
    const done = both.reduce((sum, r) => sum + r.done, 0);
    report(
      `rooms-scale.r1.two-gateways.${TWO_GATEWAY_ROOMS / 1000}k.create`,
      (done / wallMs) * 1000,
      'rooms/s',
    );
  } finally {
    await nats.stop();
  }
}

/** Genesis and first envelope only, no KV index: what the shard layout itself costs per room. */
async function streamsOnlyRow(report: Report): Promise<void> {
  const nats = await startTestNats();
  try {
    const created = await createInWorker({
      dir: nats.stack.dir,
      servers: [nats.clientUrl],
      count: STREAMS_ONLY_ROOMS,
      inFlight: IN_FLIGHT,
      replicas: 1,
      budgetMs: Number.POSITIVE_INFINITY,
      streamsOnly: true,
    });
    report(`rooms-scale.r1.streams-only.${STREAMS_ONLY_ROOMS / 1000}k.create`, created.perSecond, 'rooms/s');
  } finally {
    await nats.stop();
  }
}

async function legacyRow(report: Report): Promise<void> {
  const nats = await startTestNats();
  try {
    const app = await wsconnect({
      servers: nats.wsUrl,
      authenticator: credsAuthenticator(readFileSync(stackPaths(nats.stack.dir).gatewayAppCreds)),
    });
    const jsm = await jetstreamManager(app);
    const js = jetstream(app);
    await run(LEGACY_ROOMS, 32, async () => {
      const roomId = newRoomId();
      await jsm.streams.add({
        name: legacyRoomStreamName(roomId),
        subjects: [legacyRoomSubject(roomId, '>')],
        storage: StorageType.File,
        num_replicas: 1,
        deny_delete: true,
        deny_purge: true,
      });
      await js.publish(legacyRoomSubject(roomId, 'commit'), randomBytes(GENESIS_BYTES), {
        expect: { lastSubjectSequence: 0 },
      });
      await js.publish(legacyRoomSubject(roomId, 'msg'), randomBytes(ENVELOPE_BYTES));
    });
    await sleep(1000);
    report(`rooms-scale.legacy.${LEGACY_ROOMS / 1000}k.rss`, rssMiB(nats.pid), 'MiB');
    report(`rooms-scale.legacy.${LEGACY_ROOMS / 1000}k.files`, openFiles(nats.pid), 'fds');
    await app.close();
  } finally {
    await nats.stop();
  }
}

async function r3Row(report: Report): Promise<void> {
  const cluster = await startTestCluster();
  try {
    await cluster.waitHealthy();
    const created = await createInWorker({
      dir: cluster.stack.dir,
      servers: cluster.nodes.map((n) => n.clientUrl),
      count: R3_ROOMS,
      inFlight: IN_FLIGHT,
      replicas: 3,
      budgetMs: R3_BUDGET_MS,
    });
    report(`rooms-scale.r3.${Math.round(created.done / 1000)}k.create`, created.perSecond, 'rooms/s');
  } finally {
    await cluster.stop();
  }
}

export async function bench(report: Report): Promise<void> {
  // The machine's load, for reading the rates: benches here share 2 cores with whatever else runs.
  report('rooms-scale.loadavg', loadavg()[0]!, 'load');
  // Rows are independent deployments: one that breaks is reported, the others still run.
  const failed: string[] = [];
  for (const [name, row] of [
    ['create-handler', (r: Report) => handlerRow(r, 1)],
    ['create-handler-two', (r: Report) => handlerRow(r, 2)],
    ['streams-only', streamsOnlyRow],
    ['two-gateways', twoGatewaysRow],
    ['r1', r1Curve],
    ['legacy', legacyRow],
    ['r3', r3Row],
  ] as const) {
    if (ROWS && !ROWS.includes(name)) continue;
    try {
      await row(report);
    } catch (error) {
      console.error(`rooms-scale ${name}:`, error);
      failed.push(name);
    }
  }
  if (failed.length) throw new Error(`rows that failed: ${failed.join(', ')}`);
}
