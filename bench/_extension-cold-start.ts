// Where the extension's cold start goes (issue 19), measured from outside: no production logging.
// Right after the bench asks Chromium to start the stopped worker, it installs a 1 ms poller in the
// worker that stamps (on the worker's clock) when the account's keys become ready and when the
// connection is online; the worker's own timeOrigin, the probe's startedAt (the end of
// startBackground: bundle loaded and evaluated, listeners registered) and its resource timings
// (fetches on the start path) fill in the rest. Every stamp is turned into epoch ms.
import type { ExtensionUser } from '../test/e2e/helpers/extension.ts';
import { inBackground } from '../test/e2e/helpers/extension.ts';

/** One cold start, in ms from the moment the bench asked for it (epoch-based clocks, one machine). */
export interface ColdStart {
  /** Chromium spawned the worker (its timeOrigin): includes the bench's DevTools round trips. */
  workerOrigin: number;
  /** startBackground returned: the bundle is loaded and evaluated, listeners registered. */
  scriptEvaluated: number;
  /** The first poll ran (the bench reached the worker). */
  firstProbe: number;
  /** The store was unlocked from storage.session and the SDK resumed. */
  keysReady: number;
  /** Connected and subscribed: the state the old single figure waited for. */
  online: number;
  /** Fetches on the start path: name → [start, end] in ms since the ask. */
  fetches: Array<{ name: string; start: number; end: number }>;
}

interface Marks {
  firstProbe: number;
  keysReady?: number;
  online?: number;
}

const WAIT_MS = 20_000;

/**
 * Stops and starts the worker once and returns where the time went.
 * @example const start = await coldStart(alice);
 */
export async function coldStart(user: ExtensionUser): Promise<ColdStart> {
  await user.stopWorker();
  const asked = performance.timeOrigin + performance.now();
  await user.startWorker();
  await inBackground(
    user,
    () => {
      const g = globalThis as unknown as {
        roomkeyE2E?: { account: { state: { keys: string; connection: string } } };
        __roomkeyColdStart?: Marks;
      };
      if (g.__roomkeyColdStart) return;
      const marks: Marks = { firstProbe: performance.now() };
      g.__roomkeyColdStart = marks;
      const check = () => {
        const state = g.roomkeyE2E?.account.state;
        if (state?.keys === 'ready' && marks.keysReady === undefined) marks.keysReady = performance.now();
        if (state?.connection === 'online' && marks.online === undefined) marks.online = performance.now();
        if (marks.keysReady === undefined || marks.online === undefined) setTimeout(check, 1);
      };
      check();
    },
    null,
  );
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const seen = await inBackground(
      user,
      () => {
        const g = globalThis as unknown as {
          roomkeyE2E: { startedAt: number };
          __roomkeyColdStart: Marks;
        };
        const m = g.__roomkeyColdStart;
        if (m.keysReady === undefined || m.online === undefined) return null;
        const origin = performance.timeOrigin;
        return {
          origin,
          startedAt: g.roomkeyE2E.startedAt,
          firstProbe: origin + m.firstProbe,
          keysReady: origin + m.keysReady,
          online: origin + m.online,
          fetches: performance
            .getEntriesByType('resource')
            .map((e) => e as PerformanceResourceTiming)
            .map((e) => ({ name: e.name, start: origin + e.startTime, end: origin + e.responseEnd })),
        };
      },
      null,
    );
    if (seen) {
      const since = (t: number) => t - asked;
      return {
        workerOrigin: since(seen.origin),
        scriptEvaluated: since(seen.startedAt),
        firstProbe: since(seen.firstProbe),
        keysReady: since(seen.keysReady),
        online: since(seen.online),
        fetches: seen.fetches.map((f) => ({ name: f.name, start: since(f.start), end: since(f.end) })),
      };
    }
    if (Date.now() > deadline) throw new Error('bench: the background was not ready within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
