// The raw latency anchor of issue 19: a raw NATS publish from Node, received by a subscriber in
// the Chromium page under test over WebSocket, rendered into the DOM by a minimal handler
// (_raw-render-page.ts). Measured on the same server and page as the client figure it anchors.
import { readFileSync } from 'node:fs';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';

const now = () => performance.timeOrigin + performance.now();

/**
 * The p-th percentile of `values` (nearest rank).
 * @example percentile([3, 1, 2], 50) // 2
 */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Publishes `samples` texts one at a time from Node and returns each publish → rendered time (ms).
 * @example const ms = await rawRenderedLatencies(page, stack.urls.natsWebSocket, stack.paths.gatewayAppCreds, 200);
 */
export async function rawRenderedLatencies(
  page: Page,
  natsWebSocketUrl: string,
  credsPath: string,
  samples: number,
): Promise<number[]> {
  const bundle = await build({
    entryPoints: [new URL('_raw-render-page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  const creds = readFileSync(credsPath, 'utf8');
  const subject = `bench.raw.render.${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ url, creds, subject }) =>
      (
        globalThis as unknown as {
          roomkeyRawRender: { start(u: string, c: string, s: string): Promise<void> };
        }
      ).roomkeyRawRender.start(url, creds, subject),
    { url: natsWebSocketUrl, creds, subject },
  );
  const publisher = await wsconnect({
    servers: natsWebSocketUrl,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
  });
  try {
    const latencies: number[] = [];
    for (let i = -5; i < samples; i++) {
      const text = `raw-${i}`;
      const rendered = page.evaluate(
        (t) =>
          (
            globalThis as unknown as { roomkeyRawRender: { rendered(t: string): Promise<number> } }
          ).roomkeyRawRender.rendered(t),
        text,
      );
      const start = now();
      publisher.publish(subject, text);
      await publisher.flush();
      const at = await rendered;
      if (i >= 0) latencies.push(at - start); // the first few warm up the path
    }
    return latencies;
  } finally {
    await publisher.close();
  }
}
