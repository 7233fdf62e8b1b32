// The demo PWA against the real local stack (`gateway/cli.ts dev`: nats-server, gateway, demo over
// HTTP) in Debian's Chromium: the one script tag defines the elements, the workbox service worker
// precaches the shell, a push sentinel delivered through CDP leads to a notification, a click on it
// brings the page to the room, and with the stack gone and the network cut the shell still loads
// and says it is offline. The steps share one browser and build on each other, in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page, Worker } from 'playwright-core';
import { axeViolations } from './helpers/a11y.ts';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { type RunningDevStack, startDevStack } from './helpers/dev-stack.ts';
import {
  countShownNotifications,
  deliverPush,
  shownNotifications,
  waitForShownNotifications,
} from './helpers/push.ts';
import { snap } from './helpers/screenshots.ts';

const ELEMENTS = ['roomkey-sign-in', 'roomkey-rooms', 'roomkey-room', 'roomkey-notifications'];
const SENTINEL = new Uint8Array([0x08, 0x01]); // roomkey.v1.PushSentinel { version: 1 }
const STEP = { timeout: 60_000 };

function definedElements(page: Page): Promise<string[]> {
  return page.evaluate((tags) => tags.filter((t) => customElements.get(t) !== undefined), ELEMENTS);
}

describe('demo PWA', { timeout: 240_000 }, () => {
  let stack: RunningDevStack;
  let alice: BrowserUser;
  let page: Page;

  before(async () => {
    ensureBuilt();
    stack = await startDevStack();
    alice = await launchUser('alice');
    await alice.context.grantPermissions(['notifications'], { origin: stack.origin });
    page = await alice.page();
  });

  /** The demo's service worker as playwright sees it. */
  function serviceWorker(): Worker {
    const worker = alice.context.serviceWorkers().find((w) => w.url() === `${stack.urls.web}sw.js`);
    assert.ok(worker, 'the service worker is visible to the test');
    return worker;
  }

  after(async () => {
    await alice?.close();
    await stack?.dispose();
  });

  it('loads from the local stack with the one script tag and defines every element', STEP, async () => {
    await page.goto(stack.urls.web);
    const tag = await page.$eval('script[data-gateway]', (s) => ({
      src: (s as HTMLScriptElement).src,
      type: (s as HTMLScriptElement).type,
    }));
    assert.deepEqual(tag, { src: `${stack.urls.web}dist/roomkey.js`, type: 'module' });
    await waitFor('the elements', async () => (await definedElements(page)).length === ELEMENTS.length);
    assert.equal(await page.title(), 'RoomKey demo');
    assert.equal(await page.textContent('#network'), '', 'online: no offline notice');
    const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
    assert.equal(await axeViolations(page), '', 'no axe violations on the page');
    await snap(page, 'demo-sign-in');
    assert.equal(manifest.start_url, '/');
    assert.deepEqual(
      manifest.icons.map((i: { sizes: string }) => i.sizes),
      ['192x192', '512x512', '192x192', '512x512'],
    );
  });

  it('installs the service worker, which precaches the shell and controls the page', STEP, async () => {
    await waitFor('a controlling service worker', () =>
      page.evaluate(() => navigator.serviceWorker.controller?.scriptURL),
    );
    const cached = await page.evaluate(async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('workbox-precache'));
      const requests = (await Promise.all(names.map(async (n) => (await caches.open(n)).keys()))).flat();
      return requests.map((r) => new URL(r.url).pathname).sort();
    });
    // The bundle's lazily loaded chunks (hashed names) are precached too, so the in-page client
    // works offline as well (and its verify worker); the rest of the shell is exactly this list.
    const chunks = cached.filter((p) => p.startsWith('/dist/chunks/'));
    assert.ok(
      chunks.some((p) => /\/in-page-[A-Z0-9]+\.js$/.test(p)),
      `the in-page client chunk: ${chunks.join(' ')}`,
    );
    assert.deepEqual(
      cached.filter((p) => !p.startsWith('/dist/chunks/')),
      [
        '/admin.html',
        '/app.js',
        '/dist/roomkey.js',
        '/dist/verify-worker.js',
        '/icons/icon-192.png',
        '/icons/icon-512.png',
        '/index.html',
        '/manifest.webmanifest',
        '/offline.html',
      ],
    );
  });

  it('selects the room a deep link names, and follows the link as it changes', STEP, async () => {
    await page.goto(`${stack.urls.web}#room=room-1`);
    await waitFor(
      'room-1 shown',
      async () => (await page.getAttribute('roomkey-room', 'room-id')) === 'room-1',
    );
    assert.equal(await page.getAttribute('roomkey-rooms', 'selected'), 'room-1');
    await page.evaluate(() => {
      location.hash = 'room=room-2';
    });
    await waitFor(
      'room-2 shown',
      async () => (await page.getAttribute('roomkey-room', 'room-id')) === 'room-2',
    );
  });

  it('shows a notification for a push sentinel, and nothing for any other payload', STEP, async () => {
    const worker = serviceWorker();
    await countShownNotifications(worker);
    // Both through CDP as real PushEvents, handled in order: once the sentinel's notification is
    // shown, the other push has been handled too.
    await deliverPush(page, stack.urls.web, '{"room":"room-1","text":"secret"}');
    await deliverPush(page, stack.urls.web, SENTINEL);
    await waitForShownNotifications(worker, 1);
    const shown = await shownNotifications(page);
    assert.deepEqual(shown, [
      { title: 'RoomKey', body: 'New message', tag: 'roomkey', data: { roomId: '', url: '/' } },
    ]);
    assert.ok(!JSON.stringify(shown).includes('secret'), 'payload content is never shown');
  });

  it('on a notification click, brings the app window to the room', STEP, async () => {
    // Headless Chromium cannot click an OS notification: the test shows a room notification the way
    // the push handler does and dispatches `notificationclick` in the worker. The handler runs as for
    // a real click, except that focus() is refused (no user activation), which it tolerates.
    await serviceWorker().evaluate(async () => {
      const sw = self as unknown as {
        registration: ServiceWorkerRegistration;
        NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
      };
      await sw.registration.showNotification('Room 42', {
        tag: 'room-42',
        data: { roomId: 'room-42', url: '/#room=room-42' },
      });
      const [notification] = await sw.registration.getNotifications({ tag: 'room-42' });
      self.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification: notification! }));
    });
    await waitFor('the page at the room', async () => page.url() === `${stack.urls.web}#room=room-42`);
    await waitFor(
      'room-42 shown',
      async () => (await page.getAttribute('roomkey-room', 'room-id')) === 'room-42',
    );
    const left = await shownNotifications(page);
    assert.ok(!left.some((n) => n.tag === 'room-42'), 'the clicked notification is closed');
  });

  it('loads the shell with the stack stopped and the network cut, and says it is offline', STEP, async () => {
    await stack.stop();
    await alice.context.setOffline(true);
    await page.reload();
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'served by the worker');
    await waitFor('the elements', async () => (await definedElements(page)).length === ELEMENTS.length);
    await waitFor(
      'the offline notice',
      async () => (await page.textContent('#network')) === 'You are offline',
    );
    assert.equal(
      await page.getAttribute('roomkey-room', 'room-id'),
      'room-42',
      'the deep link still applies',
    );
    // A page outside the shell gets the precached offline page.
    await page.goto(`${stack.urls.web}not-in-the-shell`);
    assert.equal(await page.textContent('h1'), 'You are offline');
  });
});
