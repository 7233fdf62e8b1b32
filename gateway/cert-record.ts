/**
 * The certificate a deployment serves, as kept in KV (sealed with the server secret, so a KV
 * snapshot without the secret holds no private key): the chain and key, what it covers, its
 * validity, and who renewed it when. JSON inside the seal: it never crosses the wire to a client,
 * and decode checks every field as hostile input all the same.
 * @example const record = CERT_RECORD.decode(bytes); // MalformedError if anything is off
 */
import { utf8 } from '../core/bytes.ts';

export interface CertRecord {
  /** DNS names the certificate covers, as asked for (first = common name). */
  names: string[];
  /** Leaf first, then the issuer chain, PEM. */
  certPem: string;
  /** The certificate's private key, PEM (PKCS#8). */
  keyPem: string;
  notBeforeMs: number;
  notAfterMs: number;
  /** When it was obtained, ms since the epoch. */
  renewedAtMs: number;
  /** Which gateway obtained it (its `--name`/host name). */
  renewer: string;
  /** The ACME account key, PEM: renewals reuse the account instead of making one each time. */
  accountKeyPem: string;
  /** The ACME account's URL at the CA (renewals use the account without registering again). */
  accountUrl: string;
  /** The ACME directory it came from. */
  directoryUrl: string;
}

const MAX_NAMES = 100;
const MAX_PEM_CHARS = 64 * 1024;

/**
 * A record codec in the shape SealedKv takes (protobuf-like `encode().finish()` / `decode`).
 * @example new SealedKv(kv, 'rk_certs', keys.kvRecords, CERT_RECORD)
 */
export const CERT_RECORD = {
  encode(record: CertRecord): { finish(): Uint8Array } {
    const bytes = utf8(JSON.stringify(record));
    return { finish: () => bytes };
  },
  decode(bytes: Uint8Array): CertRecord {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return checkCertRecord(value);
  },
};

function checkCertRecord(value: unknown): CertRecord {
  if (typeof value !== 'object' || value === null) throw new Error('not an object');
  const r = value as Record<string, unknown>;
  const text = (field: string, max = MAX_PEM_CHARS): string => {
    const v = r[field];
    if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new Error(`bad ${field}`);
    return v;
  };
  const time = (field: string): number => {
    const v = r[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`bad ${field}`);
    return v;
  };
  const names = r['names'];
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.length > MAX_NAMES ||
    !names.every((n) => typeof n === 'string' && /^[a-z0-9*.-]{1,253}$/i.test(n))
  ) {
    throw new Error('bad names');
  }
  return {
    names: [...names] as string[],
    certPem: text('certPem'),
    keyPem: text('keyPem'),
    notBeforeMs: time('notBeforeMs'),
    notAfterMs: time('notAfterMs'),
    renewedAtMs: time('renewedAtMs'),
    renewer: text('renewer', 256),
    accountKeyPem: text('accountKeyPem'),
    accountUrl: text('accountUrl', 2048),
    directoryUrl: text('directoryUrl', 2048),
  };
}
