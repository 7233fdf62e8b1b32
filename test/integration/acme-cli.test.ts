// The operator's way, with the real CLI: `init --tls-names … --acme-directory …` writes the TLS
// settings, a placeholder certificate and nats-server's TLS blocks; nats-server starts from that
// config; `start` obtains a certificate from Pebble — which really validates HTTP-01 here,
// fetching the key authorization from the gateway's --acme-http-port responder, which reads it
// from KV — puts it into nats-server (files + SIGHUP through the pid file the config names), and
// `status` shows it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { launchNatsServer, type NatsServerProcess } from '../../gateway/nats-process.ts';
import { freePort, startPebble, type TestPebble } from '../helpers/pebble.ts';

const cli = new URL('../../gateway/cli.ts', import.meta.url).pathname;
let dir: string;
let data: string;
let pebble: TestPebble;
let http01Port: number;
let nats: NatsServerProcess | undefined;
let gateway: ChildProcess | undefined;
const gatewayLog: string[] = [];

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env },
  });
}

before(async () => {
  http01Port = await freePort();
  pebble = await startPebble({ validateOnPort: http01Port });
  dir = mkdtempSync(join(tmpdir(), 'roomkey-acme-cli-'));
  data = join(dir, 'data');
});

after(async () => {
  gateway?.kill('SIGKILL');
  await nats?.stop();
  await pebble?.stop();
  if (process.env['ROOMKEY_TEST_LOG']) console.error(gatewayLog.join(''));
  rmSync(dir, { recursive: true, force: true });
});

test('init refuses a bad name or a plain-http ACME directory, and writes nothing', () => {
  const bad = run(['init', '--data', data, '--tls-names', 'https://chat.example.org']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /not a DNS name/);
  const http = run([
    'init',
    '--data',
    data,
    '--tls-names',
    'localhost',
    '--acme-directory',
    'http://127.0.0.1/dir',
  ]);
  assert.equal(http.status, 2, http.stderr);
  assert.match(http.stderr, /https/);
  assert.equal(run(['status', '--data', data]).status, 2, 'no deployment was made');
});

test('init --tls-names: settings, a placeholder certificate, TLS 1.3 blocks and a pid file in the config', () => {
  const made = run([
    'init',
    '--data',
    data,
    '--tls-names',
    'localhost',
    '--acme-directory',
    pebble.directoryUrl,
    '--acme-email',
    'ops@example.org',
  ]);
  assert.equal(made.status, 0, made.stderr);
  const settings = JSON.parse(readFileSync(join(data, 'tls.json'), 'utf8'));
  assert.deepEqual(settings.names, ['localhost']);
  assert.equal(settings.acmeDirectory, pebble.directoryUrl);
  assert.match(readFileSync(join(data, 'tls', 'cert.pem'), 'utf8'), /BEGIN CERTIFICATE/);
  const config = readFileSync(join(data, 'nats-server.conf'), 'utf8');
  assert.match(config, /websocket \{\n {2}host: "0\.0\.0\.0"\n {2}port: 4223\n {2}tls \{/);
  assert.match(config, /cipher_suites: \["TLS_AES_128_GCM_SHA256"/);
  assert.doesNotMatch(config, /no_tls/);
  assert.match(config, /pid_file: ".*nats-server\.pid"/);
});

test('start obtains the certificate over real HTTP-01, nats-server serves it, status shows it', async () => {
  // The generated config, on free loopback ports for the test (0.0.0.0 and 4222/4223 in production).
  const configFile = join(dir, 'nats-test.conf');
  writeFileSync(
    configFile,
    `${readFileSync(join(data, 'nats-server.conf'), 'utf8')
      .replace(/^port: 4222$/m, 'port: -1')
      .replace(/^ {2}port: 4223$/m, '  port: -1')
      .replaceAll('"0.0.0.0"', '"127.0.0.1"')}\nports_file_dir: ${JSON.stringify(dir)}\n`,
  );
  nats = await launchNatsServer({ configFile, portsDir: dir });
  const wsPort = Number(new URL(nats.wsUrl).port);
  const placeholder = readFileSync(join(data, 'tls', 'cert.pem'), 'utf8');
  assert.equal(
    await servedCert(wsPort, placeholder),
    'placeholder served',
    'nats-server starts on the placeholder',
  );

  gateway = spawn(
    process.execPath,
    [
      cli,
      'start',
      '--data',
      data,
      '--nats',
      nats.clientUrl,
      '--creds',
      join(data, 'gateway.creds'),
      '--acme-http-port',
      String(http01Port),
    ],
    // Node trusts Pebble's own HTTPS (the ACME API) through this, in this child only.
    {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: pebble.tlsCertFile, ROOMKEY_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  gateway.stdout!.on('data', (c: Buffer) => gatewayLog.push(c.toString()));
  gateway.stderr!.on('data', (c: Buffer) => gatewayLog.push(c.toString()));

  const root = await pebble.issuingRootPem();
  const deadline = Date.now() + 30_000;
  let served = '';
  while (Date.now() < deadline) {
    served = await servedCert(wsPort, root).catch((error: Error) => error.message);
    if (served === 'verified') break;
    await sleep(250);
  }
  assert.equal(served, 'verified', `wss serves a certificate from Pebble:\n${gatewayLog.join('')}`);
  assert.match(gatewayLog.join(''), /certificate for localhost obtained/);

  const status = run(['status', '--data', data, '--nats', nats.clientUrl]);
  assert.equal(status.status, 0, status.stderr);
  assert.match(
    status.stdout,
    /certificate: localhost: valid until \S+ \([\d.]+ days\); renewed \S+ by \S+; next renewal from/,
  );
});

/** 'verified' if the wss port's certificate verifies against `ca` for localhost; 'placeholder served' for the placeholder. */
async function servedCert(port: number, ca: string): Promise<string> {
  const socket = tcpConnect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const secure = tlsConnect({ socket, servername: 'localhost', ca, minVersion: 'TLSv1.3' });
  try {
    await new Promise((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    const self = secure.getPeerX509Certificate()!;
    return self.issuer === self.subject ? 'placeholder served' : 'verified';
  } finally {
    secure.destroy();
  }
}
