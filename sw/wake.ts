/**
 * What a push leads to: the single integration point between the service worker and the client
 * SDK. The push carried no content, so everything a notification says comes from here.
 * For each deployment the page recorded (core/client/device-unlock.ts): if the device-unlock
 * opt-in is on, open the encrypted store with the device key, read the deployment config and
 * each room's newest messages over NATS as this device (core/client's `readRecent`, read-only:
 * the page owns the room snapshots), and return one entry per room with news (title: the room
 * name; body: "sender: text" when previews are allowed, else "New message"). If no store can be
 * opened, a content-free "New message" says only what the push service could already see.
 *
 * What counts as news is the runtime's notified window (core/client/runtime), kept in the store:
 * messages from others not notified before, nothing stored before the opt-in, and nothing the
 * user already read on another device (the shared read markers, read on the same connection:
 * each room is read only after its marker, so what was read elsewhere is never even fetched).
 * Each wake also says the device is up (a `hidden` presence beacon) and returns the markers, so
 * notifications shown earlier for what is now read are closed. A SYNC_READ push only does that:
 * markers, no messages. The config fetch, the catch-up size and the timeouts are core's.
 * @example const { notifications, read } = await wakeFromPush('wake');
 */
import { fromUtf8 } from '../core/bytes.ts';
import {
  announceAwake,
  Backoff,
  type ClientConfig,
  clientConfigFor,
  type DeletedMessage,
  type DeviceRecord,
  deletedMessageOf,
  deviceReadMarkers,
  deviceRecords,
  fetchDeploymentConfig,
  listReadMarkers,
  NotifiedWindow,
  openWithDeviceUnlock,
  readRecent,
  type StoredMessage,
  settings,
} from '../core/client/index.ts';
import type { EncryptedStore } from '../core/store/index.ts';
import type { SentinelKind } from './sentinel.ts';

/** One local notification to show; `roomId` '' means "the app", not a room. */
export interface WakeNotification {
  roomId: string;
  title: string;
  body: string;
  /** Notifications with the same tag replace each other (one per room keeps the tray tidy). */
  tag: string;
  /** The stream sequence of the newest message it tells of (0: none); closed once read up to it. */
  seq: number;
  /** The message it shows and its author: closed when the author deletes it. */
  messageId?: string;
  senderUserId?: string;
}

/** What a push led to: notifications to show, and every room's shared read marker. */
export interface WakeResult {
  notifications: WakeNotification[];
  /** Room → the sequence the user read up to on any device: notifications at or below it close. */
  read: Map<string, number>;
  /** Messages deleted by their authors among those read: their notifications close. */
  deleted?: DeletedMessage[];
}

/** The content-free notification: all a locked device can say. */
export const GENERIC: WakeNotification = {
  roomId: '',
  title: 'RoomKey',
  body: 'New message',
  tag: 'roomkey',
  seq: 0,
};

/**
 * This worker's notified window in the store. Under the name of the marks it replaces
 * ({ [roomId]: { seq } }, the last notified sequence per room), which it reads once.
 */
const WINDOW = 'sw/last-notified';

/** Wakes for a sentinel of `kind` (see the top of this file). */
export async function wakeFromPush(kind: SentinelKind = 'wake'): Promise<WakeResult> {
  const out: WakeNotification[] = [];
  const read = new Map<string, number>();
  const deleted: DeletedMessage[] = [];
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
      const config = clientConfigFor(await fetchDeploymentConfig(record.configUrl), new Backoff());
      if (kind === 'sync-read') {
        for (const [roomId, seq] of await deviceReadMarkers(store, config)) read.set(roomId, seq);
      } else {
        out.push(...(await catchUpDevice(record, store, config, read, deleted)));
      }
    } catch (error) {
      console.warn(`RoomKey: wake-up catch-up failed: ${(error as Error).message}`);
      locked = true; // something is new, but this worker could not read it: say only that
    } finally {
      store.lock();
    }
  }
  // A read-state change shows nothing; a wake-up it could not read says only that something came.
  const generic = kind === 'wake' && out.length === 0 && locked;
  return { notifications: generic ? [GENERIC] : out, read, deleted };
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

/** The notifications for one deployment's store (unlocked); its read markers go into `read`. */
async function catchUpDevice(
  record: DeviceRecord,
  store: EncryptedStore,
  config: ClientConfig,
  read: Map<string, number>,
  deleted: DeletedMessage[],
): Promise<WakeNotification[]> {
  const window = await loadWindow(store);
  // Only what was stored after the last message this worker read in each room, and after what
  // the user read on any device, as every catch-up.
  const rooms = await readRecent(store, config, {
    perRoom: settings.CATCH_UP_MESSAGES,
    onConnected: async (nc) => {
      await announceAwake(nc, store);
      try {
        for (const [roomId, seq] of await listReadMarkers(nc, { timeoutMs: config.requestTimeoutMs }))
          read.set(roomId, seq);
      } catch (error) {
        // Without the markers this device's own window decides, as before they existed.
        console.warn(`RoomKey: read markers unavailable: ${(error as Error).message}`);
      }
    },
    after: (roomId) => Math.max(window.seq(roomId), read.get(roomId) ?? 0),
  });
  const out: WakeNotification[] = [];
  for (const { roomId, name, messages } of rooms) {
    // Nothing stored before the opt-in is ever notified (by the server's stored time).
    const caughtUp = window.catchUp(roomId, messages, { notBeforeMs: record.enabledAtMs ?? Date.now() });
    const gone = deletesIn(messages);
    deleted.push(...gone);
    // A message deleted by its author in the same batch is not shown at all.
    const fresh = caughtUp.filter(
      (m) => !gone.some((d) => d.messageId === m.messageId && d.author === m.senderUserId),
    );
    const last = fresh.at(-1);
    if (!last) continue;
    const more = fresh.length > 1 ? ` (+${fresh.length - 1} more)` : '';
    out.push({
      roomId,
      title: name || 'RoomKey',
      body: record.previews ? `${last.senderUsername}: ${last.text}${more}` : `New message${more}`,
      tag: `room-${roomId}`,
      seq: last.seq,
      messageId: last.messageId,
      senderUserId: last.senderUserId,
    });
  }
  await window.save();
  return out;
}

/**
 * The deletes among `messages` (only the author's count; the notification's data says who that is).
 * @example deletesIn(messages) // [{ roomId, messageId: target, author }]
 */
export function deletesIn(messages: readonly StoredMessage[]): DeletedMessage[] {
  return messages.flatMap((m) => deletedMessageOf(m) ?? []);
}
