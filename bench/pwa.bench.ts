// The in-page client in Chromium against the real local stack (gateway/cli.ts dev), with Alice in
// Node (the SDK, memory store) and Bob in the demo page (the one script tag, IndexedDB):
//   pwa-catch-up-10k        Bob's history() of 10,000 messages in the page: fetch + verify + decrypt
//   pwa-send-rendered-p50/p99   Alice's send() in Node → the text rendered in Bob's <roomkey-room>
//   pwa-raw-rendered-p50/p99    the anchor: a raw NATS publish from Node → a subscriber in Bob's page
//                               over WebSocket → rendered by a minimal handler (_raw-render.ts)
//   pwa-send-rendered-p50/p99.vs-raw   the client's figure over the anchor's (issue 19: ≤ 2× / ≤ 3×)
//   pwa-raw-js-rendered-p50/p99 the JetStream anchor: a raw JetStream publish from Node (ack awaited)
//                               → a pull consumer in Bob's page → the same minimal handler (no crypto)
//   pwa-send-rendered-p50/p99.vs-raw-js   the client's figure over the JetStream anchor's
//   pwa-live-<from>-<to>-p50    where the client's time goes (_live-breakdown.ts, core/live-marks.ts)
//   pwa-raw-request-p50/p99     a raw NATS request round trip over WebSocket, same server, same run
// `ROOMKEY_BENCH_ROWS=latency` runs only the latency rows (no request round trip, no catch-up).
// Starts and stops its own stack and browser.
import { readFileSync } from 'node:fs';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { RoomKeySession } from '../core/client/session.ts';
import { MemoryBackend } from '../core/store/memory-backend.ts';
import { launchUser } from '../test/e2e/helpers/browser.ts';
import { ensureBuilt } from '../test/e2e/helpers/build.ts';
import { startDevStack } from '../test/e2e/helpers/dev-stack.ts';
import { LiveBreakdown } from './_live-breakdown.ts';
import { percentile, rawJetStreamRenderedLatencies, rawRenderedLatencies } from './_raw-render.ts';

type Report = (name: string, value: number, unit: string) => void;

const CATCH_UP = 10_000;
const LATENCY_SAMPLES = 200;
const RAW_SAMPLES = 300;
const BREAKDOWN_SAMPLES = 50;
const IN_FLIGHT = 64;
const ROWS = process.env['ROOMKEY_BENCH_ROWS']?.split(',');

const now = () => performance.timeOrigin + performance.now();

export async function bench(report: Report): Promise<void> {
  ensureBuilt();
  const stack = await startDevStack();
  const bob = await launchUser('bench-bob');
  let alice: RoomKeySession | undefined;
  try {
    const cfg = (await (await fetch(stack.urls.config)).json()) as {
      natsWebSocketUrl: string;
      loginJwt: string;
    };
    const config = { servers: cfg.natsWebSocketUrl, loginJwt: cfg.loginJwt };
    alice = await RoomKeySession.signUp({
      config,
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
    const live = await alice.createRoom('latency');
    const bulk = await alice.createRoom('catch-up');
    await alice.invite(live.roomId, 'bench-bob');

    // Send → rendered: Bob's page shows the live room; a MutationObserver stamps each text.
    await page.goto(`${stack.urls.web}#room=${live.roomId}`);
    await page.locator('roomkey-room textarea[part=composer-input]').waitFor();
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        __seen: Map<string, number>;
        __waiters: Map<string, (t: number) => void>;
      };
      g.__seen = new Map();
      g.__waiters = new Map();
      const root = document.querySelector('roomkey-room')!.shadowRoot!;
      new MutationObserver(() => {
        const rows = root.querySelectorAll('li.message p.text');
        for (let i = Math.max(0, rows.length - 4); i < rows.length; i++) {
          const text = rows[i]!.textContent?.trim() ?? '';
          if (!text.startsWith('lat-') || g.__seen.has(text)) continue;
          const t = performance.timeOrigin + performance.now();
          g.__seen.set(text, t);
          g.__waiters.get(text)?.(t);
        }
      }).observe(root, { subtree: true, childList: true, characterData: true });
    });
    const waitRendered = (text: string) =>
      page.evaluate(
        (t) =>
          new Promise<number>((resolve) => {
            const g = globalThis as unknown as {
              __seen: Map<string, number>;
              __waiters: Map<string, (t: number) => void>;
            };
            const seen = g.__seen.get(t);
            if (seen !== undefined) resolve(seen);
            else g.__waiters.set(t, resolve);
          }),
        text,
      );
    const latencies: number[] = [];
    for (let i = -5; i < LATENCY_SAMPLES; i++) {
      const text = `lat-${i}`;
      const rendered = waitRendered(text);
      const start = now();
      await alice.send(live.roomId, text);
      const at = await rendered;
      if (i >= 0) latencies.push(at - start); // the first few warm up caches
    }
    report('pwa-send-rendered-p50', percentile(latencies, 50), 'ms');
    report('pwa-send-rendered-p99', percentile(latencies, 99), 'ms');
    // The breakdown in samples of their own: collecting the stamps costs a page round trip each.
    const breakdown = new LiveBreakdown(page);
    for (let i = 0; i < BREAKDOWN_SAMPLES; i++) {
      const text = `lat-b${i}`;
      await breakdown.begin();
      const rendered = waitRendered(text);
      await alice.send(live.roomId, text);
      await breakdown.end(await rendered);
    }
    breakdown.report(report, 'pwa');
    const rawJs = await rawJetStreamRenderedLatencies(
      page,
      stack.urls.natsWebSocket,
      stack.paths.gatewayAppCreds,
      LATENCY_SAMPLES,
    );
    report(
      'pwa-raw-js-rendered-p50',
      percentile(rawJs, 50),
      'ms (anchor: JetStream publish → page consumer → rendered)',
    );
    report(
      'pwa-raw-js-rendered-p99',
      percentile(rawJs, 99),
      'ms (anchor: JetStream publish → page consumer → rendered)',
    );
    const raw = await rawRenderedLatencies(
      page,
      stack.urls.natsWebSocket,
      stack.paths.gatewayAppCreds,
      LATENCY_SAMPLES,
    );
    report(
      'pwa-raw-rendered-p50',
      percentile(raw, 50),
      'ms (anchor: raw publish → rendered in the same page)',
    );
    report(
      'pwa-raw-rendered-p99',
      percentile(raw, 99),
      'ms (anchor: raw publish → rendered in the same page)',
    );
    report(
      'pwa-send-rendered-p50.vs-raw',
      percentile(latencies, 50) / percentile(raw, 50),
      'ratio (target ≤ 2)',
    );
    report(
      'pwa-send-rendered-p99.vs-raw',
      percentile(latencies, 99) / percentile(raw, 99),
      'ratio (target ≤ 3)',
    );
    report('pwa-send-rendered-p50.vs-raw-js', percentile(latencies, 50) / percentile(rawJs, 50), 'ratio');
    report('pwa-send-rendered-p99.vs-raw-js', percentile(latencies, 99) / percentile(rawJs, 99), 'ratio');
    if (ROWS && !ROWS.includes('request') && !ROWS.includes('catch-up')) return;

    // Raw NATS request round trip over WebSocket on the same server.
    const creds = readFileSync(stack.paths.gatewayAppCreds);
    const responder = await wsconnect({
      servers: stack.urls.natsWebSocket,
      authenticator: credsAuthenticator(creds),
    });
    const requester = await wsconnect({
      servers: stack.urls.natsWebSocket,
      authenticator: credsAuthenticator(creds),
    });
    try {
      responder.subscribe('bench.pwa.echo', {
        callback: (_e, m) => {
          m.respond(m.data);
        },
      });
      await responder.flush();
      const payload = new Uint8Array(256).fill(1);
      const rtts: number[] = [];
      for (let i = -20; i < RAW_SAMPLES; i++) {
        const start = performance.now();
        await requester.request('bench.pwa.echo', payload, { timeout: 5000 });
        if (i >= 0) rtts.push(performance.now() - start);
      }
      report('pwa-raw-request-p50', percentile(rtts, 50), 'ms');
      report('pwa-raw-request-p99', percentile(rtts, 99), 'ms');
    } finally {
      await responder.close();
      await requester.close();
    }

    // Catch-up: fill the bulk room from Node, then time history() in the page.
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
    // Bob joins afterwards (with the history shared), so the page receives none of it live.
    await alice.invite(bulk.roomId, 'bench-bob', { shareHistory: true });
    const result = await page.evaluate(
      async ({ roomId, limit }) => {
        const { getDefaultClient } = await import('/dist/roomkey.js' as string);
        const client = getDefaultClient();
        await client.listRooms(); // the room chain and JWT are current before the clock starts
        const start = performance.now();
        const list = (await client.history(roomId, { limit })) as Array<{ status: string }>;
        return {
          ms: performance.now() - start,
          count: list.length,
          received: list.filter((m) => m.status === 'received').length,
        };
      },
      { roomId: bulk.roomId, limit: CATCH_UP },
    );
    if (result.received < CATCH_UP)
      console.warn(`pwa bench: catch-up decrypted ${result.received}/${result.count} of ${CATCH_UP}`);
    report('pwa-catch-up-10k', result.ms, `ms (${result.received} messages decrypted in Chromium)`);
    report('pwa-catch-up-rate', (result.received / result.ms) * 1000, 'msgs/s');
  } finally {
    await alice?.close().catch(() => undefined);
    await bob.close();
    await stack.dispose();
  }
}
