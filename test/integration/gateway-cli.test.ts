// The CLI as users run it: `init` writes a deployment (secrets mode 600, no silent overwrite), and
// `dev` brings up nats-server + gateway + HTTP, prints its URLs, serves a working stack, and leaves
// no process behind on SIGTERM or Ctrl-C (SIGINT).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { logIn, signUp } from '../../core/client/auth.ts';
import { InternalError, UnavailableError } from '../../core/errors.ts';
import { connectWithLoginCredential } from '../../core/transport/connect.ts';
import type { ClientConfig } from '../../gateway/static-server.ts';
import { makeTestDevice, makeTestUser, type TestDevice, type TestUser } from '../helpers/stack.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'roomkey-cli-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
}

test('init writes a deployment with private secrets and refuses to overwrite it', () => {
  const data = join(dir, 'init');
  const first = run('init', '--data', data);
  assert.equal(first.status, 0, first.stderr);
  for (const file of ['secrets.json', 'gateway.creds', 'gateway-app.creds', 'sys.creds']) {
    assert.equal(statSync(join(data, file)).mode & 0o777, 0o600, `${file} is mode 600`);
  }
  const config = readFileSync(join(data, 'nats-server.conf'), 'utf8');
  // The full resolver keeps pushed revocations on disk across restarts (MEMORY forgets them).
  assert.match(config, /resolver: \{\n {2}type: full\n {2}dir: ".*\/jwt"\n {2}allow_delete: false/);
  assert.doesNotMatch(config, /resolver: MEMORY/);
  assert.match(config, /websocket \{/);
  const operator = JSON.parse(readFileSync(join(data, 'roomkey.json'), 'utf8')).operator.publicKey;

  const again = run('init', '--data', data);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /--force/);
  assert.equal(
    JSON.parse(readFileSync(join(data, 'roomkey.json'), 'utf8')).operator.publicKey,
    operator,
    'untouched',
  );

  const forced = run('init', '--data', data, '--force');
  assert.equal(forced.status, 0, forced.stderr);
  assert.notEqual(JSON.parse(readFileSync(join(data, 'roomkey.json'), 'utf8')).operator.publicKey, operator);
});

interface Dev {
  child: ChildProcess;
  output: () => string;
  web: string;
  config: string;
  natsPid: number;
}

/** Starts `dev` and waits (bounded) for the line that says it is up. */
async function startDev(data: string, ...extra: string[]): Promise<Dev> {
  const child = spawn(process.execPath, [cli, 'dev', '--data', data, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 600 && !out.includes('Ctrl-C stops everything'); i++) {
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  assert.match(out, /Ctrl-C stops everything/, `dev did not come up:\n${out}`);
  const field = (name: string) => out.match(new RegExp(`^\\s+${name}\\s+(\\S+)`, 'm'))?.[1] ?? '';
  return {
    child,
    output: () => out,
    web: field('demo'),
    config: field('config'),
    natsPid: Number(out.match(/pid (\d+)/)?.[1]),
  };
}

async function stopDev(dev: Dev, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => dev.child.once('exit', (code) => resolve(code)));
  dev.child.kill(signal);
  const code = await Promise.race([exited, sleep(15_000, 'timeout' as const, { ref: false })]);
  if (code === 'timeout') {
    dev.child.kill('SIGKILL');
    assert.fail(`dev did not stop on ${signal}:\n${dev.output()}`);
  }
  return code;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('dev serves a working stack and stops everything on SIGTERM, then on Ctrl-C', async () => {
  const data = join(dir, 'dev');
  const user = await makeTestUser('dev-user');
  const device = await makeTestDevice(user);

  const dev = await startDev(data);
  assert.ok(dev.natsPid > 0 && alive(dev.natsPid));
  const config = (await (await fetch(dev.config)).json()) as ClientConfig;
  assert.match(String(config.natsWebSocketUrl), /^ws:\/\/127\.0\.0\.1:\d+$/);
  const page = await fetch(dev.web);
  assert.equal(page.status, 200);
  assert.equal((await fetch(`${dev.web}..%2f..%2fetc/passwd`)).status, 404);
  // A real sign-up and log-in through the printed configuration, as a browser would.
  const login = await connectWithLoginCredential({
    servers: config.natsWebSocketUrl,
    loginJwt: config.loginJwt,
  });
  await signUp(login, {
    username: user.username,
    password: user.password,
    identity: user.identity,
    deviceCertificate: device.certificate,
  });
  await login.close();
  assert.equal(await stopDev(dev, 'SIGTERM'), 0);
  for (let i = 0; i < 50 && alive(dev.natsPid); i++) await sleep(100);
  assert.equal(alive(dev.natsPid), false, 'no nats-server left behind');
  await assert.rejects(fetch(dev.web), 'HTTP server is down');

  // A data dir from an older `init` had a MEMORY resolver: the next start rewrites it, once.
  const confFile = join(data, 'nats-server.conf');
  const current = readFileSync(confFile, 'utf8');
  writeFileSync(confFile, current.replace(/resolver: \{[^}]*\}/, 'resolver: MEMORY'));
  assert.match(readFileSync(confFile, 'utf8'), /^resolver: MEMORY$/m);

  // Second run: same data dir (no init), the user is still there; Ctrl-C stops it.
  const again = await startDev(data);
  assert.doesNotMatch(again.output(), /first run/);
  const config2 = (await (await fetch(again.config)).json()) as ClientConfig;
  const login2 = await connectWithLoginCredential({
    servers: config2.natsWebSocketUrl,
    loginJwt: config2.loginJwt,
  });
  const session = await logIn(login2, {
    username: user.username,
    password: user.password,
    deviceCertificate: device.certificate,
  });
  assert.ok(session.userJwt);
  await login2.close();
  assert.equal(await stopDev(again, 'SIGINT'), 0);
  for (let i = 0; i < 50 && alive(again.natsPid); i++) await sleep(100);
  assert.equal(alive(again.natsPid), false, 'no nats-server left behind');
  // (Checked once it stopped, so that a failure here leaves no process behind.)
  assert.match(again.output(), /nats-server\.conf to use the full account resolver/);
  assert.equal(readFileSync(confFile, 'utf8'), current, 'upgraded to exactly what init writes now');
  assert.equal(statSync(confFile).mode & 0o777, 0o600);
});

/** Waits (bounded) until `dev`'s output has a line matching `pattern`; returns that line. */
async function waitForLine(dev: Dev, pattern: RegExp, ms = 20_000): Promise<string> {
  for (let waited = 0; waited < ms; waited += 100) {
    const line = dev
      .output()
      .split('\n')
      .find((l) => pattern.test(l));
    if (line) return line;
    if (dev.child.exitCode !== null) break;
    await sleep(100);
  }
  assert.fail(`no line matching ${pattern} within ${ms} ms:\n${dev.output()}`);
}

/** Signs `user` up (or, once signed up, logs `device` in) through the config `dev` serves. */
async function throughConfig(configUrl: string, user: TestUser, device: TestDevice, first: boolean) {
  const config = (await (await fetch(configUrl)).json()) as ClientConfig;
  const login = await connectWithLoginCredential({
    servers: config.natsWebSocketUrl,
    loginJwt: config.loginJwt,
  });
  try {
    if (first) {
      await signUp(login, {
        username: user.username,
        password: user.password,
        identity: user.identity,
        deviceCertificate: device.certificate,
      });
    }
    const session = await logIn(login, {
      username: user.username,
      password: user.password,
      deviceCertificate: device.certificate,
    });
    assert.ok(session.userJwt);
  } finally {
    await login.close();
  }
  return config;
}

/**
 * Retries `call` while the gateway is not answering yet (reconnecting after a restart) or says
 * "try again later" (a KV bucket whose leader was killed elects a new one: 4–9 s in 2.9), ≤ 20 s.
 */
async function untilAnswered<T>(call: () => Promise<T>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const retryable = error instanceof UnavailableError || error instanceof InternalError;
      if (!retryable || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

// Bound: ~20 s (a kill -9 and a restart of one server, two log-ins).
test('dev survives its broker: a nats-server killed with -9 is started again on its ports', async () => {
  const data = join(dir, 'dev-restart');
  const user = await makeTestUser('restart-user');
  const device = await makeTestDevice(user);
  const dev = await startDev(data);
  try {
    const before = await throughConfig(dev.config, user, device, true);
    const killedAt = Date.now();
    process.kill(dev.natsPid, 'SIGKILL');
    const back = await waitForLine(dev, /nats-server is back \(pid (\d+)/);
    console.log(`dev: ${back.trim()} (seen ${Date.now() - killedAt} ms after the kill)`);
    assert.match(dev.output(), /nats-server exited \(SIGKILL\); starting it again in \d+ ms/);
    const pid = Number(back.match(/pid (\d+)/)?.[1]);
    assert.ok(pid > 0 && pid !== dev.natsPid && alive(pid), 'a new nats-server runs');
    // Same config, same ports: a browser that loaded it before the crash still gets in, and the
    // gateway (which reconnected by itself) answers.
    const after = await untilAnswered(() => throughConfig(dev.config, user, device, false));
    console.log(`dev: a log-in went through again ${Date.now() - killedAt} ms after the kill`);
    assert.deepEqual(after.natsWebSocketUrl, before.natsWebSocketUrl);
    assert.equal(dev.child.exitCode, null, 'dev is still running');
    assert.equal(await stopDev(dev, 'SIGTERM'), 0);
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    assert.equal(alive(pid), false, 'no nats-server left behind');
  } finally {
    if (dev.child.exitCode === null) dev.child.kill('SIGKILL');
  }
});

/** The pid of each `nats-server  <node> pid N …` line `dev --cluster` printed. */
function nodePids(dev: Dev): Map<string, number> {
  const pids = new Map<string, number>();
  for (const m of dev.output().matchAll(/^\s+nats-server\s+(n\d+) pid (\d+)/gm))
    pids.set(m[1]!, Number(m[2]));
  return pids;
}

// Bound: ~60 s (a 3-node cluster on 2 cores, R3 buckets and shard streams, a node kill -9).
test('dev --cluster 3 runs a local 3-node cluster with R3 streams and buckets, and restarts a killed node', async () => {
  const data = join(dir, 'dev-cluster');
  const user = await makeTestUser('cluster-user');
  const device = await makeTestDevice(user);
  const dev = await startDev(data, '--cluster', '3');
  const pids = nodePids(dev);
  try {
    assert.deepEqual([...pids.keys()], ['n1', 'n2', 'n3'], dev.output());
    assert.match(dev.output(), /replicas\s+3/);
    const config = await throughConfig(dev.config, user, device, true);
    assert.ok(
      Array.isArray(config.natsWebSocketUrl) && config.natsWebSocketUrl.length === 3,
      'every node in the config',
    );
    // Buckets and room shard streams are replicated on the three nodes.
    const admin = await wsconnect({
      servers: config.natsWebSocketUrl,
      authenticator: credsAuthenticator(readFileSync(join(data, 'gateway.creds'))),
    });
    const app = await wsconnect({
      servers: config.natsWebSocketUrl,
      authenticator: credsAuthenticator(readFileSync(join(data, 'gateway-app.creds'))),
    });
    try {
      const users = await (await jetstreamManager(admin)).streams.info('KV_rk_users');
      assert.equal(users.config.num_replicas, 3);
      assert.equal(users.cluster?.replicas?.length, 2, 'a leader and two followers');
      let roomStreams = 0;
      for await (const info of (await jetstreamManager(app)).streams.list()) {
        assert.equal(info.config.num_replicas, 3, `${info.config.name} is R3`);
        roomStreams++;
      }
      assert.ok(roomStreams > 0, 'the room streams exist');
    } finally {
      await admin.close();
      await app.close();
    }
    // Each node has its own store and account-JWT directory.
    for (const node of pids.keys()) {
      for (const sub of ['jetstream', 'jwt'])
        assert.ok(statSync(join(data, 'nodes', node, sub)).isDirectory());
    }
    const killedAt = Date.now();
    process.kill(pids.get('n2')!, 'SIGKILL');
    const back = await waitForLine(dev, /nats-server n2 is back \(pid \d+/);
    console.log(`dev --cluster: ${back.trim()}`);
    await untilAnswered(() => throughConfig(dev.config, user, device, false));
    console.log(`dev --cluster: a log-in went through ${Date.now() - killedAt} ms after n2 was killed`);
    const restartedPid = Number(back.match(/pid (\d+)/)?.[1]);
    assert.equal(await stopDev(dev, 'SIGTERM'), 0);
    const all = [...pids.values(), restartedPid];
    for (let i = 0; i < 50 && all.some(alive); i++) await sleep(100);
    assert.deepEqual(all.filter(alive), [], 'no nats-server left behind');
  } finally {
    if (dev.child.exitCode === null) dev.child.kill('SIGKILL');
    for (const pid of pids.values()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
});

/** A base port B with B, B+1, B+2, B+10, … B+22 all free on loopback (init --cluster's layout). */
async function freeBase(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + 100 * Math.floor(Math.random() * 400);
    const ports = [0, 1, 2, 10, 11, 12, 20, 21, 22].map((d) => base + d);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return base;
  }
  throw new Error('no free port range for a local cluster');
}

/** Resolves once `url`'s port accepts TCP connections (bounded). */
async function listening(port: number, ms = 15_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 100) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  assert.fail(`nothing listens on ${port} after ${ms} ms`);
}

// Bound: ~45 s. What an operator does: init --cluster, run nats-server with each node's config,
// run the gateway with `start`, and clients sign up through every node's WebSocket URL.
test('init --cluster 3 writes node configs that form a cluster; start serves on it with R3 buckets', async () => {
  const data = join(dir, 'init-cluster');
  const base = await freeBase();
  const made = run(
    'init',
    '--data',
    data,
    '--cluster',
    '3',
    '--port',
    String(base),
    '--ws-port',
    String(base + 1),
    '--route-port',
    String(base + 2),
    '--shards',
    '4',
  );
  assert.equal(made.status, 0, made.stderr);
  const plan = JSON.parse(readFileSync(join(data, 'cluster.json'), 'utf8'));
  assert.equal(plan.replicas, 3);
  assert.deepEqual(
    plan.nodes.map((n: { name: string; port: number }) => [n.name, n.port]),
    [
      ['n1', base],
      ['n2', base + 10],
      ['n3', base + 20],
    ],
  );
  assert.equal(JSON.parse(readFileSync(join(data, 'roomkey.json'), 'utf8')).roomShards, 4);
  const routes = [2, 12, 22].map((d) => `"nats-route://127.0.0.1:${base + d}"`);
  const children: ChildProcess[] = [];
  try {
    for (const [k, name] of ['n1', 'n2', 'n3'].entries()) {
      const file = join(data, 'nodes', name, 'nats-server.conf');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const conf = readFileSync(file, 'utf8');
      assert.match(conf, new RegExp(`^server_name: "${name}"$`, 'm'));
      assert.match(conf, new RegExp(`^port: ${base + 10 * k}$`, 'm'));
      assert.match(
        conf,
        new RegExp(
          `cluster \\{\\n {2}name: "roomkey"\\n {2}host: "127.0.0.1"\\n {2}port: ${base + 2 + 10 * k}\\n`,
        ),
      );
      for (const route of routes) assert.ok(conf.includes(route), `${name} routes to ${route}`);
      assert.ok(conf.includes(`store_dir: ${JSON.stringify(join(data, 'nodes', name, 'jetstream'))}`));
      assert.ok(
        conf.includes(`dir: ${JSON.stringify(join(data, 'nodes', name, 'jwt'))}`),
        'own full resolver dir',
      );
      children.push(spawn('nats-server', ['-c', file], { stdio: 'ignore' }));
    }
    await Promise.all([0, 10, 20].map((d) => listening(base + d)));
    const nats = [0, 10, 20].map((d) => `nats://127.0.0.1:${base + d}`).join(',');
    const gateway = spawn(
      process.execPath,
      [cli, 'start', '--data', data, '--nats', nats, '--creds', join(data, 'gateway.creds')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(gateway);
    let out = '';
    gateway.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    gateway.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < 600 && !out.includes('gateway serving'); i++) {
      if (gateway.exitCode !== null) break;
      await sleep(100);
    }
    assert.match(out, /gateway serving/, out);

    const wsUrls = [1, 11, 21].map((d) => `ws://127.0.0.1:${base + d}`);
    const stack = JSON.parse(readFileSync(join(data, 'roomkey.json'), 'utf8'));
    const user = await makeTestUser('init-cluster-user');
    const device = await makeTestDevice(user);
    // Sign up through n3 alone, log in through n1 alone: one deployment across the nodes.
    const viaN3 = await connectWithLoginCredential({ servers: wsUrls[2]!, loginJwt: stack.loginJwt });
    await signUp(viaN3, {
      username: user.username,
      password: user.password,
      identity: user.identity,
      deviceCertificate: device.certificate,
    }).finally(() => viaN3.close());
    const viaN1 = await connectWithLoginCredential({ servers: wsUrls[0]!, loginJwt: stack.loginJwt });
    const session = await logIn(viaN1, {
      username: user.username,
      password: user.password,
      deviceCertificate: device.certificate,
    }).finally(() => viaN1.close());
    assert.ok(session.userJwt);
    const admin = await wsconnect({
      servers: wsUrls,
      authenticator: credsAuthenticator(readFileSync(join(data, 'gateway.creds'))),
    });
    try {
      const users = await (await jetstreamManager(admin)).streams.info('KV_rk_users');
      assert.equal(users.config.num_replicas, 3, 'replicas from cluster.json');
    } finally {
      await admin.close();
    }
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)),
    );
  }
});

test('init --nodes writes one config per machine; a bad node list is refused with what to fix', () => {
  const data = join(dir, 'init-nodes');
  const made = run('init', '--data', data, '--nodes', 'a=10.0.0.1,b=10.0.0.2,c=10.0.0.3:7222');
  assert.equal(made.status, 0, made.stderr);
  const conf = readFileSync(join(data, 'nodes', 'c', 'nats-server.conf'), 'utf8');
  assert.match(conf, /^server_name: "c"$/m);
  assert.match(conf, /^host: "10\.0\.0\.3"$/m);
  assert.match(conf, /^port: 4222$/m);
  assert.match(conf, /^ {2}port: 7222$/m);
  for (const route of ['10.0.0.1:6222', '10.0.0.2:6222', '10.0.0.3:7222'])
    assert.ok(conf.includes(`"nats-route://${route}"`), route);
  assert.throws(
    () => statSync(join(data, 'nats-server.conf')),
    'no single-server config beside the node configs',
  );

  for (const [args, why] of [
    [['--nodes', 'a=10.0.0.1,b=10.0.0.2'], /3 to 9/],
    [['--nodes', 'a=10.0.0.1,a=10.0.0.2,c=10.0.0.3'], /own name/],
    [['--nodes', 'a 10.0.0.1,b=1,c=2'], /name=host/],
    [['--cluster', '2'], /3 to 9/],
    [['--shards', '0'], /1 to 256/],
  ] as const) {
    const refused = run('init', '--data', join(dir, 'refused'), ...args);
    assert.equal(refused.status, 2, `${args.join(' ')}: ${refused.stderr}`);
    assert.match(refused.stderr, why);
  }
});

test('start refuses a VAPID subject push services would reject, before it connects anywhere', () => {
  for (const subject of ['ops@example.org', 'http://example.org/contact', 'mailto:nobody']) {
    const refused = run(
      'start',
      '--nats',
      'nats://127.0.0.1:9',
      '--creds',
      join(dir, 'none.creds'),
      '--vapid-subject',
      subject,
    );
    assert.equal(refused.status, 2, `${subject}: ${refused.stderr}`);
    assert.match(refused.stderr, /mailto:someone@example\.org or an https: URL/);
  }
});
