/**
 * Login and sign-up throttling shared by every gateway (state in the rk_ratelimit KV bucket).
 * With OPAQUE a wrong password is detected by the client, which then never sends the finish step,
 * so the gateway counts login *starts* and clears a username's count on a successful finish:
 * "N starts without a success" is N guesses. Counted per username, per connection (server + client
 * id, as NATS asserts them) and per source address; each has its own policy. When a count reaches
 * its limit the key is locked until `lockMs` later, and every login start for it gets a
 * RateLimitedError saying when to retry. Sign-ups have their own limiter (SIGN_UP_SCOPE): every
 * registration start counts per connection and per source address, so bulk account creation and
 * probing for taken usernames are slowed down the same way.
 * @example await limiter.check(subjects); await limiter.recordAttempt(subjects);
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KV } from '@nats-io/kv';
import { decode, encode } from '../core/codec.ts';
import { RateLimitedError } from '../core/errors.ts';
import { v1 } from '../proto/index.ts';
import { isWrongLastSequence } from './sealed-kv.ts';
import { blindKey, type ServerKeys } from './server-keys.ts';
import type { Call } from './service.ts';

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

/** Sign-ups are counted per connection and source address (a new username every time). */
export type SignUpRateLimits = Pick<LoginRateLimits, 'connection' | 'source'>;

export const DEFAULT_SIGN_UP_RATE_LIMITS: SignUpRateLimits = {
  connection: { maxAttempts: 10, windowMs: 60 * 60_000, lockMs: 60 * 60_000 },
  // A shared address (NAT) rarely creates more than this many accounts in an hour.
  source: { maxAttempts: 100, windowMs: 60 * 60_000, lockMs: 60 * 60_000 },
};

/** What a limiter counts: its key prefix in KV and its words in errors. */
export interface LimiterScope {
  prefix: string;
  noun: string;
}

export const LOGIN_SCOPE: LimiterScope = { prefix: '', noun: 'login attempts' };
export const SIGN_UP_SCOPE: LimiterScope = { prefix: 'signup-', noun: 'sign-ups' };

export interface LoginSubjects {
  username?: string;
  connection?: string;
  source?: string;
}

/**
 * What a request is counted on: its connection and source address as NATS asserts them, and the
 * username when there is one (sign-ups have no username policy).
 * @example await ctx.limiter.check(throttleSubjects(call, username));
 */
export function throttleSubjects(call: Call, username?: string): LoginSubjects {
  return {
    ...(username === undefined ? {} : { username }),
    connection: call.caller.connection,
    source: call.caller.host,
  };
}

type Kind = keyof LoginRateLimits;
const KINDS: Kind[] = ['username', 'connection', 'source'];
const MAX_CAS_RETRIES = 16;

export class RateLimiter {
  readonly #kv: KV;
  readonly #keys: ServerKeys;
  readonly #limits: Partial<LoginRateLimits>;
  readonly #now: () => number;
  readonly #scope: LimiterScope;

  constructor(
    kv: KV,
    keys: ServerKeys,
    limits: Partial<LoginRateLimits>,
    options: { now?: () => number; scope?: LimiterScope } = {},
  ) {
    this.#kv = kv;
    this.#keys = keys;
    this.#limits = limits;
    this.#now = options.now ?? Date.now;
    this.#scope = options.scope ?? LOGIN_SCOPE;
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
    if (retryAt) throw this.#lockedError(retryAt, now);
  }

  /** Counts one login attempt on each subject; throws RateLimitedError if this one is over a limit. */
  async recordAttempt(subjects: LoginSubjects): Promise<void> {
    const now = this.#now();
    const lockedUntil = await Promise.all(
      this.#present(subjects).map((kind) => {
        const policy = this.#limits[kind]!;
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
    if (retryAt) throw this.#lockedError(retryAt, now);
  }

  /** A successful login clears its username's count (connection and source counts stay). */
  async recordSuccess(username: string): Promise<void> {
    await this.#kv.delete(this.#key('username', username));
  }

  #present(subjects: LoginSubjects): Kind[] {
    return KINDS.filter(
      (kind) => this.#limits[kind] && typeof subjects[kind] === 'string' && subjects[kind] !== '',
    );
  }

  #key(kind: Kind, value: string): string {
    const name = `${this.#scope.prefix}${kind}`;
    return `${name}.${blindKey(this.#keys, `ratelimit-${name}`, value)}`;
  }

  #lockedError(retryAt: number, now: number): RateLimitedError {
    return new RateLimitedError(
      retryAt,
      `Too many ${this.#scope.noun}: try again in ${Math.ceil((retryAt - now) / 1000)} s.`,
      now,
    );
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
    throw new RateLimitedError(
      this.#now() + 1000,
      `Too many ${this.#scope.noun} at once: try again in a second.`,
    );
  }
}

interface Counter {
  attempts: number;
  windowStartMs: number;
  lockedUntilMs: number;
}
