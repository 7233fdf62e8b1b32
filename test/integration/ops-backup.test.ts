// Backup and restore as an operator runs them (`roomkey-gateway backup DIR` / `restore DIR`, the
// CLI in its own process over TCP): users, rooms and history are backed up, the nats-server is
// stopped and its store wiped, a gateway on the empty server knows nobody, the restore refuses the
// streams that gateway made until told --replace, and then every user signs in on a new device and
// reads their history. Also: a damaged file, another deployment's backup and a non-empty DIR are
// refused before anything changes; secrets are in a backup only when asked, mode 600, with a warning.
// On a local 3-node cluster: R3 streams backed up, every node's store deleted, restored as R3.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { RoomKeySession } from '../../core/client/session.ts';
import { BadCredentialsError } from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { nodePaths, stackPaths } from '../../gateway/data-dir.ts';
import { initStack } from '../../gateway/init.ts';
import { startClusterStack } from '../helpers/cluster-stack.ts';
import { textOf } from '../helpers/messages.ts';
import { startStack, TEST_STORE_PARAMS, type TestStack } from '../helpers/stack.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'roomkey-backup-'));
let stack: TestStack;

before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** The CLI against this test's deployment and server. */
function ops(command: 'backup' | 'restore', dir: string, ...extra: string[]) {
  return run(command, dir, '--data', stack.nats.stack.dir, '--nats', stack.nats.clientUrl, ...extra);
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const users = [
  { username: 'alice-backup', password: 'pw alice backup 1' },
  { username: 'bob-backup', password: 'pw bob backup 1' },
  { username: 'carol-backup', password: 'pw carol backup 1' },
];

test('back up, destroy the data, restore: every user signs in and reads their history', async () => {
  const [alice, bob, carol] = await Promise.all(users.map((u) => stack.signUpSession(u)));
  const plans = await alice!.createRoom('Plans');
  await alice!.invite(plans.roomId, bob!.username, { shareHistory: true });
  await alice!.send(plans.roomId, 'meet at nine');
  await bob!.send(plans.roomId, 'nine works');
  await alice!.invite(plans.roomId, carol!.username, { shareHistory: true });
  await carol!.send(plans.roomId, 'count me in');
  const solo = await bob!.createRoom('Notes');
  for (let i = 0; i < 40; i++) await bob!.send(solo.roomId, `note ${i}`);
  const expected = new Map<string, Map<string, string[]>>();
  for (const session of [alice!, bob!, carol!]) {
    const rooms = new Map<string, string[]>();
    for (const room of await session.listRooms()) {
      rooms.set(room.roomId, (await session.history(room.roomId)).map(textOf));
    }
    expected.set(session.username, rooms);
    await session.close();
  }
  assert.deepEqual(expected.get('bob-backup')?.get(plans.roomId), [
    'meet at nine',
    'nine works',
    'count me in',
  ]);
  assert.equal(expected.get('bob-backup')?.get(solo.roomId)?.length, 40);

  const backupDir = join(work, 'monday');
  const backup = ops('backup', backupDir);
  assert.equal(backup.status, 0, backup.stderr + backup.stdout);
  assert.match(
    backup.stdout,
    /backup: \[1\/\d+\] KV_rk_\w+ \(gateway\)/,
    'progress per stream, buckets first',
  );
  assert.match(backup.stdout, /RK_ROOMS_\d+ \(app\): \d+ message/);
  assert.match(backup.stdout, /secrets are NOT in this backup/);
  const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.format, 'roomkey-backup');
  assert.equal(manifest.secretsIncluded, false);
  assert.match(manifest.natsServerVersion, /^2\./);
  const names = manifest.streams.map((s: { config: { name: string } }) => s.config.name);
  assert.ok(names.includes('KV_rk_credentials') && names.includes('KV_rk_rooms'), names.join());
  assert.ok(names.some((n: string) => n.startsWith('RK_ROOMS_')));
  // Ciphertext and sealed records only: no secret of the data directory, no message text and no
  // username is in any file (snapshots are s2-compressed, which keeps short literals readable).
  const secrets = stack.nats.stack.secrets;
  const plaintexts = ['meet at nine', 'count me in', 'note 39', 'Plans', ...users.map((u) => u.username)];
  for (const file of filesUnder(backupDir)) {
    const bytes = readFileSync(file, 'latin1');
    for (const text of plaintexts) assert.ok(!bytes.includes(text), `${file} holds "${text}"`);
    for (const secret of [
      secrets.serverSecret,
      secrets.appAccountSeed,
      secrets.gatewayAccountSeed,
      secrets.opaqueServerSetup,
    ]) {
      assert.ok(!bytes.includes(secret), `${file} holds a secret`);
    }
  }

  // Destroy: the gateway stops, nats-server stops, its JetStream store is wiped, it starts empty.
  for (const gateway of stack.gateways.splice(0)) await gateway.stop();
  await stack.nats.process.stop();
  rmSync(join(stack.nats.dir, 'jetstream'), { recursive: true, force: true });
  await stack.nats.restart();
  const empty = await stack.startGateway();
  await assert.rejects(
    stack.signInSession(users[0]!.username, users[0]!.password, { backend: new MemoryBackend() }),
    BadCredentialsError,
    'the wiped deployment knows nobody',
  );
  await empty.stop();
  stack.gateways.splice(0);

  // That gateway made empty buckets and room streams: refused until --replace.
  const refused = ops('restore', backupDir);
  assert.equal(refused.status, 2, refused.stdout);
  assert.match(refused.stderr, /exist on the server: .*Nothing was changed.*--replace/s);

  const restore = ops('restore', backupDir, '--replace');
  assert.equal(restore.status, 0, restore.stderr + restore.stdout);
  assert.match(restore.stdout, /file\(s\) match the manifest/);
  assert.match(restore.stdout, new RegExp(`restore: \\[${names.length}/${names.length}\\]`));
  assert.match(restore.stdout, /restore: done/);

  await stack.startGateway();
  for (const user of users) {
    const session = await stack.signInSession(user.username, user.password, { backend: new MemoryBackend() });
    const rooms = expected.get(session.username)!;
    assert.deepEqual(
      new Set((await session.listRooms()).map((r) => r.roomId)),
      new Set(rooms.keys()),
      `${user.username}'s rooms`,
    );
    for (const [roomId, texts] of rooms) {
      assert.deepEqual((await session.history(roomId)).map(textOf), texts, `${user.username}'s history`);
    }
  }
  const aliceAgain = await stack.signInSession(users[0]!.username, users[0]!.password, {
    backend: new MemoryBackend(),
  });
  assert.equal((await aliceAgain.send(plans.roomId, 'we are back')).status, 'sent');
  const bobAgain = await stack.signInSession(users[1]!.username, users[1]!.password, {
    backend: new MemoryBackend(),
  });
  assert.deepEqual(
    (await bobAgain.history(plans.roomId)).map(textOf).at(-1),
    'we are back',
    'the room goes on',
  );
});

test('a damaged file, another deployment or a used DIR is refused and nothing changes', async () => {
  const good = join(work, 'good');
  const made = ops('backup', good);
  assert.equal(made.status, 0, made.stderr);
  const again = ops('backup', good);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /not empty/);

  const manifest = JSON.parse(readFileSync(join(good, 'manifest.json'), 'utf8'));
  const room = manifest.streams.find((s: { config: { name: string } }) =>
    s.config.name.startsWith('RK_ROOMS_'),
  );
  const damaged = join(work, 'damaged');
  cpSync(good, damaged, { recursive: true });
  const file = join(damaged, 'streams', 'app', `${room.config.name}.tar.s2`);
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 1;
  writeFileSync(file, bytes);
  const jsm = await jetstreamManager(await stack.adminConnection());
  const before = (await jsm.streams.info('KV_rk_users')).state.messages;
  const refused = ops('restore', damaged, '--replace');
  assert.equal(refused.status, 2, refused.stdout);
  assert.match(refused.stderr, /does not match the manifest.*Nothing was changed/s);
  assert.equal((await jsm.streams.info('KV_rk_users')).state.messages, before, 'nothing was deleted');

  const hostile = join(work, 'hostile');
  cpSync(good, hostile, { recursive: true });
  manifest.streams[0].config.name = '../../etc';
  writeFileSync(join(hostile, 'manifest.json'), JSON.stringify(manifest));
  const badName = ops('restore', hostile, '--replace');
  assert.equal(badName.status, 2);
  assert.match(badName.stderr, /not a plain stream name/);

  const other = await initStack({ dir: join(work, 'other-deployment') });
  const wrong = run('restore', good, '--data', other.dir, '--nats', stack.nats.clientUrl, '--replace');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /another deployment .*serverSecretId.*Nothing was changed/s);
  assert.equal((await jsm.streams.info('KV_rk_users')).state.messages, before);

  for (const [what, text] of [
    ['not JSON', '{"format":'],
    ['another format', JSON.stringify({ ...manifest, format: 'tarball' })],
    ['a later version', JSON.stringify({ ...manifest, version: 2 })],
    ['a negative size', JSON.stringify({ ...manifest, streams: [{ ...manifest.streams[1], bytes: -1 }] })],
  ] as const) {
    writeFileSync(join(hostile, 'manifest.json'), text);
    const result = ops('restore', hostile, '--replace');
    assert.equal(result.status, 2, what);
    assert.match(
      result.stderr,
      /restore failed: .*(not JSON|not a RoomKey backup|version 2|not a count)/,
      what,
    );
  }
  assert.equal((await jsm.streams.info('KV_rk_users')).state.messages, before);

  const unfinished = ops('restore', join(work, 'nowhere'));
  assert.equal(unfinished.status, 2);
  assert.match(unfinished.stderr, /no readable manifest\.json/);
});

test('--include-secrets puts the secrets in DIR/secrets/ (mode 600) and says so', () => {
  const dir = join(work, 'with-secrets');
  const result = ops('backup', dir, '--include-secrets');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /WARNING: .*secrets.* holds this deployment's secrets/);
  assert.doesNotMatch(result.stdout, /secrets are NOT in this backup/);
  for (const name of ['secrets.json', 'gateway.creds', 'gateway-app.creds', 'sys.creds']) {
    assert.equal(statSync(join(dir, 'secrets', name)).mode & 0o777, 0o600, `${name} is mode 600`);
  }
  assert.equal(statSync(join(dir, 'secrets')).mode & 0o777, 0o700);
  assert.equal(
    JSON.parse(readFileSync(join(dir, 'secrets', 'secrets.json'), 'utf8')).serverSecret,
    stack.nats.stack.secrets.serverSecret,
  );
  assert.equal(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).secretsIncluded, true);
});

test('on a 3-node cluster: R3 streams backed up, the store of every node wiped, restored as R3, users read their history', async () => {
  const cs = await startClusterStack();
  try {
    await cs.startGateway();
    const accounts = [
      { username: 'dora-cluster', password: 'pw dora cluster' },
      { username: 'emil-cluster', password: 'pw emil cluster' },
    ];
    const [dora, emil] = await Promise.all(accounts.map((a) => cs.signUpSession(a)));
    const room = await dora!.createRoom('Ops');
    await dora!.invite(room.roomId, emil!.username, { shareHistory: true });
    for (let i = 0; i < 20; i++) await (i % 2 ? emil! : dora!).send(room.roomId, `cluster ${i}`);
    const expected = (await emil!.history(room.roomId)).map(textOf);
    assert.equal(expected.length, 20);
    await Promise.all([dora!.close(), emil!.close()]);

    const nodes = cs.cluster.nodes;
    const cliOn = (command: string, dir: string) =>
      run(command, dir, '--data', cs.cluster.stack.dir, '--nats', nodes.map((n) => n.clientUrl).join(','));
    const dir = join(work, 'cluster');
    const backup = cliOn('backup', dir);
    assert.equal(backup.status, 0, backup.stderr + backup.stdout);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(
      new Set(manifest.streams.map((s: { config: { num_replicas: number } }) => s.config.num_replicas)),
      new Set([3]),
    );

    for (const gateway of cs.gateways.splice(0)) await gateway.stop();
    for (let i = 0; i < nodes.length; i++) await cs.cluster.kill(i);
    for (const node of nodes)
      rmSync(nodePaths(cs.cluster.stack.dir, node.name).jetstream, { recursive: true, force: true });
    for (let i = 0; i < nodes.length; i++) await cs.cluster.start(i);
    await cs.cluster.waitHealthy(60_000);

    const restore = cliOn('restore', dir);
    assert.equal(restore.status, 0, restore.stderr + restore.stdout);
    const admin = await wsconnect({
      servers: cs.cluster.wsUrls(),
      authenticator: credsAuthenticator(readFileSync(stackPaths(cs.cluster.stack.dir).gatewayCreds)),
    });
    try {
      const info = await (await jetstreamManager(admin)).streams.info('KV_rk_users');
      assert.equal(info.config.num_replicas, 3);
      assert.equal(info.cluster?.replicas?.length, 2, 'a leader and two replicas');
    } finally {
      await admin.close();
    }

    await cs.startGateway();
    for (const account of accounts) {
      const session = await RoomKeySession.signIn({
        config: cs.clientConfig(),
        backend: new MemoryBackend(),
        storeParams: TEST_STORE_PARAMS,
        ...account,
      });
      try {
        assert.deepEqual(
          (await session.history(room.roomId)).map(textOf),
          expected,
          `${account.username}'s history`,
        );
      } finally {
        await session.close();
      }
    }
  } finally {
    await cs.stop();
  }
});
