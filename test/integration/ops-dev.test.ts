// The operator's view of a real local stack, as run from the command line: `dev --log-level debug`
// with users signing up, a room, messages; a second gateway by `start --http-port 0`; then
// `status` (nodes, streams, buckets, both gateways, certificate), /healthz, /readyz and /metrics
// on both HTTP listeners, and the whole output of both processes scanned for the users' names,
// passwords and message texts.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RoomKeySession } from '../../core/client/session.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { TEST_STORE_PARAMS } from '../helpers/stack.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'roomkey-ops-'));
const data = join(tmp, 'data');
const run = process.pid.toString(36);
const secrets = {
  names: [`carol-ops-${run}`, `dave-ops-${run}`],
  passwords: [`Blue whale ${run} sings`, `Zx!9-${run}-qq`],
  texts: [`the vault opens at ${run} o'clock`, `bring the ${run} umbrella`],
  roomName: `Quarterly plans ${run}`,
};

interface Running {
  child: ChildProcess;
  output(): string;
}
const processes: Running[] = [];
const sessions: RoomKeySession[] = [];
let web = '';
let natsUrl = '';
let wsUrl = '';
let startHttp = '';

function launch(args: string[], ready: RegExp): Promise<Running> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const running = { child, output: () => out };
  processes.push(running);
  return (async () => {
    for (let i = 0; i < 600 && !ready.test(out) && child.exitCode === null; i++) await sleep(100);
    assert.match(out, ready, `${args[0]} did not come up:\n${out}`);
    return running;
  })();
}

before(async () => {
  const dev = await launch(
    ['dev', '--data', data, '--http-port', '0', '--log-level', 'debug'],
    /Ctrl-C stops/,
  );
  const field = (name: string) => dev.output().match(new RegExp(`^\\s+${name}\\s+(\\S+)`, 'm'))?.[1] ?? '';
  web = field('demo').replace(/\/$/, '');
  natsUrl = field('NATS');
  wsUrl = field('WebSocket');
  const config = (await (await fetch(`${web}/roomkey-config.json`)).json()) as { loginJwt: string };
  const clientConfig = { servers: wsUrl, loginJwt: config.loginJwt, requestTimeoutMs: 5000 };
  const signUp = async (k: number) => {
    const session = await RoomKeySession.signUp({
      config: clientConfig,
      backend: new MemoryBackend(),
      storeParams: TEST_STORE_PARAMS,
      username: secrets.names[k]!,
      password: secrets.passwords[k]!,
    });
    sessions.push(session);
    return session;
  };
  const carol = await signUp(0);
  const dave = await signUp(1);
  const room = await carol.createRoom(secrets.roomName);
  await carol.invite(room.roomId, secrets.names[1]!);
  for (const text of secrets.texts) await carol.send(room.roomId, text);
  const read = await dave.history(room.roomId);
  assert.equal(read.length, secrets.texts.length);

  const paths = stackPaths(data);
  const start = await launch(
    [
      'start',
      '--nats',
      natsUrl,
      '--creds',
      paths.gatewayCreds,
      '--data',
      data,
      '--http-port',
      '0',
      '--log-level',
      'debug',
    ],
    /gateway serving on/,
  );
  startHttp = /health and metrics on (http:\/\/127\.0\.0\.1:\d+)/.exec(start.output())?.[1] ?? '';
  assert.ok(startHttp, `start printed its HTTP address:\n${start.output()}`);
});

after(async () => {
  await Promise.allSettled(sessions.map((s) => s.close()));
  for (const { child } of processes.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
  rmSync(tmp, { recursive: true, force: true });
});

test('status shows the node, the room streams and buckets with sizes and replicas, both gateways, no certificate', () => {
  const result = spawnSync(process.execPath, [cli, 'status', '--data', data], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const out = result.stdout;
  assert.match(
    out,
    /^nodes \(1\):\n {2}\S+ +nats-server 2\.\d+\.\d+ {2}up \S+ {2}\d+ connections {2}0 routes/m,
  );
  assert.match(out, /^streams \(16, [1-9]\d* messages, .+\):$/m);
  assert.match(out, /^ {2}RK_ROOMS_0 +\d+ messages +[\d.]+ (B|KiB) {2}R1 {2}leader \S+$/m);
  assert.match(out, /^ {2}rk_rooms +1 entries +[\d.]+ (B|KiB) {2}R1/m, 'one room record');
  assert.match(out, /^ {2}rk_users +2 entries/m, 'two users');
  assert.match(out, /^gateways connected \(2\):$/m);
  assert.equal(
    out.match(/^ {2}roomkey-gateway {2}from 127\.0\.0\.1 {2}on \S+ {2}up \S+ {2}rtt \S+$/gm)?.length,
    2,
  );
  assert.match(out, /^certificate: none \(plain ws on loopback\)$/m);

  const json = spawnSync(process.execPath, [cli, 'status', '--data', data, '--nats', natsUrl, '--json'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(json.status, 0, json.stderr);
  const status = JSON.parse(json.stdout) as {
    buckets: Array<{ name: string; replicas: number }>;
    gateways: unknown[];
  };
  assert.equal(status.gateways.length, 2);
  assert.ok(status.buckets.some((b) => b.name === 'rk_credentials' && b.replicas === 1));
});

test('status says plainly when NATS is not there', () => {
  const result = spawnSync(
    process.execPath,
    [cli, 'status', '--data', data, '--nats', 'nats://127.0.0.1:1'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  assert.equal(result.status, 2);
  assert.match(result.stderr, /Is NATS running \(--nats URL\)/);
});

test('both HTTP listeners answer /healthz, /readyz and /metrics', async () => {
  for (const base of [web, startHttp]) {
    assert.equal((await fetch(`${base}/healthz`)).status, 200, base);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200, `${base}: ${await ready.clone().text()}`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^roomkey_rooms 1$/m, base);
    assert.match(metrics, /^roomkey_process_resident_memory_bytes \d+/m, 'process metrics too');
  }
  const devMetrics = await (await fetch(`${web}/metrics`)).text();
  assert.match(
    devMetrics,
    /^roomkey_requests_total\{endpoint="rk\.v1\.gw\.device\.room\.create",outcome="ok"\} 1$/m,
  );
  assert.match(devMetrics, /^roomkey_logins_total\{result="success"\} [2-9]/m);
  assert.equal(
    (await fetch(`${web}/roomkey-config.json`)).status,
    200,
    'the demo server still serves its files',
  );
});

test("the processes' output is JSON logs and holds no name, password or message text", () => {
  const [dev, start] = processes;
  const all = `${dev!.output()}\n${start!.output()}`;
  const json = all.split('\n').filter((line) => line.startsWith('{'));
  assert.ok(json.length >= 20, `debug request lines were logged (${json.length})`);
  for (const line of json) assert.equal((JSON.parse(line) as { service: string }).service, 'roomkey-gateway');
  assert.match(all, /"component":"requests".*"endpoint":"rk\.v1\.gw\.anon\.register\.start"/);
  for (const secret of [...secrets.names, ...secrets.passwords, ...secrets.texts, secrets.roomName]) {
    assert.ok(!all.toLowerCase().includes(secret.toLowerCase()), `the output does not contain "${secret}"`);
  }
});
