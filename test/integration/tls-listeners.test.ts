// TLS 1.3 only, on every listener a browser or another server reaches, against the real servers:
// nats-server 2.9.10 with the config natsServerConfig writes (WebSocket, client port, cluster
// routes) and the gateway's HTTPS listeners (ops, config/static). On each, a TLS 1.3 client
// completes the handshake and a client capped at TLS 1.2 is refused. 2.9.10 has no min_version:
// the config lists only TLS 1.3 suites (tls-policy.ts), which this test shows is enough.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { initStack } from '../../gateway/init.ts';
import { natsServerConfig } from '../../gateway/nats-config.ts';
import { launchNatsServer, type NatsServerProcess } from '../../gateway/nats-process.ts';
import { type OpsServer, opsRoutes, startOpsServer } from '../../gateway/ops-http.ts';
import { type StaticServer, startStaticServer } from '../../gateway/static-server.ts';
import { makeTestCertificate, type TestCertificate } from '../helpers/pebble.ts';

let dir: string;
let cert: TestCertificate;
/** The routes' own certificate, as init makes one: presented and trusted by routes only, both ways. */
let route: TestCertificate;
let nats: NatsServerProcess;
let ops: OpsServer;
let web: StaticServer;
const ports = { client: 0, ws: 0, cluster: 0 };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roomkey-tls-'));
  cert = makeTestCertificate(dir, ['localhost', '127.0.0.1']);
  route = makeTestCertificate(dir, ['localhost', '127.0.0.1'], 'route');
  const stack = await initStack({ dir: join(dir, 'data') });
  const configFile = join(dir, 'nats-server.conf');
  writeFileSync(
    configFile,
    natsServerConfig({
      stack: stack.public,
      port: -1,
      wsPort: -1,
      storeDir: join(dir, 'jetstream'),
      portsFileDir: dir,
      serverName: 'tls-n1',
      // JetStream in a cluster wants a route; this one leads nowhere (port 9, discard), which is fine here.
      cluster: { name: 'tls-test', port: -1, routes: ['nats-route://127.0.0.1:9'] },
      tls: {
        certFile: cert.certFile,
        keyFile: cert.keyFile,
        clientPort: true,
        route: { certFile: route.certFile, keyFile: route.keyFile },
      },
    }),
  );
  nats = await launchNatsServer({ configFile, portsDir: dir });
  const file = readdirSync(dir).find((f) => f.endsWith('.ports'))!;
  const listed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string[]>;
  ports.client = Number(new URL(listed['nats']![0]!).port);
  ports.ws = Number(new URL(listed['websocket']![0]!).port);
  ports.cluster = Number(new URL(listed['cluster']![0]!).port);
  const tls = { certPem: cert.certPem, keyPem: cert.keyPem };
  ops = await startOpsServer({
    routes: opsRoutes({ probe: async () => ({ ready: true, checks: [] }) }),
    port: 0,
    tls,
  });
  web = await startStaticServer({
    roots: {},
    config: { version: 1, natsWebSocketUrl: 'wss://x', loginJwt: 'x' },
    tls,
  });
});

after(async () => {
  await ops?.stop();
  await web?.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Version = 'TLSv1.2' | 'TLSv1.3';

/** Handshake on `port` at exactly `version`; after the NATS INFO line when `infoFirst`. */
async function handshake(
  port: number,
  version: Version,
  infoFirst: boolean,
  trust: TestCertificate = cert,
  /** Present this certificate as the client's (mutual TLS on routes). */
  identity?: TestCertificate,
): Promise<string> {
  const socket = tcpConnect(port, '127.0.0.1');
  // Bounded: a listener that says nothing fails the test in seconds instead of hanging it.
  socket.setTimeout(5000, () => socket.destroy(new Error(`no answer on ${port} within 5 s`)));
  if (infoFirst) {
    // NATS client and route ports greet in plain text (INFO … tls_required), then upgrade.
    const info = await new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\r\n')) resolve(text);
      });
      socket.once('error', reject);
    });
    socket.removeAllListeners('data');
    assert.match(info, /"tls_required":true/, `INFO on ${port} asks for TLS`);
  } else {
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  }
  const secure: TLSSocket = tlsConnect({
    socket,
    servername: 'localhost',
    ca: trust.certPem,
    ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}),
    minVersion: version,
    maxVersion: version,
  });
  try {
    await new Promise((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    return secure.getProtocol() ?? 'none';
  } finally {
    secure.destroy();
    socket.destroy();
  }
}

const listeners = () => [
  { name: 'NATS WebSocket (wss)', port: ports.ws, infoFirst: false },
  { name: 'NATS client port', port: ports.client, infoFirst: true },
  // A route's TLS handshake comes first (2.9 greets an accepted route only after it).
  { name: 'NATS cluster routes', port: ports.cluster, infoFirst: false, trust: route, identity: route },
  { name: 'gateway HTTPS (ops)', port: Number(new URL(ops.url).port), infoFirst: false },
  { name: 'gateway HTTPS (config, static)', port: Number(new URL(web.url).port), infoFirst: false },
];

test('every listener completes a TLS 1.3 handshake with the configured certificate', async () => {
  assert.match(ops.url, /^https:/);
  assert.match(web.url, /^https:/);
  for (const l of listeners()) {
    assert.equal(await handshake(l.port, 'TLSv1.3', l.infoFirst, l.trust, l.identity), 'TLSv1.3', l.name);
  }
});

test('every listener refuses a client that speaks at most TLS 1.2', async () => {
  for (const l of listeners()) {
    await assert.rejects(
      handshake(l.port, 'TLSv1.2', l.infoFirst, l.trust, l.identity),
      (error: Error & { code?: string }) => {
        // The server answers with a handshake_failure / protocol_version alert, or just closes.
        assert.match(`${error.code} ${error.message}`, /alert|ECONNRESET|socket disconnected|EPIPE/i, l.name);
        return true;
      },
      `${l.name} must refuse TLS 1.2`,
    );
  }
});

test('the HTTPS listeners answer over TLS 1.3 (a request, not just a handshake)', async () => {
  const { request } = await import('node:https');
  const status = await new Promise<number>((resolve, reject) => {
    request(`${ops.url}/healthz`, { ca: cert.certPem, servername: 'localhost' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(status, 200);
});

// nats-server asks a route peer for its certificate whenever routes have TLS; `ca_file` (the route
// certificate itself) decides which one it takes. Fails when routes use the ACME certificate instead.
test('routes are mutual TLS on the route certificate: a peer without it gets no INFO, one with it does', async () => {
  const greeting = async (identity?: TestCertificate) => {
    const secure = tlsConnect({
      host: '127.0.0.1',
      port: ports.cluster,
      servername: 'localhost',
      ca: route.certPem,
      ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}),
    });
    secure.setTimeout(5000, () => secure.destroy(new Error('no answer within 5 s')));
    try {
      return await new Promise<string>((resolve) => {
        secure.once('data', (chunk: Buffer) => resolve(chunk.toString().slice(0, 4)));
        secure.once('error', (error) => resolve(`refused: ${error.message}`));
        secure.once('close', () => resolve('closed'));
      });
    } finally {
      secure.destroy();
    }
  };
  assert.equal(await greeting(route), 'INFO');
  assert.notEqual(await greeting(), 'INFO', 'no client certificate');
  assert.notEqual(await greeting(cert), 'INFO', 'a certificate the routes do not trust');
});
