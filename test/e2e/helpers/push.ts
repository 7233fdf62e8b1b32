// Web Push without a push service: Chromium's DevTools protocol delivers a message straight to a
// service worker's `push` event (ServiceWorker.enable → workerRegistrationUpdated gives the
// registration id → ServiceWorker.deliverPushMessage). The worker sees a real, trusted PushEvent.
import type { Page, Worker } from 'playwright-core';
import { waitFor } from './browser.ts';

interface Registration {
  registrationId: string;
  scopeURL: string;
  isDeleted: boolean;
}

/**
 * Delivers `payload` to the service worker registered for `scope` (e.g. 'http://127.0.0.1:1234/').
 * CDP carries the data as a string, sent as UTF-8: bytes ≥ 0x80 cannot be expressed, so refused.
 */
export async function deliverPush(page: Page, scope: string, payload: Uint8Array | string): Promise<void> {
  const data = typeof payload === 'string' ? payload : asciiString(payload);
  const cdp = await page.context().newCDPSession(page);
  try {
    const registrationId = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no service worker registration for ${scope}`)),
        10_000,
      );
      cdp.on(
        'ServiceWorker.workerRegistrationUpdated',
        ({ registrations }: { registrations: Registration[] }) => {
          const found = registrations.find((r) => r.scopeURL === scope && !r.isDeleted);
          if (!found) return;
          clearTimeout(timer);
          resolve(found.registrationId);
        },
      );
      cdp.send('ServiceWorker.enable').catch(reject);
    });
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: new URL(scope).origin,
      registrationId,
      data,
    });
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

function asciiString(bytes: Uint8Array): string {
  if (bytes.some((b) => b > 0x7f))
    throw new Error('CDP push data is a string: only bytes < 0x80 pass unchanged');
  return String.fromCharCode(...bytes);
}

export interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: unknown;
}

/** The notifications the page's service worker registration is showing now. */
export function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const list = await registration.getNotifications();
    return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
  });
}

/**
 * Counts, in the service worker, the `showNotification` calls that have completed from now on.
 * Why: Chromium drops a notification if `getNotifications()` runs while the push handler is still
 * showing it (its database sync sees it as "not displayed" and deletes it), so a test must wait
 * for the handler's `showNotification` to settle before it looks. Test instrumentation only; it
 * lasts as long as this worker instance (an open, controlled page keeps it alive).
 */
export async function countShownNotifications(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const g = globalThis as unknown as { __roomkeyShown?: { done: number } };
    if (g.__roomkeyShown) return;
    const counter = { done: 0 };
    g.__roomkeyShown = counter;
    const proto = ServiceWorkerRegistration.prototype;
    const show = proto.showNotification;
    proto.showNotification = function (this: ServiceWorkerRegistration, ...args: Parameters<typeof show>) {
      return show.apply(this, args).then(() => {
        counter.done++;
      });
    };
  });
}

/** Waits until `count` notifications were shown since countShownNotifications(worker). */
export async function waitForShownNotifications(
  worker: Worker,
  count: number,
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(
    `${count} notification(s) shown by the service worker`,
    () =>
      worker.evaluate(
        (n) =>
          (globalThis as unknown as { __roomkeyShown: { done: number } }).__roomkeyShown.done >= n
            ? true
            : undefined,
        count,
      ),
    timeoutMs,
  );
}
