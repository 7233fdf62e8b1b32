// Notifications across devices (issue 14), end to end: Alice on two devices — A, the demo page in
// one Chromium profile, and B, the installed PWA in another (its service worker, "keep this device
// unlocked" on, a Web Push subscription issued by a loopback RFC 8030 push service) — and Bob, who
// sends (an SDK session). A real nats-server and gateway; the gateway's Web Push sender talks to
// the push service over HTTP (VAPID checked, aes128gcm decrypted there), and each accepted push is
// forwarded to B's worker with CDP ServiceWorker.deliverPushMessage.
//  1. A visible and focused on the app: an App Notification in the tab, the push service gets nothing;
//  2. A hidden, B's page closed: exactly one push, for B, the 4-byte sentinel only; B's worker shows
//     a notification naming the room;
//  3. Alice reads the room on A: B gets a SYNC_READ sentinel (same size) and closes the notification;
//  4. a later wake notifies only what A has not read; B's app, opened, counts only that unread, and
//     a click on the notification opens the room;
//  5. the push service answers 410: the subscription is deleted, nothing is retried;
//  6. it answers 429 (Retry-After), then is down: bounded retries, nothing lost on the next open.
// Steps build on each other, in order.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page, Worker } from 'playwright-core';
import type { RoomKeySession } from '../../core/client/session.ts';
import { type StaticServer, startStaticServer } from '../../gateway/static-server.ts';
import { startPushService, type TestPushService, type TestSubscription } from '../helpers/push-service.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt, repoRoot } from './helpers/build.ts';
import { SLOW, shown, signUp, texts, waitForText } from './helpers/components.ts';
import {
  countShownNotifications,
  deliverPush,
  shownNotifications,
  waitForShownNotifications,
} from './helpers/push.ts';

const STEP = { timeout: 240_000 };
const PASSWORD = 'alice password 1';
const WAKE = [0x08, 0x01, 0x10, 0x01];
const SYNC_READ = [0x08, 0x01, 0x10, 0x02];
/** Short enough for a test; the sender's defaults are 10 s between pushes and 4 tries from 1 s. */
const TIMING = {
  wakeTimeoutMs: 5000,
  minIntervalMs: 300,
  maxAttempts: 3,
  retryBaseMs: 400,
  maxRetryDelayMs: 5000,
};

describe('notifications across devices: presence, Web Push, shared read markers', {
  timeout: 600_000,
}, () => {
  let stack: TestStack;
  let push: TestPushService;
  let web: StaticServer;
  let a: BrowserUser;
  let b: BrowserUser;
  let pageA: Page;
  /** B's controlled page that keeps the worker alive (the app itself is closed). */
  let holdB: Page;
  let bob: RoomKeySession;
  let roomId = '';
  let sub: TestSubscription;
  let url = '';
  /** Pushes forwarded to B's worker, in order. */
  const forwarded: number[][] = [];

  before(async () => {
    ensureBuilt();
    push = await startPushService();
    stack = await startStack();
    const gateway = await stack.startGateway({
      push: { allowHttpEndpoints: true, timing: TIMING },
      // ROOMKEY_E2E_CONSOLE=1: the gateway's log lines too.
      ...(process.env['ROOMKEY_E2E_CONSOLE'] && {
        log: (line: string) => process.stderr.write(`[gateway] ${line}\n`),
      }),
    });
    push.expectVapidKey(gateway.vapidPublicKey);
    web = await startStaticServer({
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
    url = `${web.url}/`;
    [a, b] = await Promise.all([launchUser('alice-a'), launchUser('alice-b')]);
    await b.context.grantPermissions(['notifications'], { origin: new URL(url).origin });
    pageA = await a.page();
    // A's window has the focus, as a person's would: presence follows document.hasFocus().
    const cdp = await a.context.newCDPSession(pageA);
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
    push.onPush(async (received) => {
      if (!received.payload || received.endpoint !== sub?.endpoint) return;
      forwarded.push([...received.payload]);
      await deliverPush(holdB, url, received.payload);
    });
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await web?.stop();
    await stack?.stop();
    await push?.stop();
  });

  /** B's worker as playwright sees it (alive while `holdB` is open). */
  function workerB(): Promise<Worker> {
    return waitFor("B's service worker", async () =>
      b.context.serviceWorkers().find((w) => w.url() === `${url}sw.js`),
    );
  }

  async function presence(page: Page, state: 'active' | 'hidden'): Promise<void> {
    await page.evaluate(async (s) => {
      const { getDefaultClient } = await import('/dist/roomkey.js' as string);
      getDefaultClient().runtime.setPresence(s);
    }, state);
    await sleep(1000); // the beacon (at most one per 600 ms) reaches the gateway's presence bucket
  }

  /** B's app, opened and unlocked (a new page). */
  async function openAppB(at = ''): Promise<Page> {
    const page = await b.page();
    await page.goto(`${url}${at}`);
    await page.locator('roomkey-sign-in #password').fill(PASSWORD, { timeout: SLOW });
    await page.locator('roomkey-sign-in button[part=submit]').click();
    await page.locator('roomkey-sign-in button[part=lock]').waitFor({ timeout: SLOW });
    return page;
  }

  /** Closes B's app after saying so (hidden), as a page that goes away does. */
  async function closeAppB(page: Page): Promise<void> {
    await presence(page, 'hidden');
    await page.close();
  }

  async function saveSubscription(page: Page, subscription: TestSubscription): Promise<void> {
    await page.evaluate(async (s) => {
      const { getDefaultClient } = await import('/dist/roomkey.js' as string);
      await getDefaultClient().sdk.savePush(s);
    }, subscription);
  }

  /** B's notifications about the room, as its worker shows them. */
  async function trayB(): Promise<{ title: string; body: string; tag: string }[]> {
    return (await shownNotifications(holdB)).filter((n) => (n.data as { roomId?: string }).roomId === roomId);
  }

  it('Alice on A (sign-up) and B (sign-in as a new device, the PWA); Bob invites her', {
    timeout: 180_000,
  }, async () => {
    await signUp(pageA, url, 'alice', PASSWORD);
    const pageB = await b.page();
    await pageB.goto(url);
    await pageB.locator('roomkey-sign-in #username').fill('alice');
    await pageB.locator('roomkey-sign-in #password').fill(PASSWORD);
    await pageB.locator('roomkey-sign-in button[part=submit]').click();
    await pageB.locator('roomkey-sign-in button[part=lock]').waitFor({ timeout: SLOW });
    bob = await stack.signUpSession({ username: 'bob' });
    roomId = (await bob.createRoom('Tea club')).roomId;
    await bob.invite(roomId, 'alice');
    for (const page of [pageA, pageB])
      await page.locator(`roomkey-rooms button.room[data-room-id="${roomId}"]`).waitFor({ timeout: 20_000 });
    // B: "keep this device unlocked" for its worker, and a push subscription (Chromium here has no
    // push service of its own: the test's issues it, and B's client saves it with the gateway).
    sub = push.newSubscription();
    await pageB.evaluate(async (password) => {
      const { getDefaultClient } = await import('/dist/roomkey.js' as string);
      await getDefaultClient().setDeviceUnlock(true, password);
    }, PASSWORD);
    await saveSubscription(pageB, sub);
    holdB = await b.page();
    await holdB.goto(`${url}offline.html`);
    await countShownNotifications(await workerB());
    await closeAppB(pageB);
  });

  it('1. A is visible and focused: an App Notification in the tab, no push', STEP, async () => {
    await presence(pageA, 'active');
    await bob.send(roomId, 'm1: anyone for tea?');
    await waitFor('the toast on A', async () =>
      /bob in Tea club/.test(await shown(pageA, 'roomkey-notifications')),
    );
    await sleep(1500);
    assert.deepEqual(push.received, [], 'the push service received nothing');
  });

  it('2. A is hidden, B was closed: one push for B, the sentinel only; B names the room', STEP, async () => {
    await presence(pageA, 'hidden');
    await bob.send(roomId, 'm2: the kettle is on');
    const [first] = await push.waitFor(1, { endpoint: sub.endpoint, timeoutMs: 20_000 });
    assert.deepEqual([...(first!.payload ?? [])], WAKE, 'the 4-byte WAKE sentinel, nothing else');
    assert.equal(first!.status, 201);
    assert.equal(push.received.length, 1, 'exactly one push');
    await waitForShownNotifications(await workerB(), 1, 30_000);
    const tray = await trayB();
    assert.equal(tray.length, 1, JSON.stringify(tray));
    assert.equal(tray[0]!.title, 'Tea club');
    assert.equal(tray[0]!.body, 'bob: m2: the kettle is on (+1 more)');
  });

  it(
    '3. Alice reads the room on A: B gets SYNC_READ (same size) and closes its notification',
    STEP,
    async () => {
      await presence(pageA, 'active');
      await pageA.locator(`roomkey-rooms button.room[data-room-id="${roomId}"]`).click();
      await waitForText(pageA, 'm2: the kettle is on');
      const pushes = await push.waitFor(2, { endpoint: sub.endpoint, timeoutMs: 20_000 });
      assert.deepEqual([...(pushes[1]!.payload ?? [])], SYNC_READ);
      assert.equal(pushes[1]!.bodyLength, pushes[0]!.bodyLength, 'every push is the same size');
      await waitFor('the notification closed on B', async () => (await trayB()).length === 0, 15_000);
    },
  );

  it(
    '4. a later wake notifies only what A has not read; B counts only that; a click opens the room',
    STEP,
    async () => {
      await pageA.evaluate(() => {
        location.hash = '';
      });
      await presence(pageA, 'hidden');
      await bob.send(roomId, 'm3: biscuits?');
      // A left the room and hid its tab within a moment: the last beacon still reaches the gateway.
      await push.waitFor(3, { endpoint: sub.endpoint, timeoutMs: 20_000 });
      await waitForShownNotifications(await workerB(), 2, 30_000);
      const [note] = await trayB();
      assert.equal(note?.body, 'bob: m3: biscuits?', 'm1 and m2 were read on A: not notified again');

      const app = await openAppB();
      const badge = app.locator(`roomkey-rooms button.room[data-room-id="${roomId}"] [part=unread]`);
      await waitFor("B's unread count", async () => (await badge.textContent())?.includes('1 unread'));

      await (await workerB()).evaluate(async (tag) => {
        const sw = self as unknown as {
          registration: ServiceWorkerRegistration;
          NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
        };
        const [notification] = await sw.registration.getNotifications({ tag });
        self.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification: notification! }));
      }, `room-${roomId}`);
      await waitFor('B at the room', async () => app.url() === `${url}#room=${roomId}`);
      await waitForText(app, 'm3: biscuits?');
      await closeAppB(app);
    },
  );

  it('5. the push service answers 410: the subscription is deleted, nothing is retried', STEP, async () => {
    const before = push.receivedFor(sub.endpoint).length;
    push.answer(sub.endpoint, 410);
    await bob.send(roomId, 'm4: gone?');
    const got = await push.waitFor(before + 1, { endpoint: sub.endpoint, timeoutMs: 20_000 });
    assert.equal(got.at(-1)!.status, 410);
    await bob.send(roomId, 'm5: still gone?');
    await sleep(3000);
    assert.equal(
      push.receivedFor(sub.endpoint).length,
      before + 1,
      'no retry, and no push without a subscription',
    );
  });

  it(
    '6. 429 with Retry-After, then down: bounded retries, and the message is there on the next open',
    STEP,
    async () => {
      let app = await openAppB();
      sub = push.newSubscription();
      await saveSubscription(app, sub);
      await closeAppB(app);
      push.answer(sub.endpoint, { status: 429, retryAfter: 1 }, 'down', 'down', 'down', 'down');
      const text = 'm6: sent while the push service was down';
      await bob.send(roomId, text);
      const tries = await push.waitFor(TIMING.maxAttempts, { endpoint: sub.endpoint, timeoutMs: 30_000 });
      assert.equal(tries[0]!.status, 429);
      assert.ok(tries[1]!.atMs - tries[0]!.atMs >= 900, 'Retry-After is honoured');
      await sleep(4000);
      assert.equal(push.receivedFor(sub.endpoint).length, TIMING.maxAttempts, 'retries are bounded');
      app = await openAppB(`#room=${roomId}`);
      await waitForText(app, text, SLOW);
      assert.ok((await texts(app)).includes('m5: still gone?'), 'nothing was lost');
    },
  );
});
