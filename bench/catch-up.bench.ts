// Issue 19's catch-up in Chromium, alone and with where its time goes:
//   catch-up-10k              Bob's history() of 10,000 messages in the page (fetch + verify + decrypt +
//                             decode), verify in the client's workers; best of two runs
//   catch-up-10k.in-page      the anchor, alternated with it in the same page: the worker script blocked,
//                             so the same client verifies in the page; and catch-up-10k.vs-in-page
//   catch-up-first-page       when the first page of messages was handed to the host (onProgress)
//   catch-up-10k.<part>       the first run's CPU profile (CDP, sampled) by what the code does: verify,
//                             decrypt, parse, fetch (nats.js and WebSocket), room checks, idle (waiting
//                             for the network or for workers), …; ms of the page's main thread
// ROOMKEY_CATCHUP_PROFILE=file.cpuprofile keeps the profile (open it in Chromium's DevTools).
import { writeFileSync } from 'node:fs';
import { RoomKeySession } from '../core/client/session.ts';
import { MemoryBackend } from '../core/store/memory-backend.ts';
import { launchUser } from '../test/e2e/helpers/browser.ts';
import { ensureBuilt } from '../test/e2e/helpers/build.ts';
import { startDevStack } from '../test/e2e/helpers/dev-stack.ts';
import { profileByPart } from './_profile-parts.ts';

type Report = (name: string, value: number, unit: string) => void;

const CATCH_UP = 10_000;
const IN_FLIGHT = 64;

export async function bench(report: Report): Promise<void> {
  ensureBuilt();
  const stack = await startDevStack();
  const bob = await launchUser('bench-catch-up');
  let alice: RoomKeySession | undefined;
  try {
    const cfg = (await (await fetch(stack.urls.config)).json()) as {
      natsWebSocketUrl: string;
      loginJwt: string;
    };
    alice = await RoomKeySession.signUp({
      config: { servers: cfg.natsWebSocketUrl, loginJwt: cfg.loginJwt },
      backend: new MemoryBackend(),
      username: 'bench-alice',
      password: 'bench password',
      storeParams: { t: 1, mKib: 256, p: 1 },
    });
    const page = await bob.page();
    page.setDefaultTimeout(120_000);
    await page.goto(stack.urls.web);
    await page.evaluate(async () => {
      const { autoConnected } = await import('/dist/roomkey.js' as string);
      const client = await autoConnected;
      await client.signUp('bench-bob', 'bench password');
    });
    const bulk = await alice.createRoom('catch-up');
    const text = 'm'.repeat(100);
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < CATCH_UP) {
          next++;
          await alice!.send(bulk.roomId, text);
        }
      }),
    );
    await alice.invite(bulk.roomId, 'bench-bob', { shareHistory: true });
    // Alternating in one sitting: the client as shipped (verify workers), then the same client with
    // its worker script blocked (the pool verifies in the page: the anchor), reloaded between runs.
    const runs: Record<'workers' | 'in-page', number[]> = { workers: [], 'in-page': [] };
    let profiled = false;
    for (const mode of ['workers', 'in-page', 'workers', 'in-page'] as const) {
      if (mode === 'in-page') await page.route('**/verify-worker.js', (route) => route.abort());
      else await page.unroute('**/verify-worker.js');
      if (runs.workers.length + runs['in-page'].length > 0) {
        await page.reload();
        await page.evaluate(async () => {
          const { autoConnected } = await import('/dist/roomkey.js' as string);
          await (await autoConnected).unlock('bench password');
        });
      }
      await page.evaluate(async () => {
        const { getDefaultClient } = await import('/dist/roomkey.js' as string);
        await getDefaultClient().listRooms(); // the room chain and JWT are current before the clock starts
      });
      const cdp = profiled ? undefined : await page.context().newCDPSession(page);
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      const result = await page.evaluate(
        async ({ roomId, limit }) => {
          const { getDefaultClient } = await import('/dist/roomkey.js' as string);
          const client = getDefaultClient();
          const start = performance.now();
          let firstPage = 0;
          const list = (await client.history(roomId, {
            limit,
            onProgress: (p: { loaded: number }) => {
              if (p.loaded > 0 && !firstPage) firstPage = performance.now() - start;
            },
          })) as Array<{ status: string }>;
          return {
            ms: performance.now() - start,
            firstPage,
            received: list.filter((m) => m.status === 'received').length,
          };
        },
        { roomId: bulk.roomId, limit: CATCH_UP },
      );
      if (result.received < CATCH_UP)
        console.warn(`catch-up bench (${mode}): decrypted ${result.received} of ${CATCH_UP}`);
      runs[mode].push(result.ms);
      if (cdp) {
        profiled = true;
        const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
        const file = process.env['ROOMKEY_CATCHUP_PROFILE'];
        if (file) writeFileSync(file, JSON.stringify(profile));
        report('catch-up-10k.profiled', result.ms, 'ms (the first run, under the CPU profiler)');
        report('catch-up-first-page', result.firstPage, 'ms (the first page handed to the host)');
        const parts = await profileByPart(profile, (url) =>
          page.evaluate((u) => fetch(`${u}.map`).then((r) => r.text()), url),
        );
        for (const [part, ms] of parts) report(`catch-up-10k.${part}`, ms, 'ms of the main thread (sampled)');
      }
    }
    const best = (list: number[]) => Math.min(...list);
    report('catch-up-10k', best(runs.workers), `ms (best of ${runs.workers.join(', ')}; 10,000 in Chromium)`);
    report(
      'catch-up-10k.in-page',
      best(runs['in-page']),
      `ms (anchor, same run: verify in the page; ${runs['in-page'].join(', ')})`,
    );
    report(
      'catch-up-10k.vs-in-page',
      best(runs['in-page']) / best(runs.workers),
      'times faster than the anchor',
    );
  } finally {
    await alice?.close().catch(() => undefined);
    await bob.close();
    await stack.dispose();
  }
}

interface CpuProfile {
  nodes: unknown[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}
