// The page side of _raw-render.ts: bundled by esbuild and injected into the page under test, it
// subscribes to one subject over the NATS WebSocket (or pulls from a JetStream consumer, the way
// the live reader does) and renders each message's text into the DOM with the least a handler can
// do (one <p> appended). A MutationObserver stamps each text as it appears, the same way the
// room's rows are stamped, so the figures are comparable.
import { jetstream } from '@nats-io/jetstream';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';

type Waiter = (t: number) => void;

const seen = new Map<string, number>();
const waiters = new Map<string, Waiter>();

/**
 * Connects, subscribes to `subject` and renders every message; resolves once the subscription is live.
 * @example await roomkeyRawRender.start(url, creds, 'bench.raw.x');
 */
async function start(servers: string, creds: string, subject: string): Promise<void> {
  const box = renderBox();
  const nc = await connect(servers, creds);
  nc.subscribe(subject, {
    callback: (_error, message) => render(box, message.string()),
  });
  await nc.flush();
}

/**
 * Pulls `consumer` of `stream` as the live reader does (fetch of 256, 30 s expiry, 5 s heartbeats)
 * and renders every message; resolves once the first pull is out.
 * @example await roomkeyRawRender.startJetStream(url, creds, 'BENCH_RAW_JS', 'page');
 */
async function startJetStream(servers: string, creds: string, stream: string, name: string): Promise<void> {
  const box = renderBox();
  const nc = await connect(servers, creds);
  const consumer = await jetstream(nc).consumers.get(stream, name);
  void (async () => {
    while (!nc.isClosed()) {
      const batch = await consumer.fetch({ max_messages: 256, expires: 30_000, idle_heartbeat: 5000 });
      for await (const m of batch) render(box, m.string());
    }
  })();
  await nc.flush();
}

function connect(servers: string, creds: string): Promise<NatsConnection> {
  return wsconnect({ servers, authenticator: credsAuthenticator(new TextEncoder().encode(creds)) });
}

function render(box: HTMLElement, text: string): void {
  const p = document.createElement('p');
  p.textContent = text;
  box.appendChild(p);
}

/** A box whose added rows are stamped as they appear. */
function renderBox(): HTMLElement {
  const box = document.body.appendChild(document.createElement('div'));
  new MutationObserver((records) => {
    const t = performance.timeOrigin + performance.now();
    for (const record of records) {
      for (const node of record.addedNodes) {
        const text = node.textContent ?? '';
        if (seen.has(text)) continue;
        seen.set(text, t);
        waiters.get(text)?.(t);
      }
    }
  }).observe(box, { childList: true });
  return box;
}

/**
 * When `text` was rendered (epoch ms), now or once it is.
 * @example const at = await roomkeyRawRender.rendered('raw-1');
 */
function rendered(text: string): Promise<number> {
  const at = seen.get(text);
  if (at !== undefined) return Promise.resolve(at);
  return new Promise((resolve) => waiters.set(text, resolve));
}

(globalThis as unknown as { roomkeyRawRender: unknown }).roomkeyRawRender = {
  start,
  startJetStream,
  rendered,
};
