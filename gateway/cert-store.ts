/**
 * Where a deployment's certificate lives: one KV bucket `rk_certs` (the sealed CertRecord under
 * `current`, and the HTTP-01 key authorizations while an order is open, which are public by
 * design), and a lock bucket `rk_cert_lock` so that one gateway renews at a time.
 *
 * The lock works on nats-server 2.9.10: KV `create` succeeds only if the key is absent (or was
 * deleted), so exactly one gateway gets it; the bucket's max age (a bucket-level TTL, which 2.9
 * honours, unlike 2.11's per-key TTL) frees a lock whose holder died mid-renewal. The holder lets
 * go with a delete at the revision it created, so it can never free somebody else's lock.
 * @example const store = await openCertStore(nc, keys); const lock = await store.tryLock('gw-1');
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { MalformedError } from '../core/errors.ts';
import { CERT_RECORD, type CertRecord } from './cert-record.ts';
import { isWrongLastSequence, SealedKv, type Versioned } from './sealed-kv.ts';
import type { ServerKeys } from './server-keys.ts';

export const CERT_BUCKETS = { certs: 'rk_certs', lock: 'rk_cert_lock' } as const;
/** A renewal holds the lock at most this long (an ACME order takes seconds to a minute). */
export const DEFAULT_LOCK_TTL_MS = 10 * 60_000;
const CURRENT = 'current';
const LOCK = 'renewer';
const CHALLENGE_PREFIX = 'challenge.';
/** RFC 8555 tokens are base64url; anything else is not a key we would have written. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export interface CertLock {
  holder: string;
  release(): Promise<void>;
}

export class CertStore {
  readonly records: SealedKv<CertRecord, CertRecord>;
  readonly #certs: KV;
  readonly #lock: KV;

  constructor(certs: KV, lock: KV, keys: ServerKeys) {
    this.#certs = certs;
    this.#lock = lock;
    this.records = new SealedKv(certs, CERT_BUCKETS.certs, keys.kvRecords, CERT_RECORD);
  }

  /** The certificate every gateway and node serves, if one was obtained. */
  current(): Promise<Versioned<CertRecord> | undefined> {
    return this.records.get(CURRENT);
  }

  /** Stores a new certificate; ConflictError if another renewer stored one since `revision` was read. */
  async save(record: CertRecord, revision: number | undefined): Promise<number> {
    const conflict = 'Another gateway stored a certificate meanwhile: use that one.';
    if (revision === undefined) return this.records.create(CURRENT, record, conflict);
    return this.records.update(CURRENT, record, revision, conflict);
  }

  /**
   * Calls `apply` with the current certificate now (if any) and with every later one; stop() ends it.
   * @example const watch = await store.watch((record) => serve(record));
   */
  async watch(
    apply: (record: CertRecord) => void,
    onError?: (error: Error) => void,
  ): Promise<{ stop(): void }> {
    const entries = await this.#certs.watch({ key: CURRENT });
    void (async () => {
      for await (const entry of entries) {
        if (entry.operation !== 'PUT' || entry.value.length === 0) continue;
        try {
          apply(this.records.open(CURRENT, entry.value));
        } catch (error) {
          onError?.(error as Error);
        }
      }
    })();
    return { stop: () => entries.stop() };
  }

  /** The lock for one renewal, or undefined while another gateway holds it. */
  async tryLock(holder: string): Promise<CertLock | undefined> {
    let revision: number;
    try {
      revision = await this.#lock.create(LOCK, new TextEncoder().encode(holder));
    } catch (error) {
      if (isWrongLastSequence(error)) return undefined;
      throw error;
    }
    return {
      holder,
      release: async () => {
        await this.#lock.delete(LOCK, { previousSeq: revision }).catch(() => {
          // already expired (and maybe taken by another): theirs now, nothing to free
        });
      },
    };
  }

  /** Who holds the renewal lock now, if anyone. */
  async lockHolder(): Promise<string | undefined> {
    const entry = await this.#lock.get(LOCK);
    return entry?.operation === 'PUT' ? entry.string() : undefined;
  }

  /** Publishes an HTTP-01 key authorization for every gateway's responder to serve. */
  async putChallenge(token: string, keyAuthorization: string): Promise<void> {
    await this.#certs.put(challengeKey(token), new TextEncoder().encode(keyAuthorization));
  }

  async removeChallenge(token: string): Promise<void> {
    await this.#certs.delete(challengeKey(token));
  }

  /** The key authorization for `token`, or undefined (also for a token that is not base64url). */
  async challenge(token: string): Promise<string | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const entry = await this.#certs.get(challengeKey(token));
    return entry?.operation === 'PUT' && entry.value.length > 0 ? entry.string() : undefined;
  }
}

/**
 * Opens (creating if needed) the certificate buckets in the gateway account.
 * @example const store = await openCertStore(gateway.context.nc, keys, { replicas: 3 });
 */
export async function openCertStore(
  nc: NatsConnection,
  keys: ServerKeys,
  options: { replicas?: number; lockTtlMs?: number } = {},
): Promise<CertStore> {
  const kvm = new Kvm(nc);
  const replicas = options.replicas ?? 1;
  const [certs, lock] = await Promise.all([
    kvm.create(CERT_BUCKETS.certs, { history: 1, replicas, maxValueSize: 256 * 1024 }),
    kvm.create(CERT_BUCKETS.lock, {
      history: 1,
      replicas,
      ttl: options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS,
      maxValueSize: 1024,
    }),
  ]);
  return new CertStore(certs, lock, keys);
}

function challengeKey(token: string): string {
  if (!TOKEN.test(token)) throw new MalformedError('An ACME challenge token must be base64url.');
  return `${CHALLENGE_PREFIX}${token}`;
}
