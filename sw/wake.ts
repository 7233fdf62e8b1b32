/**
 * What a wake-up push leads to: the single integration point between the service worker and
 * the client SDK. The push carried no content, so everything a notification says comes from here.
 * For each deployment the page recorded (core/client/device-unlock.ts): if the device-unlock
 * opt-in is on, open the encrypted store with the device key, read the deployment config and
 * each room's newest messages over NATS as this device (core/client's `readRecent`, read-only:
 * the page owns the room snapshots), and return one entry per room with news (title: the room
 * name; body: "sender: text" when previews are allowed, else "New message"). If no store can be
 * opened, a content-free "New message" says only what the push service could already see.
 *
 * What counts as news is the runtime's notified window (core/client/runtime), kept in the store:
 * messages from others not notified before, nothing stored before the opt-in. The config fetch,
 * the catch-up size and the timeouts are core's, as in every host. Shared read markers (not in
 * the SDK yet) should one day replace this device's own window.
 * @example for (const n of await wakeFromPush()) await registration.showNotification(n.title, { body: n.body, tag: n.tag });
 */
import { fromUtf8 } from '../core/bytes.ts';
import {
  Backoff,
  clientConfigFor,
  type DeviceRecord,
  deviceRecords,
  fetchDeploymentConfig,
  NotifiedWindow,
  openWithDeviceUnlock,
  readRecent,
  settings,
} from '../core/client/index.ts';
import type { EncryptedStore } from '../core/store/index.ts';

/** One local notification to show; `roomId` '' means "the app", not a room. */
export interface WakeNotification {
  roomId: string;
  title: string;
  body: string;
  /** Notifications with the same tag replace each other (one per room keeps the tray tidy). */
  tag: string;
}

/** The content-free notification: all a locked device can say. */
export const GENERIC: WakeNotification = {
  roomId: '',
  title: 'RoomKey',
  body: 'New message',
  tag: 'roomkey',
};

/**
 * This worker's notified window in the store. Under the name of the marks it replaces
 * ({ [roomId]: { seq } }, the last notified sequence per room), which it reads once.
 */
const WINDOW = 'sw/last-notified';

export async function wakeFromPush(): Promise<WakeNotification[]> {
  const out: WakeNotification[] = [];
  const records = await deviceRecords().catch(() => []);
  // Nothing this worker can open: still one notification (Chrome requires one per push), content-free.
  let locked = records.length === 0;
  for (const record of records) {
    const store = await openWithDeviceUnlock(record).catch(() => undefined);
    if (!store) {
      locked = true;
      continue;
    }
    try {
      out.push(...(await catchUpDevice(record, store)));
    } catch (error) {
      console.warn(`RoomKey: wake-up catch-up failed: ${(error as Error).message}`);
      locked = true; // something is new, but this worker could not read it: say only that
    } finally {
      store.lock();
    }
  }
  return out.length === 0 && locked ? [GENERIC] : out;
}

/** The window in `store`, with the last notified sequences of the older marks taken over. */
async function loadWindow(store: EncryptedStore): Promise<NotifiedWindow> {
  const window = await NotifiedWindow.load(store, WINDOW);
  try {
    const bytes = await store.get(WINDOW);
    const old = bytes ? (JSON.parse(fromUtf8(bytes)) as Record<string, { seq?: unknown }>) : {};
    if (!('v' in old)) {
      for (const [roomId, mark] of Object.entries(old))
        if (typeof mark?.seq === 'number') window.advance(roomId, mark.seq);
    }
  } catch {
    // Unreadable marks: the window alone decides.
  }
  return window;
}

/** The notifications for one deployment's store (unlocked). */
async function catchUpDevice(record: DeviceRecord, store: EncryptedStore): Promise<WakeNotification[]> {
  const window = await loadWindow(store);
  const config = clientConfigFor(await fetchDeploymentConfig(record.configUrl), new Backoff());
  // Only what was stored after the last message this worker read in each room, as every catch-up.
  const rooms = await readRecent(store, config, {
    perRoom: settings.CATCH_UP_MESSAGES,
    after: (roomId) => window.seq(roomId),
  });
  const out: WakeNotification[] = [];
  for (const { roomId, name, messages } of rooms) {
    // Nothing stored before the opt-in is ever notified (by the server's stored time).
    const fresh = window.catchUp(roomId, messages, { notBeforeMs: record.enabledAtMs ?? Date.now() });
    const last = fresh.at(-1);
    if (!last) continue;
    const more = fresh.length > 1 ? ` (+${fresh.length - 1} more)` : '';
    out.push({
      roomId,
      title: name || 'RoomKey',
      body: record.previews ? `${last.senderUsername}: ${last.text}${more}` : `New message${more}`,
      tag: `room-${roomId}`,
    });
  }
  await window.save();
  return out;
}
