/**
 * Which JetStream failures pass by themselves, and a bounded retry for them. On a cluster a stream
 * or bucket whose leader died answers "temporarily unavailable" (or nothing, until the request
 * times out) for the few seconds its election takes; a stream created while a node is joining may
 * fail once with "error creating store for stream" or "no suitable peers". Such failures are worth
 * a few quick tries; a wrong configuration, a missing permission or a conflict is not.
 * @example const info = await retryTransient(() => jsm.streams.add(config), { attempts: 6 });
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RoomKeyError, UnavailableError } from '../core/errors.ts';

/** How deep the `cause` chain is searched (nats.js wraps a NoRespondersError in a RequestError). */
const CAUSE_DEPTH = 5;
/** JetStream API err_codes that a running election or a joining node explains. */
const TRANSIENT_API_CODES = new Set([
  10005, // no suitable peers for placement (a node is down or not yet current)
  10008, // JetStream system temporarily unavailable (no leader yet)
  10023, // insufficient resources (the peers that would take it are not there yet)
]);
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'NoRespondersError',
  'ConnectionError',
  'DrainingConnectionError',
  'ClosedConnectionError',
]);
const TRANSIENT_WORDS =
  /temporarily unavailable|no responders|timeout|timed out|insufficient resources|no suitable peers|error creating store|not current|leader/i;

/**
 * True when `error` is a JetStream or NATS failure that goes away on its own (an election, a node
 * coming back, a reconnect), false for anything a retry would only repeat.
 * @example if (isTransientJetStream(error)) await sleep(250);
 */
export function isTransientJetStream(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < CAUSE_DEPTH; e = e.cause, depth++) {
    if (TRANSIENT_NAMES.has(e.name)) return true;
    const api = e as Error & { code?: unknown; status?: unknown };
    if (e.name === 'JetStreamApiError' || e.name === 'JetStreamStatusError') {
      if (TRANSIENT_API_CODES.has(Number(api.code))) return true;
      if (Number(api.status) >= 500 || Number(api.code) === 503 || Number(api.code) === 408) return true;
    }
    if (TRANSIENT_WORDS.test(e.message)) return true;
  }
  return false;
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** No try starts later than this after the first (ms); default: no limit but `attempts`. */
  budgetMs?: number;
  /** Wait before the second try; doubled after each, up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each wait (logs say a start is still trying, and why). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `call` until it succeeds, fails with a non-transient error, or `attempts` or `budgetMs` ran
 * out (then the last error is thrown). Waits with doubling backoff between tries.
 * @example await retryTransient(() => kvm.create(name, opts), { attempts: 6, firstDelayMs: 250 });
 */
export async function retryTransient<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  let delay = options.firstDelayMs ?? 250;
  const deadline = Date.now() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !isTransientJetStream(error)) throw error;
      if (Date.now() + delay > deadline) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 4000);
    }
  }
}

/** What a caller reads when a request failed on a JetStream election or a node coming back. */
export const RECOVERING_MESSAGE = 'The server is recovering; try again in a few seconds.';

/**
 * A transient JetStream failure as the UnavailableError a person can act on (RECOVERING_MESSAGE);
 * anything else as it was (a typed error stays typed, a bug stays internal).
 * @example reply = errorToReply(asRecovering(error));
 */
export function asRecovering(error: unknown): unknown {
  if (error instanceof RoomKeyError || !isTransientJetStream(error)) return error;
  return new UnavailableError(RECOVERING_MESSAGE, { cause: error, service: 'jetstream' });
}

/**
 * How long after a stream's creation nats-server 2.9 may still delete it: when one replica fails to
 * make its store ("error creating store for stream", the cause only in that node's log), the meta
 * leader removes an assignment younger than 5 s, even after the create was answered as a success.
 */
export const CREATE_SETTLE_MS = 5500;

/**
 * Makes sure the streams this start created are still there once 2.9 can no longer take them back
 * (CREATE_SETTLE_MS): waits for that, checks each, creates a lost one again, up to `rounds` times;
 * UnavailableError when one keeps vanishing. `created` maps a stream name to when its create was
 * answered.
 * @example await keepCreated(created, (n) => exists(jsm, n), (n) => createShard(n), { log });
 */
export async function keepCreated(
  created: Map<string, number>,
  exists: (name: string) => Promise<boolean>,
  create: (name: string) => Promise<void>,
  options: { rounds?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const pending = new Map(created);
  for (let round = 0; pending.size > 0; round++) {
    const wait = Math.max(...pending.values()) + CREATE_SETTLE_MS - Date.now();
    if (wait > 0) await sleep(wait);
    const lost: string[] = [];
    for (const name of pending.keys()) if (!(await exists(name))) lost.push(name);
    pending.clear();
    if (lost.length === 0) return;
    if (round + 1 >= (options.rounds ?? 3)) {
      throw new UnavailableError(
        `JetStream removed ${lost.join(', ')} again and again right after creating it: a replica could not make its store. Check the nats-server logs for "Stream create failed" and the cause (disk, permissions, max_file_store), then start the gateway again.`,
      );
    }
    for (const name of lost) {
      options.log?.(
        `${name} was removed by JetStream right after it was created (a replica failed its store): creating it again`,
      );
      await create(name);
      pending.set(name, Date.now());
    }
  }
}
