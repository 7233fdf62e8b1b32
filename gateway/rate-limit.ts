/**
 * Login and sign-up throttling shared by every gateway (state in the rk_ratelimit KV bucket).
 * With OPAQUE a wrong password is detected by the client, which then never sends the finish step,
 * so the gateway counts login *starts*: "N starts without a success" is N guesses.
 *
 * Locks: counted per (username, source address), per connection (server + client id, as NATS
 * asserts them) and per source address, each with its own policy. When a count passes its limit the
 * key is locked until `lockMs` later, and every login start for it gets a RateLimitedError saying
 * when to retry. A username is never locked as a whole: a stranger guessing from elsewhere locks
 * only their own (username, address) pair, so they cannot deny its owner a new-device login.
 *
 * Global slow-down per username (never a lock): guessing one username from many addresses (each
 * under its own limit) is slowed once `usernameGlobal.maxAttempts` starts without success piled up
 * within its window — a start from an address with no successful login for that username is then
 * admitted only `usernameGlobal.lockMs` after the previous such start; the others are told when
 * to retry. Addresses that had a successful login for the username (kept as long as the bucket
 * keeps keys, 48 h) skip it, and so does everything that is not a password login: existing devices
 * refresh their JWTs with their device key.
 *
 * Sign-ups have their own limiter (SIGN_UP_SCOPE): every registration start counts per connection
 * and per source address, so bulk account creation and probing for taken usernames slow down alike.
 * @example await limiter.check(subjects); await limiter.recordAttempt(subjects); await limiter.recordSuccess(subjects);
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
  /** How long a key stays locked once it passed `maxAttempts` (the slow-down: the spacing of starts). */
  lockMs: number;
}

export interface LoginRateLimits {
  /** Per username *and* source address: locks that address out of that username only. */
  username: RateLimitPolicy;
  /**
   * Per username over all addresses, never a lock: past `maxAttempts` starts without success in
   * `windowMs`, addresses the username never logged in from get one start per `lockMs` between them.
   */
  usernameGlobal: RateLimitPolicy;
  connection: RateLimitPolicy;
  source: RateLimitPolicy;
}

/**
 * What a guesser gets per 15 min: 10 guesses per (username, address) — then that pair is locked for
 * 15 min; 20 per connection; 200 per address over all usernames (an address may be a NAT shared by
 * many users). Over all addresses, once a username had 30 starts without success in 15 min, new
 * addresses get one start per 10 s between them (≤ 90 more per 15 min, however many addresses),
 * while addresses its owner logged in from before are not slowed at all.
 */
export const DEFAULT_LOGIN_RATE_LIMITS: LoginRateLimits = {
  username: { maxAttempts: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  usernameGlobal: { maxAttempts: 30, windowMs: 15 * 60_000, lockMs: 10_000 },
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

/** Counts that lock; `usernameGlobal` only ever slows down (see the top of this file). */
type LockKind = 'username' | 'connection' | 'source';
const LOCK_KINDS: LockKind[] = ['username', 'connection', 'source'];
/** KV key names (after the scope prefix) of the slow-down count and of known addresses. */
const GLOBAL = 'username-global';
const KNOWN = 'known-source';
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
      this.#present(subjects).map((kind) => this.#read(this.#lockKey(kind, subjects))),
    );
    const retryAt = Math.max(
      0,
      ...records.map((r) => (r && r.value.lockedUntilMs > now ? r.value.lockedUntilMs : 0)),
    );
    if (retryAt) throw this.#lockedError(retryAt, now);
  }

  /**
   * Counts one login attempt on each subject; throws RateLimitedError if this one is over a limit
   * or slowed down. A slowed-down start is not counted anywhere else: it never happened.
   */
  async recordAttempt(subjects: LoginSubjects): Promise<void> {
    const now = this.#now();
    if (subjects.username !== undefined && this.#limits.usernameGlobal) {
      await this.#passSlowDown(subjects.username, subjects.source ?? '', this.#limits.usernameGlobal, now);
    }
    const lockedUntil = await Promise.all(
      this.#present(subjects).map((kind) => {
        const policy = this.#limits[kind]!;
        return this.#change(kind === 'username', this.#lockKey(kind, subjects), (r) => {
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

  /**
   * A successful login clears its (username, address) count and makes the address known for the
   * username (exempt from the slow-down); connection and address counts stay. Its start was no
   * failure: if the slow-down counted it (an address not known yet), it is taken off again.
   */
  async recordSuccess(subjects: LoginSubjects): Promise<void> {
    if (subjects.username === undefined) return;
    const knownKey = this.#key(KNOWN, this.#pair(subjects.username, subjects.source ?? ''));
    const wasKnown = await this.#isPut(knownKey);
    await Promise.all([
      this.#kv.delete(this.#lockKey('username', subjects)),
      this.#kv.put(knownKey, encode(v1.RateLimitRecord, { windowStartMs: this.#now() })),
      wasKnown || !this.#limits.usernameGlobal
        ? undefined
        : this.#change(false, this.#key(GLOBAL, subjects.username), (r) =>
            r.attempts > 0 ? { ...r, attempts: r.attempts - 1 } : r,
          ),
    ]);
  }

  /**
   * The global slow-down (see the top of this file): counts the start on the username over all
   * addresses and, past the limit, lets an unknown address through only once the previous such
   * start is `lockMs` old. The count's `lockedUntilMs` is the time the next such start may come.
   */
  async #passSlowDown(username: string, source: string, policy: RateLimitPolicy, now: number): Promise<void> {
    if (await this.#isPut(this.#key(KNOWN, this.#pair(username, source)))) return; // its owner was here
    let slowedUntil = 0;
    await this.#change(true, this.#key(GLOBAL, username), (r) => {
      const fresh = now - r.windowStartMs > policy.windowMs;
      const attempts = fresh ? 0 : r.attempts;
      const nextAt = fresh ? 0 : r.lockedUntilMs;
      if (attempts < policy.maxAttempts)
        return {
          attempts: attempts + 1,
          windowStartMs: fresh ? now : r.windowStartMs,
          lockedUntilMs: nextAt,
        };
      slowedUntil = nextAt > now ? nextAt : 0;
      if (slowedUntil) return r; // not admitted: nothing to write
      return { attempts: attempts + 1, windowStartMs: r.windowStartMs, lockedUntilMs: now + policy.lockMs };
    });
    if (slowedUntil) {
      throw new RateLimitedError(
        slowedUntil,
        `Many failed log-ins for this account from elsewhere, so log-ins from new places are slowed down: try again in ${Math.ceil((slowedUntil - now) / 1000)} s.`,
        now,
      );
    }
  }

  async #isPut(key: string): Promise<boolean> {
    const entry = await this.#kv.get(key);
    return entry?.operation === 'PUT' && entry.value.length > 0;
  }

  #present(subjects: LoginSubjects): LockKind[] {
    return LOCK_KINDS.filter(
      (kind) => this.#limits[kind] && typeof subjects[kind] === 'string' && subjects[kind] !== '',
    );
  }

  /** A username's count is per (username, address): a stranger elsewhere has a key of their own. */
  #lockKey(kind: LockKind, subjects: LoginSubjects): string {
    const value =
      kind === 'username' ? this.#pair(subjects.username!, subjects.source ?? '') : subjects[kind]!;
    return this.#key(kind, value);
  }

  #pair(username: string, source: string): string {
    // Usernames never contain NUL (core/transport/username.ts), so the pair is unambiguous.
    return `${username}\u0000${source}`;
  }

  #key(kind: string, value: string): string {
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
   * request or gateway wrote in between; `next` returning the current value unchanged writes
   * nothing. Under extreme contention on a `strict` key (one username: many parallel guesses) the
   * caller is told to slow down; connection and address counts are best effort instead.
   */
  async #change(strict: boolean, key: string, next: (current: Counter) => Counter): Promise<number> {
    for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
      const current = await this.#read(key);
      const before = current?.value ?? { attempts: 0, windowStartMs: 0, lockedUntilMs: 0 };
      const value = next(before);
      if (value === before) return value.lockedUntilMs;
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
    if (!strict) return 0;
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
