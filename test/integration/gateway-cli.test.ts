// The CLI as users run it: `init` writes a deployment (secrets mode 600, no silent overwrite), and
// `dev` brings up nats-server + gateway + HTTP, prints its URLs, serves a working stack, and leaves
// no process behind on SIGTERM or Ctrl-C (SIGINT).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { logIn, signUp } from '../../core/client/auth.ts';
import { UnavailableError } from '../../core/errors.ts';
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

/** Retries `call` while the gateway is not answering yet (reconnecting after a restart), ≤ 20 s. */
async function untilAnswered<T>(call: () => Promise<T>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof UnavailableError) || Date.now() > deadline) throw error;
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
