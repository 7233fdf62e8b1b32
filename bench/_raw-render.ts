// The raw latency anchor of issue 19: a raw NATS publish from Node, received by a subscriber in
// the Chromium page under test over WebSocket, rendered into the DOM by a minimal handler
// (_raw-render-page.ts). Measured on the same server and page as the client figure it anchors.
// The JetStream anchor does the same through a file stream and a pull consumer in the page.
import { readFileSync } from 'node:fs';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
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

type RawRender = {
  start(u: string, c: string, s: string): Promise<void>;
  startJetStream(u: string, c: string, stream: string, consumer: string): Promise<void>;
  rendered(t: string): Promise<number>;
};

/** Injects the page side (_raw-render-page.ts) once per page. */
async function inject(page: Page): Promise<void> {
  const present = await page.evaluate(() => 'roomkeyRawRender' in globalThis);
  if (present) return;
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
}

/** Publishes `samples` texts one at a time with `publish` and returns each publish → rendered time (ms). */
async function timeRendered(
  page: Page,
  prefix: string,
  samples: number,
  publish: (text: string) => Promise<void>,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = -5; i < samples; i++) {
    const text = `${prefix}-${i}`;
    const rendered = page.evaluate(
      (t) => (globalThis as unknown as { roomkeyRawRender: RawRender }).roomkeyRawRender.rendered(t),
      text,
    );
    const start = now();
    await publish(text);
    const at = await rendered;
    if (i >= 0) latencies.push(at - start); // the first few warm up the path
  }
  return latencies;
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
  await inject(page);
  const creds = readFileSync(credsPath, 'utf8');
  const subject = `bench.raw.render.${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ url, creds, subject }) =>
      (globalThis as unknown as { roomkeyRawRender: RawRender }).roomkeyRawRender.start(url, creds, subject),
    { url: natsWebSocketUrl, creds, subject },
  );
  const publisher = await wsconnect({
    servers: natsWebSocketUrl,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
  });
  try {
    return await timeRendered(page, 'raw', samples, async (text) => {
      publisher.publish(subject, text);
      await publisher.flush();
    });
  } finally {
    await publisher.close();
  }
}

/**
 * The JetStream anchor: a publish from Node into a file stream (awaiting its ack, as a sender
 * does) → a pull consumer in the same page (memory cursor, no acks: as a device's room consumer)
 * → one <p>. No crypto, no RoomKey code: what JetStream's store and delivery cost over pub/sub.
 * @example const ms = await rawJetStreamRenderedLatencies(page, stack.urls.natsWebSocket, stack.paths.gatewayAppCreds, 200);
 */
export async function rawJetStreamRenderedLatencies(
  page: Page,
  natsWebSocketUrl: string,
  credsPath: string,
  samples: number,
): Promise<number[]> {
  await inject(page);
  const creds = readFileSync(credsPath, 'utf8');
  const tag = Math.random().toString(36).slice(2);
  const stream = `BENCH_RAW_JS_${tag}`;
  const subject = `bench.rawjs.${tag}`;
  const publisher = await wsconnect({
    servers: natsWebSocketUrl,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
  });
  const jsm = await jetstreamManager(publisher);
  try {
    await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.File, num_replicas: 1 });
    await jsm.consumers.add(stream, {
      durable_name: 'page',
      filter_subject: subject,
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.New,
      mem_storage: true,
      num_replicas: 1,
    });
    await page.evaluate(
      ({ url, creds, stream }) =>
        (globalThis as unknown as { roomkeyRawRender: RawRender }).roomkeyRawRender.startJetStream(
          url,
          creds,
          stream,
          'page',
        ),
      { url: natsWebSocketUrl, creds, stream },
    );
    const js = jetstream(publisher);
    return await timeRendered(page, 'rawjs', samples, async (text) => {
      await js.publish(subject, text);
    });
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await publisher.close();
  }
}
