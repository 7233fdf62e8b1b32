/**
 * The certificate as `roomkey-gateway status` shows it: the names, when it expires, when and by
 * which gateway it was last renewed, and who holds the renewal lock; read from the certificate
 * buckets with the gateway account (opening the sealed record needs the server secret). Never
 * the key. Absent when the deployment has no certificate buckets (no TLS).
 * @example const cert = await readCertificateStatus(gatewayNc, keys); console.log(formatCertificateStatus(cert, Date.now()));
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { RENEW_AT_FRACTION } from './cert-renewer.ts';
import { CERT_BUCKETS, CertStore } from './cert-store.ts';
import type { ServerKeys } from './server-keys.ts';

export interface CertificateStatus {
  names: string[];
  notBeforeMs: number;
  notAfterMs: number;
  renewedAtMs: number;
  renewer: string;
  /** When the renewers will order the next one (2/3 of its lifetime). */
  renewsAtMs: number;
  /** The gateway renewing right now, if any. */
  lockHolder?: string;
}

/**
 * Reads the stored certificate's state; undefined when there are no certificate buckets or none was obtained yet.
 * @example const cert = await readCertificateStatus(nc, deriveServerKeys(secret));
 */
export async function readCertificateStatus(
  nc: NatsConnection,
  keys: ServerKeys,
): Promise<CertificateStatus | 'none yet' | undefined> {
  const jsm = await jetstreamManager(nc);
  const exists = await jsm.streams.info(`KV_${CERT_BUCKETS.certs}`).then(
    () => true,
    () => false,
  );
  if (!exists) return undefined;
  const kvm = new Kvm(nc);
  const store = new CertStore(await kvm.open(CERT_BUCKETS.certs), await kvm.open(CERT_BUCKETS.lock), keys);
  const [current, lockHolder] = await Promise.all([
    store.current(),
    store.lockHolder().catch(() => undefined),
  ]);
  if (!current) return 'none yet';
  const r = current.value;
  return {
    names: r.names,
    notBeforeMs: r.notBeforeMs,
    notAfterMs: r.notAfterMs,
    renewedAtMs: r.renewedAtMs,
    renewer: r.renewer,
    renewsAtMs: Math.round(r.notBeforeMs + RENEW_AT_FRACTION * (r.notAfterMs - r.notBeforeMs)),
    ...(lockHolder ? { lockHolder } : {}),
  };
}

/**
 * One line for a terminal.
 * @example formatCertificateStatus(cert, Date.now()) // 'chat.example.org: valid until … (59.8 days); renewed … by gw-1; …'
 */
export function formatCertificateStatus(cert: CertificateStatus, nowMs: number): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const days = (cert.notAfterMs - nowMs) / 86_400_000;
  const validity =
    days > 0
      ? `valid until ${iso(cert.notAfterMs)} (${days.toFixed(1)} days)`
      : `EXPIRED ${iso(cert.notAfterMs)}`;
  const lock = cert.lockHolder
    ? `renewing now: ${cert.lockHolder}`
    : `next renewal from ${iso(cert.renewsAtMs)}`;
  return `${cert.names.join(', ')}: ${validity}; renewed ${iso(cert.renewedAtMs)} by ${cert.renewer}; ${lock}`;
}
