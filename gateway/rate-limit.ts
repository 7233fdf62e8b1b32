/**
 * Login throttling shared by every gateway (state in the rk_ratelimit KV bucket).
 * With OPAQUE a wrong password is detected by the client, which then never sends the finish step,
 * so the gateway counts login *starts* and clears a username's count on a successful finish:
 * "N starts without a success" is N guesses. Counted per username, per connection (server + client
 * id, as NATS asserts them) and per source address; each has its own policy. When a count reaches
 * its limit the key is locked until `lockMs` later, and every login start for it gets a
 * RateLimitedError saying when to retry.
 * @example await limiter.check(subjects); await limiter.recordAttempt(subjects);
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KV } from '@nats-io/kv';
import { decode, encode } from '../core/codec.ts';
import { RateLimitedError } from '../core/errors.ts';
import { v1 } from '../proto/index.ts';
import { isWrongLastSequence } from './sealed-kv.ts';
import { blindKey, type ServerKeys } from './server-keys.ts';

export interface RateLimitPolicy {
  /** Attempts without a success allowed within `windowMs`. */
  maxAttempts: number;
  windowMs: number;
  /** How long a key stays locked once it reached `maxAttempts`. */
  lockMs: number;
}

export interface LoginRateLimits {
  username: RateLimitPolicy;
  connection: RateLimitPolicy;
  source: RateLimitPolicy;
}

export const DEFAULT_LOGIN_RATE_LIMITS: LoginRateLimits = {
  username: { maxAttempts: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  connection: { maxAttempts: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  // Many users can share one address (NAT): generous, it only stops bulk guessing.
  source: { maxAttempts: 200, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
};

export interface LoginSubjects {
  username?: string;
  connection?: string;
  source?: string;
}

type Kind = keyof LoginRateLimits;
const KINDS: Kind[] = ['username', 'connection', 'source'];
const MAX_CAS_RETRIES = 16;

export class LoginRateLimiter {
  readonly #kv: KV;
  readonly #keys: ServerKeys;
  readonly #limits: LoginRateLimits;
  readonly #now: () => number;

  constructor(kv: KV, keys: ServerKeys, limits: LoginRateLimits, now: () => number = Date.now) {
    this.#kv = kv;
    this.#keys = keys;
    this.#limits = limits;
    this.#now = now;
  }

  /** Throws RateLimitedError if any of the subjects is locked (the latest unlock time wins). */
  async check(subjects: LoginSubjects): Promise<void> {
    const now = this.#now();
    const records = await Promise.all(
      this.#present(subjects).map((kind) => this.#read(this.#key(kind, subjects[kind]!))),
    );
    const retryAt = Math.max(
      0,
      ...records.map((r) => (r && r.value.lockedUntilMs > now ? r.value.lockedUntilMs : 0)),
    );
    if (retryAt) throw lockedError(retryAt, now);
  }

  /** Counts one login attempt on each subject; throws RateLimitedError if this one is over a limit. */
  async recordAttempt(subjects: LoginSubjects): Promise<void> {
    const now = this.#now();
    const lockedUntil = await Promise.all(
      this.#present(subjects).map((kind) => {
        const policy = this.#limits[kind];
        return this.#change(kind, this.#key(kind, subjects[kind]!), (r) => {
          if (r.lockedUntilMs > now) return r; // already locked: not counted again
          // A lock that has run out starts a new window: the lock was the penalty for the old one.
          const fresh = r.lockedUntilMs !== 0 || now - r.windowStartMs > policy.windowMs;
          const attempts = (fresh ? 0 : r.attempts) + 1;
          return {
            attempts,
            windowStartMs: fresh ? now : r.windowStartMs,
            lockedUntilMs: attempts > policy.maxAttempts ? now + policy.lockMs : 0,
          };
        });
      }),
    );
    const retryAt = Math.max(0, ...lockedUntil.filter((t) => t > now));
    if (retryAt) throw lockedError(retryAt, now);
  }

  /** A successful login clears its username's count (connection and source counts stay). */
  async recordSuccess(username: string): Promise<void> {
    await this.#kv.delete(this.#key('username', username));
  }

  #present(subjects: LoginSubjects): Kind[] {
    return KINDS.filter((kind) => typeof subjects[kind] === 'string' && subjects[kind] !== '');
  }

  #key(kind: Kind, value: string): string {
    return `${kind}.${blindKey(this.#keys, `ratelimit-${kind}`, value)}`;
  }

  async #read(key: string): Promise<{ value: Counter; revision: number } | undefined> {
    const entry = await this.#kv.get(key);
    if (entry?.operation !== 'PUT' || entry.value.length === 0) return undefined;
    const r = decode(v1.RateLimitRecord, entry.value, 'rate limit record');
    return {
      value: {
        attempts: r.failures,
        windowStartMs: Number(r.windowStartMs),
        lockedUntilMs: Number(r.lockedUntilMs),
      },
      revision: entry.revision,
    };
  }

  /**
   * Read-modify-write with compare-and-set, retried (with a little random backoff) when another
   * request or gateway wrote in between. Under extreme contention on one username — many parallel
   * guesses — the caller is told to slow down.
   */
  async #change(kind: Kind, key: string, next: (current: Counter) => Counter): Promise<number> {
    for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
      const current = await this.#read(key);
      const value = next(current?.value ?? { attempts: 0, windowStartMs: 0, lockedUntilMs: 0 });
      const bytes = encode(v1.RateLimitRecord, {
        failures: value.attempts,
        windowStartMs: value.windowStartMs,
        lockedUntilMs: value.lockedUntilMs,
      });
      try {
        if (current) await this.#kv.update(key, bytes, current.revision);
        else await this.#kv.create(key, bytes);
        return value.lockedUntilMs;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
        await sleep(Math.random() * 5 * (attempt + 1));
      }
    }
    // Connection and address counts are best effort under a burst (one shared NAT address must not
    // fail logins); a burst at one username is exactly what the limiter is for.
    if (kind !== 'username') return 0;
    throw new RateLimitedError(this.#now() + 1000, 'Too many login attempts at once: try again in a second.');
  }
}

interface Counter {
  attempts: number;
  windowStartMs: number;
  lockedUntilMs: number;
}

function lockedError(retryAt: number, now: number): RateLimitedError {
  return new RateLimitedError(
    retryAt,
    `Too many login attempts: try again in ${Math.ceil((retryAt - now) / 1000)} s.`,
    now,
  );
}
