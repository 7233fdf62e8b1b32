// Certificates from ACME (Pebble, Let's Encrypt's test CA, on loopback), kept centrally and put
// into service everywhere, the way two gateways beside one nats-server would: nats-server starts
// with init's placeholder certificate; both gateways' renewers run, one gets the KV lock and
// orders; both serve the result (files + SIGHUP to nats-server, setSecureContext on HTTPS). Then
// a renewal at 2/3 of the lifetime (the renewers' clock jumps) replaces it again. An HTTPS
// connection open before either change is the same connection after it. A NATS client is closed
// by nats-server 2.9.10's reload itself (operator mode: every JWT client, on any reload) and must
// be back within seconds on its own; a gateway restarting with the same certificate must not make
// nats-server reload at all.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { fromHex } from '../../core/bytes.ts';
import { startAcmeHttp } from '../../gateway/acme-http.ts';
import { writeBootstrapCertificate } from '../../gateway/cert-bootstrap.ts';
import { natsCertFiles, serveCertificates } from '../../gateway/cert-serving.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { readinessProbe } from '../../gateway/health.ts';
import { initStack } from '../../gateway/init.ts';
import { GatewayMetrics } from '../../gateway/metrics.ts';
import { natsServerConfig } from '../../gateway/nats-config.ts';
import { launchNatsServer, type NatsServerProcess } from '../../gateway/nats-process.ts';
import { type OpsServer, opsRoutes, startOpsServer } from '../../gateway/ops-http.ts';
import { deriveServerKeys } from '../../gateway/server-keys.ts';
import { runStatus } from '../../gateway/status.ts';
import { startTlsService, type TlsService } from '../../gateway/tls-service.ts';
import { type TlsSettings, tlsSettingsFrom } from '../../gateway/tls-settings.ts';
import { startPebble, type TestPebble } from '../helpers/pebble.ts';

const NAME = 'localhost';
const LOCK_TTL_MS = 3000;
let dir: string;
let dataDir: string;
let pebble: TestPebble;
let rootPem: string;
let placeholderPem: string;
let placeholder: { certPem: string; keyPem: string };
let nats: NatsServerProcess;
let natsTls: { ca: string; servername: string };
let settings: TlsSettings;
/** The renewers' clock: now, until a test moves it. */
let jumpedTo: number | undefined;
const clock = () => jumpedTo ?? Date.now();
const logs: string[] = [];
const gateways: Array<{ name: string; tls: TlsService; ops: OpsServer; metrics: GatewayMetrics }> = [];
// Clients connected before the first certificate and kept to the end.
let observer: NatsConnection;
const observerEvents: string[] = [];
const keepAlive = new HttpsAgent({ keepAlive: true, maxSockets: 1 });

before(async () => {
  pebble = await startPebble();
  rootPem = await pebble.issuingRootPem();
  dir = mkdtempSync(join(tmpdir(), 'roomkey-acme-'));
  dataDir = join(dir, 'data');
  const stack = await initStack({ dir: dataDir });
  settings = tlsSettingsFrom({
    names: NAME,
    acmeDirectory: pebble.directoryUrl,
    certDir: join(dataDir, 'tls'),
  });
  placeholder = writeBootstrapCertificate(settings.certDir, settings.names);
  placeholderPem = placeholder.certPem;
  const configFile = join(dir, 'nats-server.conf');
  writeFileSync(
    configFile,
    natsServerConfig({
      stack: stack.public,
      port: -1,
      wsPort: -1,
      storeDir: join(dir, 'jetstream'),
      portsFileDir: dir,
      tls: { ...natsCertFiles(settings.certDir), clientPort: true },
    }),
  );
  nats = await launchNatsServer({
    configFile,
    portsDir: dir,
    ...(process.env['ROOMKEY_TEST_NATS_LOG'] ? { log: (line: string) => logs.push(`nats ${line}`) } : {}),
  });
  // Clients here trust the placeholder (to get going) and Pebble's root (what comes next).
  natsTls = { ca: `${placeholderPem}\n${rootPem}`, servername: NAME };

  observer = await connect({
    servers: nats.clientUrl,
    tls: natsTls,
    authenticator: gatewayAuth(),
    name: 'observer',
  });
  void (async () => {
    for await (const s of observer.status()) observerEvents.push(s.type);
  })();

  const keys = deriveServerKeys(fromHex(stack.secrets.serverSecret));
  for (const name of ['gw-a', 'gw-b']) {
    const ops = await startOpsServer({
      routes: opsRoutes({ probe: async () => ({ ready: true, checks: [] }) }),
      port: 0,
      tls: placeholder,
    });
    const tls = await startTlsService({
      // gw-a shares the machine with nats-server (its files and SIGHUP); gw-b is elsewhere.
      settings: name === 'gw-a' ? settings : { ...settings, certDir: join(dir, `${name}-files`) },
      servers: [nats.clientUrl],
      gatewayCreds: gatewayCreds(),
      keys,
      ...(name === 'gw-a' ? { natsPid: () => nats.pid } : {}),
      listeners: [ops],
      natsTls,
      renewer: name,
      lockTtlMs: LOCK_TTL_MS,
      skipChallengeVerification: true,
      now: clock,
      log: (level, line) => logs.push(`${name} ${level} ${line}`),
    });
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.watchCertificate(() => tls.serving.state()?.notAfterMs);
    gateways.push({ name, tls, ops, metrics });
  }
});

after(async () => {
  if (process.env['ROOMKEY_TEST_LOG']) console.error(logs.join('\n'));
  for (const g of gateways) {
    await g.tls.stop();
    await g.ops.stop();
  }
  keepAlive.destroy();
  await observer?.close();
  await nats?.stop();
  await pebble?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function gatewayCreds(): Uint8Array {
  return readFileSync(stackPaths(dataDir).gatewayCreds);
}
function gatewayAuth() {
  return credsAuthenticator(gatewayCreds());
}
function port(url: string): number {
  return Number(new URL(url).port);
}

/** A TLS 1.3 handshake that must verify against `ca` for NAME; after the NATS INFO line when `infoFirst`. */
async function tlsHandshake(target: number, ca: string, infoFirst: boolean): Promise<TLSSocket> {
  const socket = tcpConnect(target, '127.0.0.1');
  socket.setTimeout(5000, () => socket.destroy(new Error(`no answer on ${target}`)));
  if (infoFirst) {
    await new Promise<void>((resolve, reject) => {
      socket.once('data', () => resolve()).once('error', reject);
    });
  } else await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.setTimeout(0);
  const secure = tlsConnect({ socket, servername: NAME, ca, minVersion: 'TLSv1.3' });
  await new Promise((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
  assert.ok(secure.authorized, `the certificate on ${target} verifies for ${NAME}`);
  return secure;
}

/** The serial of the leaf a new handshake on each listener gets, verified against Pebble's root only. */
async function servedSerials(): Promise<string[]> {
  const targets: Array<[number, boolean]> = [
    [port(nats.wsUrl), false],
    [port(nats.clientUrl), true],
    ...gateways.map((g): [number, boolean] => [port(g.ops.url), false]),
  ];
  const serials: string[] = [];
  for (const [target, infoFirst] of targets) {
    const socket = await tlsHandshake(target, rootPem, infoFirst);
    serials.push(socket.getPeerX509Certificate()!.serialNumber);
    socket.destroy();
  }
  return serials;
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logs.join('\n')}`);
    await sleep(50);
  }
}

/** A GET over the kept-alive HTTPS connection; returns the local port of the socket it used. */
function keptAliveGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}/healthz`,
      { agent: keepAlive, ca: `${placeholderPem}\n${rootPem}`, servername: NAME },
      (res) => {
        res.resume();
        res.on('end', () => resolve(req.socket!.localPort!));
      },
    );
    req.on('error', reject).end();
  });
}

const count = (type: string) => observerEvents.filter((t) => t === type).length;

/** The NATS client is connected and answering; each reload cost at most one reconnect. */
async function natsClientBack(reloads: number): Promise<void> {
  await waitFor('the NATS client to be back', () => count('reconnect') === count('disconnect'), 10_000);
  assert.equal(observer.isClosed(), false, `observer events: ${observerEvents}`);
  await observer.flush();
  assert.ok(count('disconnect') <= reloads, `at most ${reloads} reconnects: ${observerEvents}`);
  // The gateways' own connections were closed by the same reload: wait until they answer too.
  for (const g of gateways) await answering(g.tls.connection);
}

async function answering(nc: NatsConnection): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await nc.flush();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

const obtained = () => logs.filter((l) => / info certificate for .* obtained/.test(l));

test('the first certificate: one gateway orders it under the lock, every listener serves it, HTTPS connections stay, NATS clients come back', async () => {
  const opsPort = port(gateways[0]!.ops.url);
  const before = await keptAliveGet(`https://127.0.0.1:${opsPort}`);
  await waitFor('both gateways to serve a certificate from ACME', () =>
    gateways.every((g) => g.tls.serving.current() !== undefined),
  );
  assert.equal(obtained().length, 1, `exactly one gateway ordered:\n${logs.join('\n')}`);
  const record = gateways[0]!.tls.serving.current()!;
  assert.ok(['gw-a', 'gw-b'].includes(record.renewer));
  assert.deepEqual(record.names, [NAME]);
  assert.match(new X509Certificate(record.certPem).issuer, /Pebble/);
  const serial = new X509Certificate(record.certPem).serialNumber;
  // nats-server reloads on SIGHUP: poll until the new handshakes show it.
  let serials: string[] = [];
  for (let i = 0; i < 50; i++) {
    serials = await servedSerials();
    if (serials.every((s) => s === serial)) break;
    await sleep(100);
  }
  assert.deepEqual(
    serials,
    serials.map(() => serial),
    'every listener serves the certificate from KV',
  );
  await natsClientBack(1);
  assert.equal(await keptAliveGet(`https://127.0.0.1:${opsPort}`), before, 'the HTTPS connection was kept');
  for (const g of gateways) assert.equal(g.tls.state().valid, true, g.tls.state().detail);
});

test('at 2/3 of its lifetime the certificate is renewed once and reloaded; HTTPS connections stay, NATS clients come back', async () => {
  const first = gateways[0]!.tls.serving.current()!;
  const opsPort = port(gateways[0]!.ops.url);
  const before = await keptAliveGet(`https://127.0.0.1:${opsPort}`);
  assert.deepEqual(
    await Promise.all(gateways.map((g) => g.tls.renewer.check())),
    ['fresh', 'fresh'],
    'not yet due',
  );
  jumpedTo = Math.round(first.notBeforeMs + 0.7 * (first.notAfterMs - first.notBeforeMs));
  const outcomes = await Promise.all(gateways.map((g) => g.tls.renewer.check()));
  assert.equal(outcomes.filter((o) => o === 'renewed').length, 1, `one renewal: ${outcomes}`);
  assert.equal(obtained().length, 2);
  await waitFor('both gateways to serve the renewed certificate', () =>
    gateways.every((g) => g.tls.serving.current()?.certPem !== first.certPem),
  );
  const renewed = gateways[1]!.tls.serving.current()!;
  assert.equal(renewed.renewedAtMs, jumpedTo);
  const serial = new X509Certificate(renewed.certPem).serialNumber;
  assert.notEqual(serial, new X509Certificate(first.certPem).serialNumber);
  let serials: string[] = [];
  for (let i = 0; i < 50; i++) {
    serials = await servedSerials();
    if (serials.every((s) => s === serial)) break;
    await sleep(100);
  }
  assert.deepEqual(
    serials,
    serials.map(() => serial),
    'every listener serves the renewed certificate',
  );
  await natsClientBack(2);
  assert.equal(await keptAliveGet(`https://127.0.0.1:${opsPort}`), before, 'the HTTPS connection was kept');
});

test('a gateway restarting with the certificate already in place does not make nats-server reload', async () => {
  const seen = observerEvents.length;
  const restarted = await serveCertificates({
    store: gateways[0]!.tls.store,
    nats: { dir: settings.certDir, pid: () => nats.pid },
  });
  try {
    await waitFor('the restarted gateway to load the certificate', () => restarted.current() !== undefined);
    await sleep(1500);
    assert.deepEqual(observerEvents.slice(seen), [], 'no reload, so no client was closed');
  } finally {
    restarted.stop();
  }
});

test('certificate state: readiness, the expiry gauge (no names in labels) and `status`', async () => {
  const g = gateways[0]!;
  const record = g.tls.serving.current()!;
  const probe = readinessProbe({
    app: observer,
    buckets: {} as never,
    certificate: () => g.tls.state(),
  });
  const readiness = await probe();
  const cert = readiness.checks.find((c) => c.name === 'certificate')!;
  assert.equal(cert.ok, true);
  assert.match(cert.detail, /valid until/);

  const text = await g.metrics.text();
  const seconds = Number(/^roomkey_certificate_expiry_seconds (\S+)$/m.exec(text)?.[1]);
  const expected = (record.notAfterMs - Date.now()) / 1000;
  assert.ok(Math.abs(seconds - expected) < 60, `gauge ${seconds} s ≈ ${expected} s`);
  assert.doesNotMatch(text, /localhost/, 'no names in metrics');

  const status = await runStatus({ dir: dataDir, servers: [nats.clientUrl], natsTls });
  assert.match(
    status,
    new RegExp(
      `certificate: ${NAME}: valid until \\S+ \\(\\d+\\.\\d days\\); renewed \\S+ by gw-[ab]; next renewal from`,
    ),
  );
  assert.doesNotMatch(status, /BEGIN|PRIVATE/);
});

test('the renewal lock: one holder at a time, freed by its holder or by the bucket TTL if it dies', async () => {
  const store = gateways[0]!.tls.store;
  const lock = await store.tryLock('holder-1');
  assert.ok(lock);
  assert.equal(await store.tryLock('holder-2'), undefined);
  assert.equal(await store.lockHolder(), 'holder-1');
  await lock.release();
  const crashed = await store.tryLock('holder-3');
  assert.ok(crashed, 'free again after release');
  // holder-3 "dies" without releasing: the bucket's max age frees it.
  assert.equal(await store.tryLock('holder-4'), undefined);
  await sleep(LOCK_TTL_MS + 1500);
  const next = await store.tryLock('holder-4');
  assert.ok(next, 'free after the lock TTL');
  await crashed.release(); // a late release does not free holder-4's lock
  assert.equal(await store.lockHolder(), 'holder-4');
  await next.release();
});

test('HTTP-01: any gateway answers the key authorization from KV; nothing else', async () => {
  const store = gateways[1]!.tls.store;
  const http01 = await startAcmeHttp({ store, port: 0 });
  try {
    await store.putChallenge('tok_EN-1', 'tok_EN-1.thumbprint');
    const get = async (path: string) => {
      const res = await fetch(`${http01.url}${path}`, { redirect: 'manual' });
      return { status: res.status, body: await res.text() };
    };
    assert.deepEqual(await get('/.well-known/acme-challenge/tok_EN-1'), {
      status: 200,
      body: 'tok_EN-1.thumbprint',
    });
    assert.equal((await get('/.well-known/acme-challenge/unknown')).status, 404);
    assert.equal((await get('/.well-known/acme-challenge/..%2F..%2Fetc')).status, 404);
    assert.equal((await get('/anything')).status, 301);
    await store.removeChallenge('tok_EN-1');
    assert.equal((await get('/.well-known/acme-challenge/tok_EN-1')).status, 404);
  } finally {
    await http01.stop();
  }
});
