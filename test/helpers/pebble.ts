// Pebble, Let's Encrypt's ACME test server (Debian package `pebble`), for one test file: its own
// HTTPS on a loopback port with a throwaway certificate made here by openssl, challenge
// validation off (PEBBLE_VA_ALWAYS_VALID=1: no DNS or port 80 needed), no random nonce rejection
// or VA sleeps (deterministic and fast). The ACME client (acme-client's axios) trusts Pebble's
// HTTPS certificate in this process only; Pebble's issuing root comes from its management
// endpoint (/roots/0), for clients of the certificates it issues.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as acme from 'acme-client';

export interface TestPebble {
  directoryUrl: string;
  /** Pebble's own HTTPS certificate as a file (NODE_EXTRA_CA_CERTS for a child process). */
  tlsCertFile: string;
  /** The certificate Pebble's own HTTPS serves (self-signed), PEM. */
  tlsCertPem: string;
  /** The root of the certificates Pebble issues (changes with every Pebble start), PEM. */
  issuingRootPem(): Promise<string>;
  stop(): Promise<void>;
}

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

/**
 * A self-signed certificate (ECDSA P-256) for `names` (DNS names and IP addresses), made by openssl.
 * @example const cert = makeTestCertificate(dir, ['localhost', '127.0.0.1']);
 */
export function makeTestCertificate(dir: string, names: string[], label = 'cert', days = 2): TestCertificate {
  const certFile = join(dir, `${label}.pem`);
  const keyFile = join(dir, `${label}-key.pem`);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', String(days)]
      .concat(['-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`])
      .concat(['-keyout', keyFile, '-out', certFile]),
    { stdio: 'ignore' },
  );
  return {
    certFile,
    keyFile,
    certPem: readFileSync(certFile, 'utf8'),
    keyPem: readFileSync(keyFile, 'utf8'),
  };
}

/** A free loopback port (closed again at once; Pebble binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `validateOnPort`: Pebble really validates HTTP-01, fetching http://<name>:<port>/.well-known/…
 * (names resolved by the system: use localhost); default: it validates nothing.
 */
export async function startPebble(options: { validateOnPort?: number } = {}): Promise<TestPebble> {
  const dir = mkdtempSync(join(tmpdir(), 'roomkey-pebble-'));
  const tls = makeTestCertificate(dir, ['localhost', '127.0.0.1'], 'pebble-https');
  const [acmePort, managementPort] = [await freePort(), await freePort()];
  const config = join(dir, 'pebble-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: tls.certFile,
        privateKey: tls.keyFile,
        httpPort: options.validateOnPort ?? 5002,
        tlsPort: 5001,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const log: string[] = [];
  const child = spawn('pebble', ['-config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...(options.validateOnPort === undefined ? { PEBBLE_VA_ALWAYS_VALID: '1' } : {}),
      PEBBLE_VA_NOSLEEP: '1',
      PEBBLE_WFE_NONCEREJECT: '0',
    },
  });
  const keep = (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean).slice(-50));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Trust Pebble's HTTPS for the ACME client of this test process only.
  acme.axios.defaults.httpsAgent = new Agent({ ca: tls.certPem });
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  const agent = new Agent({ ca: tls.certPem });
  const get = (url: string) =>
    new Promise<string>((resolve, reject) => {
      httpsGet(url, { agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      }).on('error', reject);
    });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await get(directoryUrl);
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`pebble did not start: ${(error as Error).message}\n${log.join('\n')}`);
      }
      await sleep(100);
    }
  }
  return {
    directoryUrl,
    tlsCertFile: tls.certFile,
    tlsCertPem: tls.certPem,
    issuingRootPem: () => get(`https://127.0.0.1:${managementPort}/roots/0`),
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      agent.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
