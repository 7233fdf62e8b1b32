// The page side of _raw-render.ts: bundled by esbuild and injected into the page under test, it
// subscribes to one subject over the NATS WebSocket and renders each message's text into the DOM
// with the least a handler can do (one <p> appended). A MutationObserver stamps each text as it
// appears, the same way the room's rows are stamped, so the two figures are comparable.
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';

type Waiter = (t: number) => void;

const seen = new Map<string, number>();
const waiters = new Map<string, Waiter>();

/**
 * Connects, subscribes to `subject` and renders every message; resolves once the subscription is live.
 * @example await roomkeyRawRender.start(url, creds, 'bench.raw.x');
 */
async function start(servers: string, creds: string, subject: string): Promise<void> {
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
  const nc = await wsconnect({ servers, authenticator: credsAuthenticator(new TextEncoder().encode(creds)) });
  nc.subscribe(subject, {
    callback: (_error, message) => {
      const p = document.createElement('p');
      p.textContent = message.string();
      box.appendChild(p);
    },
  });
  await nc.flush();
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

(globalThis as unknown as { roomkeyRawRender: unknown }).roomkeyRawRender = { start, rendered };
