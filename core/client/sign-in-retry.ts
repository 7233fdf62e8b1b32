/**
 * Sign-in tried again while the server is briefly unavailable: on a cluster, a KV bucket whose
 * leader died elects another in 4–9 s (nats-server 2.9), and meanwhile the gateway answers "the
 * server is recovering" (or not in time). A few tries with backoff ride that out; nothing runs at all
 * (no responders), a lost connection, and every other error are thrown at once.
 * Browser-safe (no node: imports).
 * @example const session = await withSignInRetry(() => opaqueLogIn(login, username, password));
 */
import { UnavailableError } from '../errors.ts';

/** Waits before the 2nd to 6th try: 10.5 s in all, longer than a 2.9 election (4–9 s). */
const DELAYS_MS = [500, 1000, 2000, 3000, 4000];
/** No new try starts later than this after the first (a try itself may take a request timeout). */
const BUDGET_MS = 15_000;

/**
 * True for an unavailability that passes by itself: the gateway answered that it cannot serve now,
 * or did not answer in time. Not when nothing answers (a gateway that is not running) or the NATS
 * connection itself is down (it reconnects by itself; the caller hears of it at once).
 * @example if (isPassingUnavailability(error)) await sleep(500);
 */
export function isPassingUnavailability(error: unknown): boolean {
  return error instanceof UnavailableError && !error.notRunning && error.service !== 'nats';
}

/**
 * Runs `signIn` until it succeeds, fails otherwise than isPassingUnavailability, or the tries
 * (6, none started after 15 s) are spent; then its last error is thrown.
 * @example await withSignInRetry(() => logIn(login, input));
 */
export async function withSignInRetry<T>(signIn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await signIn();
    } catch (error) {
      const delay = DELAYS_MS[attempt];
      if (!isPassingUnavailability(error) || delay === undefined) throw error;
      if (Date.now() - started + delay > BUDGET_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
