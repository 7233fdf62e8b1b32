/**
 * Reconnect waits that grow with the time spent offline: the first one short, then half the time
 * offline so far, never more than the maximum, each with some jitter so that many clients cut off
 * together do not come back together. Back to the start once online. Every host's connection
 * uses it (nats.js's `reconnectDelayHandler`, see clientConfigFor), and so does the catch-up after
 * a reconnect (room-registry.ts), with a lower maximum.
 * @example const backoff = new Backoff(); options.reconnectDelayHandler = backoff.delay;
 */
import { BACKOFF_FIRST_MS, BACKOFF_JITTER, BACKOFF_MAX_MS } from './settings.ts';

export interface BackoffOptions {
  now?: () => number;
  /** A number in [0, 1) (tests pass a fixed one). */
  random?: () => number;
  /** The longest wait (default BACKOFF_MAX_MS). */
  maxMs?: number;
}

/**
 * The reconnect wait for the time offline so far (see the top of this file).
 * @example const wait = backoff.delay();
 */
export class Backoff {
  #offlineSince: number | undefined;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #maxMs: number;

  constructor(options: BackoffOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#maxMs = options.maxMs ?? BACKOFF_MAX_MS;
  }

  /** The next wait in ms; the first call starts the offline time. */
  readonly delay = (): number => {
    const now = this.#now();
    this.#offlineSince ??= now;
    const base = Math.min(this.#maxMs, Math.max(BACKOFF_FIRST_MS, (now - this.#offlineSince) / 2));
    return Math.round(base * (1 + this.#random() * BACKOFF_JITTER));
  };

  /** Connected again: the next outage starts from the first wait. */
  online(): void {
    this.#offlineSince = undefined;
  }
}
