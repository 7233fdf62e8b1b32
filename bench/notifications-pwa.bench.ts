// The browser half of the notification figures (issue 14; the gateway's are notifications.bench.ts):
//   push-wake-to-notification-p50/p90   Bob's send() in Node → the notification shown by Alice's
//       service worker in Chromium, her page closed: the gateway's router finds no active device,
//       its Web Push sender POSTs the 4-byte sentinel (VAPID, aes128gcm) to the local push service
//       (test/helpers/push-service.ts), which forwards it with CDP ServiceWorker.deliverPushMessage;
//       the worker wakes, connects as the device (a fresh JWT), reads the markers and the room after
//       its last sequence, decrypts, and shows the notification (its showNotification resolved).
// Starts and stops its own nats-server, gateway, push service, static server and browser.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page, Worker } from 'playwright-core';
import { startStaticServer } from '../gateway/static-server.ts';
import { launchUser, waitFor } from '../test/e2e/helpers/browser.ts';
import { ensureBuilt, repoRoot } from '../test/e2e/helpers/build.ts';
import { SLOW } from '../test/e2e/helpers/components.ts';
import { deliverPush } from '../test/e2e/helpers/push.ts';
import { startPushService } from '../test/helpers/push-service.ts';
import { startStack } from '../test/helpers/stack.ts';

type Report = (name: string, value: number, unit: string) => void;

const SAMPLES = 15;
const PASSWORD = 'bench alice password';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Completed showNotification calls in the worker, with their wall-clock times. */
async function stampShown(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const g = globalThis as unknown as { __shownAt?: number[] };
    if (g.__shownAt) return;
    const times: number[] = [];
    g.__shownAt = times;
    const proto = ServiceWorkerRegistration.prototype;
    const show = proto.showNotification;
    proto.showNotification = function (this: ServiceWorkerRegistration, ...args: Parameters<typeof show>) {
      return show.apply(this, args).then(() => {
        times.push(Date.now());
      });
    };
  });
}

export async function bench(report: Report): Promise<void> {
  ensureBuilt();
  const push = await startPushService();
  const stack = await startStack();
  const user = await launchUser('bench-alice-pwa');
  const web = { stop: async () => undefined, url: '' };
  try {
    const gateway = await stack.startGateway({
      push: { allowHttpEndpoints: true, timing: { minIntervalMs: 0, wakeTimeoutMs: 60_000 } },
    });
    const server = await startStaticServer({
      roots: {
        '/': join(repoRoot, 'demo'),
        '/dist/': join(repoRoot, 'dist'),
        '/sw.js': join(repoRoot, 'dist', 'sw.js'),
      },
      config: {
        version: 1,
        natsWebSocketUrl: stack.clientConfig().servers as string,
        loginJwt: stack.clientConfig().loginJwt,
        vapidPublicKey: gateway.vapidPublicKey,
      } as Parameters<typeof startStaticServer>[0]['config'],
    });
    Object.assign(web, server);
    const url = `${server.url}/`;
    await user.context.grantPermissions(['notifications'], { origin: server.url });

    // Alice signs up in the page, Bob in Node; one room; Alice's worker may open her store.
    const page = await user.page();
    await page.goto(url);
    await page.locator('roomkey-sign-in button[part=switch]').click();
    await page.locator('roomkey-sign-in #username').fill('alice');
    await page.locator('roomkey-sign-in #password').fill(PASSWORD);
    await page.locator('roomkey-sign-in #confirm').fill(PASSWORD);
    await page.locator('roomkey-sign-in button[part=submit]').click();
    await page.locator('roomkey-sign-in button[part=lock]').waitFor({ timeout: SLOW });
    const bob = await stack.signUpSession({ username: 'bob' });
    const { roomId } = await bob.createRoom('Bench room');
    await bob.invite(roomId, 'alice');
    await page.locator(`roomkey-rooms button.room[data-room-id="${roomId}"]`).waitFor({ timeout: 20_000 });
    const subscription = push.newSubscription();
    await page.evaluate(
      async ({ password, subscription }) => {
        const { getDefaultClient } = await import('/dist/roomkey.js' as string);
        const client = getDefaultClient();
        await client.setDeviceUnlock(true, password);
        await client.sdk.savePush(subscription);
        client.runtime.setPresence('hidden');
      },
      { password: PASSWORD, subscription },
    );
    await sleep(1200); // the hidden beacon goes out (at most one per 600 ms) and is stored
    // The app goes away; a controlled page of the scope keeps the worker (and the probe) alive.
    const hold: Page = await user.page();
    await hold.goto(`${url}offline.html`);
    await page.close();
    const worker = await waitFor('the service worker', async () =>
      user.context.serviceWorkers().find((w) => w.url() === `${url}sw.js`),
    );
    await stampShown(worker);
    // A push service answers 201 at once and delivers afterwards: the forward does not hold the answer.
    push.onPush((received) => {
      if (received.payload && received.endpoint === subscription.endpoint)
        void deliverPush(hold, url, received.payload).catch((error: Error) => console.error(error.message));
    });

    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const before = await worker.evaluate(
        () => (globalThis as unknown as { __shownAt: number[] }).__shownAt.length,
      );
      const sentAt = Date.now();
      await bob.send(roomId, `bench message ${i}`);
      const shownAt = await waitFor(
        'the notification',
        () => worker.evaluate((n) => (globalThis as unknown as { __shownAt: number[] }).__shownAt[n], before),
        30_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message} (sample ${i}; pushes received: ${push.received.length})`);
      });
      samples.push(shownAt - sentAt);
      await sleep(1000); // the worker's wake is over (its beacon stored); the next send is its own burst
    }
    report('push-wake-to-notification-p50', percentile(samples, 50), 'ms');
    report('push-wake-to-notification-p90', percentile(samples, 90), 'ms');
  } finally {
    await user.close();
    await web.stop();
    await stack.stop();
    await push.stop();
  }
}
