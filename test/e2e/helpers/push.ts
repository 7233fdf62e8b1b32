// Web Push without a push service: Chromium's DevTools protocol delivers a message straight to a
// service worker's `push` event (ServiceWorker.enable → workerRegistrationUpdated gives the
// registration id → ServiceWorker.deliverPushMessage). The worker sees a real, trusted PushEvent.
import type { Page } from 'playwright-core';

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
