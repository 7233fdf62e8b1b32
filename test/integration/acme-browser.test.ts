// A browser on the certificate from ACME: Chromium opens the NATS WebSocket over wss (TLS 1.3)
// once a gateway has obtained a certificate from Pebble and nats-server reloaded it. Chromium
// trusts Pebble's issuing CA in this test only (--ignore-certificate-errors-spki-list with its key:
// the flag accepts a chain whose presented certificates contain that key), and the same page in a Chromium
// without that flag is refused — nothing else made the connection succeed.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { chromium } from 'playwright-core';
import { fromHex } from '../../core/bytes.ts';
import { writeBootstrapCertificate } from '../../gateway/cert-bootstrap.ts';
import { natsCertFiles } from '../../gateway/cert-serving.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { initStack } from '../../gateway/init.ts';
import { natsServerConfig } from '../../gateway/nats-config.ts';
import { launchNatsServer, type NatsServerProcess } from '../../gateway/nats-process.ts';
import { deriveServerKeys } from '../../gateway/server-keys.ts';
import { startTlsService, type TlsService } from '../../gateway/tls-service.ts';
import { tlsSettingsFrom } from '../../gateway/tls-settings.ts';
import { startPebble, type TestPebble } from '../helpers/pebble.ts';

const CHROMIUM = process.env['ROOMKEY_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
let dir: string;
let pebble: TestPebble;
let rootPem: string;
let nats: NatsServerProcess;
let tls: TlsService;

before(async () => {
  pebble = await startPebble();
  rootPem = await pebble.issuingRootPem();
  dir = mkdtempSync(join(tmpdir(), 'roomkey-acme-browser-'));
  const stack = await initStack({ dir: join(dir, 'data') });
  const settings = tlsSettingsFrom({
    names: 'localhost',
    acmeDirectory: pebble.directoryUrl,
    certDir: join(dir, 'tls'),
  });
  writeBootstrapCertificate(settings.certDir, settings.names);
  const configFile = join(dir, 'nats-server.conf');
  writeFileSync(
    configFile,
    natsServerConfig({
      stack: stack.public,
      port: -1,
      wsPort: -1,
      storeDir: join(dir, 'jetstream'),
      portsFileDir: dir,
      tls: natsCertFiles(settings.certDir),
    }),
  );
  nats = await launchNatsServer({ configFile, portsDir: dir });
  tls = await startTlsService({
    settings,
    servers: [nats.clientUrl],
    gatewayCreds: readFileSync(stackPaths(stack.dir).gatewayCreds),
    keys: deriveServerKeys(fromHex(stack.secrets.serverSecret)),
    natsPid: () => nats.pid,
    skipChallengeVerification: true,
  });
  // Until nats-server has reloaded, its wss port still shows init's placeholder.
  const deadline = Date.now() + 20_000;
  while (!(await servesPebbleCertificate(Number(new URL(nats.wsUrl).port)))) {
    if (Date.now() > deadline) throw new Error('nats-server never served the certificate from ACME');
    await sleep(200);
  }
});

after(async () => {
  await tls?.stop();
  await nats?.stop();
  await pebble?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function servesPebbleCertificate(port: number): Promise<boolean> {
  const socket = tcpConnect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const secure = tlsConnect({ socket, servername: 'localhost', ca: rootPem });
  try {
    await new Promise((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    return true;
  } catch {
    return false;
  } finally {
    secure.destroy();
  }
}

/** What a page in Chromium sees when it opens the NATS WebSocket: the greeting, or the failure. */
async function openInChromium(extraArgs: string[]): Promise<string> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...extraArgs],
  });
  try {
    const page = await browser.newPage();
    const url = `wss://localhost:${new URL(nats.wsUrl).port}`;
    return await page.evaluate(
      (target) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(target);
          ws.binaryType = 'arraybuffer';
          const timer = setTimeout(() => resolve('no answer'), 8000);
          ws.onmessage = (event) => {
            clearTimeout(timer);
            resolve(new TextDecoder().decode(event.data as ArrayBuffer).slice(0, 4));
            ws.close();
          };
          ws.onerror = () => {
            clearTimeout(timer);
            resolve('refused');
          };
        }),
      url,
    );
  } finally {
    await browser.close();
  }
}

test('Chromium trusting Pebble’s issuing CA (this test only) gets the NATS greeting over wss', async () => {
  // The flag matches keys of certificates the server presents: the leaf and Pebble's intermediate.
  const chain = tls.serving
    .current()!
    .certPem.split(/(?<=-----END CERTIFICATE-----)\s*/)
    .filter(Boolean);
  const issuer = new X509Certificate(chain[1]!);
  assert.match(issuer.subject, /Pebble/);
  assert.ok(issuer.verify(new X509Certificate(rootPem).publicKey), 'issued under the root /roots/0 gives');
  const spki = createHash('sha256')
    .update(issuer.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  assert.equal(await openInChromium([`--ignore-certificate-errors-spki-list=${spki}`]), 'INFO');
});

test('the same page in a Chromium that does not trust Pebble is refused', async () => {
  assert.equal(await openInChromium([]), 'refused');
});
