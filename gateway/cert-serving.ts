/**
 * Puts the certificate from KV into service on this machine, every time it changes: the files
 * nats-server reads (written whole, then renamed over the old ones, so a reload never sees half a
 * key) followed by SIGHUP to nats-server; and setSecureContext on the gateway's HTTPS listeners,
 * whose open connections stay. A record whose key does not match its certificate is refused
 * (logged) and the one in service stays.
 *
 * nats-server 2.9.10 in operator mode closes every JWT-authenticated client on any config reload
 * (its reloadAuthorization re-checks them and fails, whatever changed; clients reconnect at once
 * by themselves). So the files are rewritten and nats-server signalled only when the certificate
 * really changed (every ~60 days), never when a gateway restarts with the one already in place.
 * @example const serving = await serveCertificates({ store, listeners: [ops], nats: { dir, pid } });
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { MalformedError } from '../core/errors.ts';
import type { CertRecord } from './cert-record.ts';
import type { CertStore } from './cert-store.ts';
import { ensureDir, writeSecretFile } from './data-dir.ts';
import type { CertificateState } from './health.ts';
import type { TlsPair } from './tls-http.ts';
import type { NatsTlsFiles } from './tls-policy.ts';

export interface CertListener {
  setCertificate(tls: TlsPair): void;
}

export interface NatsCertTarget {
  /** Directory of cert.pem and key.pem, as the nats-server config names them (natsCertFiles). */
  dir: string;
  /** nats-server's pid, or the `pid_file` of each on this machine; absent = files only (it runs elsewhere). */
  pid?: number | (() => number | undefined);
  pidFiles?: string[];
}

export interface CertServing {
  /** The certificate in service now, for readiness, metrics and status. */
  state(): CertificateState | undefined;
  current(): CertRecord | undefined;
  /** Adds a listener (started later): it gets the current certificate at once. */
  addListener(listener: CertListener): void;
  stop(): void;
}

/**
 * The cert.pem / key.pem paths in `dir` that nats-server's `tls {}` blocks name.
 * @example natsCertFiles('/srv/roomkey/tls') // { certFile: '/srv/roomkey/tls/cert.pem', keyFile: … }
 */
export function natsCertFiles(dir: string): NatsTlsFiles {
  return { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}

/**
 * Whether `record` is usable at `nowMs`, said for a person.
 * @example certificateState(record, Date.now()).valid
 */
export function certificateState(record: CertRecord, nowMs: number): CertificateState {
  const days = (record.notAfterMs - nowMs) / 86_400_000;
  const until = new Date(record.notAfterMs).toISOString();
  if (nowMs < record.notBeforeMs)
    return {
      valid: false,
      detail: `not valid before ${new Date(record.notBeforeMs).toISOString()}`,
      notAfterMs: record.notAfterMs,
    };
  if (days <= 0) return { valid: false, detail: `expired ${until}`, notAfterMs: record.notAfterMs };
  return {
    valid: true,
    detail: `valid until ${until} (${days.toFixed(1)} days)`,
    notAfterMs: record.notAfterMs,
  };
}

/**
 * Watches the store and serves each certificate it holds, now and after every renewal.
 * @example const serving = await serveCertificates({ store, listeners: [web], nats: { dir: tlsDir, pidFiles } });
 */
export async function serveCertificates(input: {
  store: CertStore;
  listeners?: CertListener[];
  nats?: NatsCertTarget;
  now?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}): Promise<CertServing> {
  const now = input.now ?? Date.now;
  const listeners = [...(input.listeners ?? [])];
  let current: CertRecord | undefined;
  const apply = (record: CertRecord) => {
    checkKeyMatches(record);
    const pair = { certPem: record.certPem, keyPem: record.keyPem };
    for (const listener of listeners) listener.setCertificate(pair);
    if (input.nats) reloadNats(input.nats, record);
    current = record;
    input.log?.(
      'info',
      `serving the certificate for ${record.names.join(', ')}, ${certificateState(record, now()).detail}`,
    );
  };
  const watch = await input.store.watch(apply, (error) =>
    input.log?.('warn', `a certificate from KV was not served: ${error.message}`),
  );
  return {
    state: () => (current ? certificateState(current, now()) : undefined),
    current: () => current,
    addListener: (listener) => {
      listeners.push(listener);
      if (current) listener.setCertificate({ certPem: current.certPem, keyPem: current.keyPem });
    },
    stop: () => watch.stop(),
  };
}

function checkKeyMatches(record: CertRecord): void {
  let matches = false;
  try {
    const leaf = new X509Certificate(record.certPem);
    matches = leaf.checkPrivateKey(createPrivateKey(record.keyPem));
  } catch {
    matches = false;
  }
  if (!matches) throw new MalformedError('The stored certificate and key do not belong together: renew it.');
}

function reloadNats(target: NatsCertTarget, record: CertRecord): void {
  ensureDir(target.dir);
  const files = natsCertFiles(target.dir);
  if (sameFile(files.certFile, record.certPem) && sameFile(files.keyFile, record.keyPem)) return;
  writeSecretFile(`${files.keyFile}.new`, record.keyPem);
  writeSecretFile(`${files.certFile}.new`, record.certPem);
  renameSync(`${files.keyFile}.new`, files.keyFile);
  renameSync(`${files.certFile}.new`, files.certFile);
  const pids = [
    typeof target.pid === 'function' ? target.pid() : target.pid,
    ...(target.pidFiles ?? []).map(pidIn),
  ];
  for (const pid of pids)
    if (pid !== undefined && Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGHUP');
}

function sameFile(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}

/** The pid in a pid file; undefined if that nats-server is not running (no file). */
function pidIn(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}
