// A deployment made by the code of before shard streams (test/fixtures/legacy-layout, written by
// its make.ts at commit 47bd02a: one stream per room, a removal, a pre-join clamp, a message of a
// device revoked later, Bob's client store with a saved position) is started with this gateway:
// its rooms move into the shard streams with nothing lost or doubled, every reader reads what it
// read before and nothing more, Bob resumes exactly after what he had, a second start does
// nothing, and a start killed at any step of the migration is finished by the next one.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { fromHex } from '../../core/bytes.ts';
import { roomCommits } from '../../core/client/gateway-api.ts';
import { RoomKeySession } from '../../core/client/session.ts';
import type { StoredMessage } from '../../core/client/types.ts';
import { NotMemberError } from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import {
  deviceConsumerName,
  LEGACY_SEQ_HEADER,
  LEGACY_TIME_HEADER,
  roomSubject,
  StreamLayout,
} from '../../core/transport/index.ts';
import { openBuckets } from '../../gateway/buckets.ts';
import { readStack, stackPaths } from '../../gateway/data-dir.ts';
import { type Gateway, startGateway } from '../../gateway/gateway.ts';
import { legacyRoomStreamName } from '../../gateway/legacy-layout.ts';
import { migrateLegacyRooms } from '../../gateway/legacy-migration.ts';
import { LegacyRooms } from '../../gateway/legacy-rooms.ts';
import { natsServerConfig } from '../../gateway/nats-config.ts';
import { launchNatsServer, type NatsServerProcess } from '../../gateway/nats-process.ts';
import { ensureRoomShards } from '../../gateway/room-shards.ts';
import { deriveServerKeys } from '../../gateway/server-keys.ts';
import { TEST_STORE_PARAMS } from '../helpers/stack.ts';

const FIXTURE = new URL('../fixtures/legacy-layout/', import.meta.url).pathname;

interface Described {
  text: string;
  status: string;
  sender: string;
  seq: number;
}
const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as {
  users: Record<'alice' | 'bob' | 'carol' | 'dave', { username: string; password: string }>;
  rooms: { launch: string; side: string };
  before: {
    alice: Record<string, Described[]>;
    dave: Record<string, Described[]>;
    bob: Record<string, Described[]>;
  };
  away: Record<string, string[]>;
};
const { launch, side } = manifest.rooms;
// One shard, with another room's messages in it already: every copy lands at a sequence other than
// its original's, so a sequence left untranslated anywhere shows.
const SHARDS = 1;
const OTHER_ROOM = '0'.repeat(32);
const OTHER_MESSAGES = 7;

interface Stored {
  seq: number;
  subject: string;
  data: Uint8Array;
  timeMs: number;
  legacySeq?: string;
  legacyTime?: string;
}

interface Deployment {
  dir: string;
  wsUrl: string;
  app: NatsConnection;
  jsm: JetStreamManager;
  logs: string[];
  gateways: Gateway[];
  originals: Map<string, Stored[]>;
  startGateway(): Promise<Gateway>;
  session(
    who: keyof typeof manifest.users,
    backend?: MemoryBackend,
    onMessage?: (m: StoredMessage) => void,
  ): Promise<RoomKeySession>;
  stop(): Promise<void>;
}

const open: Deployment[] = [];
after(async () => {
  await Promise.allSettled(open.map((d) => d.stop()));
});

/** A copy of the fixture, served by a nats-server of its own; the other room's messages added. */
async function deployment(): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'roomkey-legacy-'));
  for (const part of ['data', 'jetstream', 'jwt'])
    cpSync(join(FIXTURE, part), join(dir, part), { recursive: true });
  const stack = readStack(join(dir, 'data'));
  const configFile = join(dir, 'nats-server.conf');
  writeFileSync(
    configFile,
    natsServerConfig({
      stack: stack.public,
      port: -1,
      wsPort: -1,
      storeDir: join(dir, 'jetstream'),
      portsFileDir: dir,
    }),
  );
  const nats: NatsServerProcess = await launchNatsServer({ configFile, portsDir: dir });
  const paths = stackPaths(stack.dir);
  const app = await wsconnect({
    servers: nats.wsUrl,
    authenticator: credsAuthenticator(readFileSync(paths.gatewayAppCreds)),
  });
  const jsm = await jetstreamManager(app);
  const originals = new Map<string, Stored[]>();
  for (const roomId of [launch, side])
    originals.set(roomId, await readAll(app, legacyRoomStreamName(roomId)));
  await ensureRoomShards(app, { shards: SHARDS });
  const js = jetstream(app);
  for (let i = 0; i < OTHER_MESSAGES; i++)
    await js.publish(roomSubject(OTHER_ROOM, 'msg'), new Uint8Array([i]));
  const sessions: RoomKeySession[] = [];
  const logs: string[] = [];
  const gateways: Gateway[] = [];
  const d: Deployment = {
    dir,
    wsUrl: nats.wsUrl,
    app,
    jsm,
    logs,
    gateways,
    originals,
    async startGateway() {
      const gateway = await startGateway({
        stack,
        servers: nats.wsUrl,
        connect: wsconnect,
        gatewayCreds: readFileSync(paths.gatewayCreds),
        appCreds: readFileSync(paths.gatewayAppCreds),
        sysCreds: readFileSync(paths.sysCreds),
        roomShards: SHARDS,
        log: (line) => logs.push(line),
      });
      gateways.push(gateway);
      return gateway;
    },
    async session(who, backend, onMessage) {
      const session = await RoomKeySession.signIn({
        config: { servers: nats.wsUrl, loginJwt: stack.public.loginJwt, requestTimeoutMs: 2500 },
        backend: backend ?? new MemoryBackend(),
        storeParams: TEST_STORE_PARAMS,
        ...manifest.users[who],
        // Listening from the session's first event: live readers start while it signs in.
        ...(onMessage
          ? { onCreated: (created: RoomKeySession) => void created.on('message', onMessage) }
          : {}),
      });
      sessions.push(session);
      return session;
    },
    async stop() {
      await Promise.allSettled(sessions.map((s) => s.close()));
      await Promise.allSettled(gateways.map((g) => g.stop()));
      await app.close().catch(() => undefined);
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  open.push(d);
  return d;
}

test('a gateway start moves per-room streams into the shard streams: nothing lost, same readers, Bob resumes exactly', async () => {
  const d = await deployment();
  await d.startGateway();

  // The old streams are gone; each room's copies are its originals, in order, once.
  const names: string[] = [];
  for await (const name of d.jsm.streams.names()) names.push(name);
  assert.deepEqual(
    names.filter((n) => n.startsWith('RK_ROOM_')),
    [],
  );
  const mapped = new Map<string, Map<number, number>>();
  for (const roomId of [launch, side]) mapped.set(roomId, await checkCopies(d, roomId));
  assert.ok(
    [...mapped.values()].every((m) => [...m].every(([legacy, now]) => legacy !== now)),
    'every copy has a new sequence (so the checks below see any sequence left untranslated)',
  );
  assert.ok(
    d.logs.some((l) => /migration done: 2 room\(s\), \d+ message\(s\) copied/.test(l)),
    d.logs.join('\n'),
  );
  for (const line of d.logs) {
    assert.ok(!line.includes(launch) && !line.includes(side), `a log line names a room: ${line}`);
  }

  // Bob comes back with his store: his live readers resume after exactly what he had (the
  // translated position), and he gets only what was sent while he was away.
  const bobBackend = new MemoryBackend();
  const saved = JSON.parse(readFileSync(join(FIXTURE, 'bob.store.json'), 'utf8')) as Record<string, string>;
  for (const [key, value] of Object.entries(saved)) await bobBackend.set(key, Buffer.from(value, 'base64'));
  const got: StoredMessage[] = [];
  const bob = await d.session('bob', bobBackend, (m) => got.push(m));
  const want = manifest.away[launch]!.length + manifest.away[side]!.length;
  for (let i = 0; i < 100 && got.length < want; i++) await sleep(100);
  await sleep(1000); // anything more would arrive now
  for (const roomId of [launch, side]) {
    if (process.env['S2_DEBUG']) {
      const c = await d.jsm.consumers.info(
        new StreamLayout(SHARDS).streamOf(roomId),
        deviceConsumerName(bob.deviceNkey, roomId),
      );
      console.log(
        roomId.slice(0, 6),
        c.config.opt_start_seq,
        c.delivered,
        [...mapped.get(roomId)!],
        got.map((m) => [textOf(m), m.seq, m.status]),
      );
    }
    assert.deepEqual(
      got.filter((m) => m.roomId === roomId).map(textOf),
      manifest.away[roomId],
      'Bob gets what came while he was away, once, and nothing he had',
    );
    const before = manifest.before.bob[roomId]!;
    const consumer = await d.jsm.consumers.info(
      new StreamLayout(SHARDS).streamOf(roomId),
      deviceConsumerName(bob.deviceNkey, roomId),
    );
    assert.equal(
      consumer.config.opt_start_seq,
      mapped.get(roomId)!.get(before.at(-1)!.seq)! + 1,
      'the live reader started right after the copy of the last message Bob had',
    );
  }

  // Everyone reads what they read before (the message of the device revoked later included:
  // judged by its original stored time), and nothing more: Dave nothing from before he joined.
  const alice = await d.session('alice');
  for (const roomId of [launch, side]) {
    assert.deepEqual(
      (await alice.history(roomId, { limit: 1000 })).map(withoutSeq),
      manifest.before.alice[roomId]!.map(withoutSeq),
    );
  }
  assert.ok(
    (await alice.history(launch, { limit: 1000 })).some(
      (m) => textOf(m) === 'b2 from the device revoked later',
    ),
  );
  const dave = await d.session('dave');
  assert.deepEqual(
    (await dave.history(launch, { limit: 1000 })).map(withoutSeq),
    manifest.before.dave[launch]!.map(withoutSeq),
  );
  const carol = await d.session('carol');
  await assert.rejects(carol.history(launch, { limit: 1000 }), NotMemberError);
  const chain = await roomCommits(carol.nc, { roomId: launch, fromEpoch: 0 });
  const aliceChain = await roomCommits(alice.nc, { roomId: launch, fromEpoch: 0 });
  assert.ok(
    Number(chain.latestEpoch) < Number(aliceChain.latestEpoch),
    'Carol sees the chain up to her removal',
  );
  // Commits' stored times are the originals'.
  for (const [i, seq] of aliceChain.seqs.entries()) {
    const original = d.originals.get(launch)!.find((o) => mapped.get(launch)!.get(o.seq) === Number(seq));
    assert.equal(Number(aliceChain.storedAtMs[i]), original?.timeMs);
  }

  // The room goes on in its shard stream.
  const fresh = nextText(bob, 'after the migration');
  await alice.send(launch, 'after the migration');
  await fresh;
  assert.deepEqual((await bob.history(side, { limit: 1000 })).map(textOf), [
    ...manifest.before.bob[side]!.map(textOf),
    ...manifest.away[side]!,
  ]);
});

test('a second start does nothing', async () => {
  const d = await deployment();
  await (await d.startGateway()).stop();
  const before = await d.jsm.streams.info(new StreamLayout(SHARDS).streamOf(launch));
  const logged = d.logs.length;
  await d.startGateway();
  const again = await d.jsm.streams.info(new StreamLayout(SHARDS).streamOf(launch));
  assert.equal(again.state.last_seq, before.state.last_seq);
  assert.equal(again.state.messages, before.state.messages);
  assert.ok(!d.logs.slice(logged).some((l) => /migrat/.test(l)), 'nothing to migrate, nothing logged');
  for (const roomId of [launch, side]) await checkCopies(d, roomId);
});

test('a start killed at any step of the migration is finished by the next start, with the same result', async () => {
  const d = await deployment();
  const stack = readStack(join(d.dir, 'data'));
  const keys = deriveServerKeys(fromHex(stack.secrets.serverSecret));
  const gw = await wsconnect({
    servers: d.wsUrl,
    authenticator: credsAuthenticator(readFileSync(stackPaths(stack.dir).gatewayCreds)),
  });
  const buckets = await openBuckets(gw, keys);
  const layout = await ensureRoomShards(d.app, { shards: SHARDS });
  const legacy = await LegacyRooms.open(gw, d.app, keys);
  // Killed: in the middle of copying a room, once it is copied and checked, once its record is
  // translated (before its old stream is deleted). Each run starts where the last one stopped.
  for (const [point, after] of [
    ['copy', 5],
    ['copied', 1],
    ['translated', 1],
  ] as const) {
    let seen = 0;
    const step = (at: string) => {
      if (at === point && ++seen === after) throw new Error(`killed at ${point}`);
    };
    await assert.rejects(
      migrateLegacyRooms({ app: d.app, layout, rooms: buckets.rooms, legacy, log: () => undefined, step }),
      new RegExp(`killed at ${point}`),
    );
  }
  await gw.close();
  await d.startGateway();
  const names: string[] = [];
  for await (const name of d.jsm.streams.names()) names.push(name);
  assert.deepEqual(
    names.filter((n) => n.startsWith('RK_ROOM_')),
    [],
  );
  for (const roomId of [launch, side]) await checkCopies(d, roomId);
  const alice = await d.session('alice');
  const dave = await d.session('dave');
  for (const roomId of [launch, side]) {
    assert.deepEqual(
      (await alice.history(roomId, { limit: 1000 })).map(withoutSeq),
      manifest.before.alice[roomId]!.map(withoutSeq),
    );
  }
  assert.deepEqual(
    (await dave.history(launch, { limit: 1000 })).map(withoutSeq),
    manifest.before.dave[launch]!.map(withoutSeq),
  );
});

test('two gateways starting at once migrate together: every original copied once', async () => {
  const d = await deployment();
  await Promise.all([d.startGateway(), d.startGateway()]);
  // Usually both find the old streams; between them they copy each original once.
  assert.ok(d.logs.filter((l) => l.startsWith('migrating ')).length >= 1, d.logs.join('\n'));
  const copied = d.logs.map((l) => /^migration done: .*?(\d+) message\(s\) copied/.exec(l)?.[1]);
  const originals = [...d.originals.values()].reduce((n, list) => n + list.length, 0);
  assert.equal(
    copied.reduce((n, c) => n + Number(c ?? 0), 0),
    originals,
  );
  for (const roomId of [launch, side]) await checkCopies(d, roomId);
  const alice = await d.session('alice');
  assert.deepEqual(
    (await alice.history(launch, { limit: 1000 })).map(withoutSeq),
    manifest.before.alice[launch]!.map(withoutSeq),
  );
});

/**
 * The room's messages in its shard stream are its originals, once each, in order, with their
 * original sequence and time in headers; its KV record's sequences point at the copies of the
 * originals they pointed at. Returns original sequence → shard sequence.
 */
async function checkCopies(d: Deployment, roomId: string): Promise<Map<number, number>> {
  const originals = d.originals.get(roomId)!;
  const copies = await readAll(d.app, new StreamLayout(SHARDS).streamOf(roomId), roomSubject(roomId, '>'));
  assert.equal(copies.length, originals.length, 'one copy per original');
  const map = new Map<number, number>();
  for (const [i, original] of originals.entries()) {
    const copy = copies[i]!;
    assert.equal(copy.legacySeq, String(original.seq));
    assert.equal(copy.legacyTime, String(original.timeMs));
    assert.equal(copy.subject, roomSubject(roomId, original.subject.endsWith('.commit') ? 'commit' : 'msg'));
    assert.deepEqual(copy.data, original.data);
    map.set(original.seq, copy.seq);
  }
  const stack = readStack(join(d.dir, 'data'));
  const kvConnection = await wsconnect({
    servers: d.wsUrl,
    authenticator: credsAuthenticator(readFileSync(stackPaths(stack.dir).gatewayCreds)),
  });
  try {
    const buckets = await openBuckets(kvConnection, deriveServerKeys(fromHex(stack.secrets.serverSecret)));
    const record = (await buckets.rooms.get(roomId))!.value;
    const commitSeqs = new Set(copies.filter((c) => c.subject.endsWith('.commit')).map((c) => c.seq));
    for (const seq of [
      record.lastCommitSeq,
      ...record.epochs.map((e) => e.seq),
      ...record.members.map((m) => m.joinSeq),
      ...record.former.map((m) => m.joinSeq),
    ]) {
      assert.ok(commitSeqs.has(Number(seq)), `record sequence ${seq} is a copied commit`);
    }
    assert.equal(Number(record.lastCommitSeq), Math.max(...commitSeqs));
  } finally {
    await kvConnection.close();
  }
  return map;
}

async function readAll(nc: NatsConnection, stream: string, filter?: string): Promise<Stored[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    ...(filter ? { filter_subject: filter } : {}),
    mem_storage: true,
    inactive_threshold: 30_000_000_000,
  });
  const out: Stored[] = [];
  const consumer = await jetstream(nc).consumers.get(stream, info.name);
  let pending = info.num_pending;
  while (pending > 0) {
    for await (const m of await consumer.fetch({ max_messages: 256, expires: 3000 })) {
      out.push({
        seq: m.seq,
        subject: m.subject,
        data: m.data,
        timeMs: m.time.getTime(),
        legacySeq: m.headers?.get(LEGACY_SEQ_HEADER) || undefined,
        legacyTime: m.headers?.get(LEGACY_TIME_HEADER) || undefined,
      });
      pending = m.info.pending;
      if (pending === 0) break;
    }
  }
  await jsm.consumers.delete(stream, info.name);
  return out;
}

function textOf(m: StoredMessage | Described): string {
  return 'text' in m ? m.text : `(${m.status})`;
}

function withoutSeq(m: StoredMessage | Described) {
  return {
    text: textOf(m),
    status: m.status,
    sender: 'sender' in m ? m.sender : 'senderUserId' in m ? m.senderUserId : '',
  };
}

function nextText(session: RoomKeySession, text: string): Promise<void> {
  return new Promise((resolve) => {
    const off = session.on('message', (m) => {
      if (textOf(m) === text) {
        off();
        resolve();
      }
    });
  });
}
