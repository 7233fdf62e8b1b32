/**
 * Keeps a nats-server child running for `dev`: when it dies (a crash, an OOM kill, `kill -9`) it is
 * started again after a backoff that doubles from 250 ms up to 10 s, and resets once a run has
 * lasted 30 s. The caller's `launch` decides the config (same ports, so clients and the gateway
 * reconnect by themselves). After 8 failed starts in a row it gives up and says so. Log lines name
 * the server and the exit, never a room or a user.
 * @example const nats = await superviseNatsServer({ name: 'nats-server', launch, log }); nats.current.clientUrl;
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsServerProcess } from './nats-process.ts';

export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
  /** A run at least this long resets the backoff to `initialMs`. */
  stableMs: number;
  /** Failed starts in a row before giving up. */
  maxFailures: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoff = {
  initialMs: 250,
  maxMs: 10_000,
  stableMs: 30_000,
  maxFailures: 8,
};

export interface SupervisedNats {
  /** The running server (a new object after every restart). */
  readonly current: NatsServerProcess;
  /** Restarts so far. */
  readonly restarts: number;
  /** Resolves with the reason if the supervisor gives up: the stack is then unusable. */
  readonly gaveUp: Promise<string>;
  /** Stops supervising and stops the server. */
  stop(): Promise<void>;
}

export async function superviseNatsServer(input: {
  /** How log lines name it: `nats-server`, `nats-server n2`. */
  name: string;
  /** Starts the server: the first time and after every exit. */
  launch: (restart: boolean) => Promise<NatsServerProcess>;
  log: (line: string) => void;
  backoff?: Partial<RestartBackoff>;
}): Promise<SupervisedNats> {
  const backoff = { ...DEFAULT_RESTART_BACKOFF, ...input.backoff };
  const { name, log } = input;
  const abort = new AbortController();
  let current = await input.launch(false);
  let restarts = 0;
  let giveUp: (reason: string) => void = () => undefined;
  const gaveUp = new Promise<string>((resolve) => {
    giveUp = resolve;
  });

  const watch = async () => {
    let delay = backoff.initialMs;
    for (;;) {
      const startedAt = Date.now();
      const code = await current.exited;
      if (abort.signal.aborted) return;
      if (Date.now() - startedAt >= backoff.stableMs) delay = backoff.initialMs;
      const downAt = Date.now();
      for (let failures = 0; ; ) {
        log(`roomkey: ${name} exited (${code}); starting it again in ${delay} ms`);
        try {
          await sleep(delay, undefined, { signal: abort.signal });
        } catch {
          return; // stopped while waiting
        }
        delay = Math.min(delay * 2, backoff.maxMs);
        try {
          current = await input.launch(true);
          restarts++;
          log(`roomkey: ${name} is back (pid ${current.pid}, ${Date.now() - downAt} ms after it exited)`);
          break;
        } catch (error) {
          if (abort.signal.aborted) return;
          failures++;
          const reason = (error as Error).message.split('\n')[0];
          log(`roomkey: ${name} did not start (${failures}/${backoff.maxFailures}): ${reason}`);
          if (failures >= backoff.maxFailures) {
            giveUp(`${name} did not start ${failures} times in a row: ${reason}`);
            return;
          }
        }
      }
    }
  };
  void watch();

  return {
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    gaveUp,
    stop: async () => {
      abort.abort();
      await current.stop();
    },
  };
}
