// The extension's background against the real local stack (gateway + nats-server), in Debian's
// Chromium with the e2e build (production + the inert probe): cold start of the MV3 worker to
// ready (store unlocked from storage.session, SDK resumed, connected and subscribed to every room)
// with where that time goes (_extension-cold-start.ts), send → rendered in the tab through
// ExtensionClient beside the raw anchors in the same tab (_raw-render.ts: NATS pub/sub, and JetStream
// store + pull consumer with no crypto), and live messages from a
// Node sender routed to the tab showing the room, per second.
// Starts and stops its own stack and browser; bounded (about a minute).
import type { Page } from 'playwright-core';
import { waitFor } from '../test/e2e/helpers/browser.ts';
import {
  call,
  callConfirmed,
  clientEvents,
  enterInPopup,
  installClient,
  launchWithExtension,
  startExtensionStack,
} from '../test/e2e/helpers/extension.ts';
import { type ColdStart, coldStart } from './_extension-cold-start.ts';
import { percentile, rawJetStreamRenderedLatencies, rawRenderedLatencies } from './_raw-render.ts';

const COLD_STARTS = 5;
const LATENCY_SAMPLES = 100;

const now = () => performance.timeOrigin + performance.now();

/** Renders each `message` event's text into the tab's DOM (one <p>) and stamps it when it appears. */
async function renderMessages(tab: Page): Promise<void> {
  await tab.evaluate(() => {
    const g = globalThis as unknown as {
      client: EventTarget;
      __seen: Map<string, number>;
      __waiters: Map<string, (t: number) => void>;
    };
    g.__seen = new Map();
    g.__waiters = new Map();
    const box = document.body.appendChild(document.createElement('div'));
    new MutationObserver((records) => {
      const t = performance.timeOrigin + performance.now();
      for (const record of records) {
        for (const node of record.addedNodes) {
          const text = node.textContent ?? '';
          if (g.__seen.has(text)) continue;
          g.__seen.set(text, t);
          g.__waiters.get(text)?.(t);
        }
      }
    }).observe(box, { childList: true });
    g.client.addEventListener('message', (e) => {
      const text = (e as CustomEvent<{ text?: string }>).detail.text;
      if (!text?.startsWith('lat-')) return;
      const p = document.createElement('p');
      p.textContent = text;
      box.appendChild(p);
    });
  });
}

function rendered(tab: Page, text: string): Promise<number> {
  return tab.evaluate(
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
}

function reportColdStarts(report: (name: string, value: number, unit: string) => void, starts: ColdStart[]) {
  const median = (pick: (s: ColdStart) => number) => percentile(starts.map(pick), 50);
  report(
    'extension.cold-start-to-ready',
    median((s) => s.online),
    'ms (bench asks → online)',
  );
  report(
    'extension.cold-start.worker-spawned',
    median((s) => s.workerOrigin),
    'ms (ask → worker timeOrigin: DevTools + process start)',
  );
  report(
    'extension.cold-start.script-evaluated',
    median((s) => s.scriptEvaluated - s.workerOrigin),
    'ms (timeOrigin → startBackground returned: bundle load + evaluation)',
  );
  report(
    'extension.cold-start.keys-ready',
    median((s) => s.keysReady - s.scriptEvaluated),
    'ms (script evaluated → keys ready: store unlocked from storage.session, SDK resumed; the account reports ready only once connected)',
  );
  report(
    'extension.cold-start.online',
    median((s) => s.online - s.keysReady),
    'ms (keys ready → online; 0 when both are reported in the same tick)',
  );
  report(
    'extension.cold-start.in-worker',
    median((s) => s.online - s.workerOrigin),
    "ms (worker timeOrigin → online: the worker's own share)",
  );
  report(
    'extension.cold-start.first-probe',
    median((s) => s.firstProbe),
    'ms (when the bench first reached the worker)',
  );
  const middle = [...starts].sort((a, b) => a.online - b.online)[Math.floor(starts.length / 2)]!;
  for (const fetch of middle.fetches) {
    const name = fetch.name.replace(/^[a-z-]+:\/\/[^/]+/, '').slice(0, 60) || '/';
    report(
      `extension.cold-start.fetch ${name}`,
      fetch.end - fetch.start,
      `ms (from ${Math.round(fetch.start)} ms)`,
    );
  }
}

export async function bench(report: (name: string, value: number, unit: string) => void): Promise<void> {
  const stack = await startExtensionStack();
  const alice = await launchWithExtension('bench-alice').catch(async (error) => {
    await stack.close();
    throw error;
  });
  try {
    const bob = await stack.nodeUser('bob');
    const app = await alice.open(`${stack.origins.a}/`);
    await installClient(app);
    const connecting = call(app, 'connect');
    await alice.answer('allow');
    await connecting;
    // The password is typed only into extension UI (issue 11): sign up in the popup.
    await enterInPopup(alice, 'signUp', `${stack.origins.a}/`, 'alice', 'correct horse battery staple');
    const made = await call(app, 'createRoom', 'Bench');
    if (!made.ok) throw new Error(`createRoom: ${made.message}`);
    const roomId = (made.value as { roomId: string }).roomId;
    const invited = await callConfirmed(alice, app, 'invite', roomId, 'bob');
    if (!invited.ok) throw new Error(`invite: ${invited.message}`);
    await bob.joined(roomId);
    await call(app, 'focusRoom', roomId);
    await app.close(); // no tab restarts the worker by itself

    const starts: ColdStart[] = [];
    for (let i = 0; i < COLD_STARTS; i++) starts.push(await coldStart(alice));
    reportColdStarts(report, starts);

    const tab = await alice.open(`${stack.origins.a}/`);
    await installClient(tab);
    await call(tab, 'connect');
    await call(tab, 'focusRoom', roomId);

    // Send → rendered through the extension, then the raw anchor in the same tab.
    await renderMessages(tab);
    const latencies: number[] = [];
    for (let i = -5; i < LATENCY_SAMPLES; i++) {
      const text = `lat-${i}`;
      const shown = rendered(tab, text);
      const start = now();
      await bob.session.send(roomId, text);
      const at = await shown;
      if (i >= 0) latencies.push(at - start);
    }
    const raw = await rawRenderedLatencies(
      tab,
      stack.stack.urls.natsWebSocket,
      stack.stack.paths.gatewayAppCreds,
      LATENCY_SAMPLES,
    );
    const [p50, p99, raw50, raw99] = [
      percentile(latencies, 50),
      percentile(latencies, 99),
      percentile(raw, 50),
      percentile(raw, 99),
    ];
    report(
      'extension.send-rendered-p50',
      p50,
      'ms (Node send → rendered in the tab through ExtensionClient)',
    );
    report(
      'extension.send-rendered-p99',
      p99,
      'ms (Node send → rendered in the tab through ExtensionClient)',
    );
    report('extension.raw-rendered-p50', raw50, 'ms (anchor: raw publish → rendered in the same tab)');
    report('extension.raw-rendered-p99', raw99, 'ms (anchor: raw publish → rendered in the same tab)');
    report('extension.send-rendered-p50.vs-raw', p50 / raw50, 'ratio (target ≤ 2)');
    report('extension.send-rendered-p99.vs-raw', p99 / raw99, 'ratio (target ≤ 3)');
    const rawJs = await rawJetStreamRenderedLatencies(
      tab,
      stack.stack.urls.natsWebSocket,
      stack.stack.paths.gatewayAppCreds,
      LATENCY_SAMPLES,
    );
    const [js50, js99] = [percentile(rawJs, 50), percentile(rawJs, 99)];
    report('extension.raw-js-rendered-p50', js50, 'ms (anchor: JetStream publish → tab consumer → rendered)');
    report('extension.raw-js-rendered-p99', js99, 'ms (anchor: JetStream publish → tab consumer → rendered)');
    report('extension.send-rendered-p50.vs-raw-js', p50 / js50, 'ratio');
    report('extension.send-rendered-p99.vs-raw-js', p99 / js99, 'ratio');
    const n = 300;
    const t0 = performance.now();
    for (let i = 0; i < n; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, n - i) }, (_, j) => bob.session.send(roomId, `bench ${i + j}`)),
      );
    }
    await waitFor(
      'every message in the tab',
      async () => (await clientEvents(tab, 'message')).length >= n,
      60_000,
    );
    report('extension.messages-routed-to-tab', n / ((performance.now() - t0) / 1000), 'msgs/s');
  } finally {
    await alice.close();
    await stack.close();
  }
}
