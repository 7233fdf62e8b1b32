/**
 * What a wake-up push leads to: the single integration point between the service worker and
 * the client SDK. The push carried no content, so everything a notification says comes from here.
 * For each deployment the page recorded (core/client/device-unlock.ts): if the device-unlock opt-in is on,
 * open the encrypted store with the device key, connect over NATS as this device, read the recent
 * history of each room this user is in, decrypt it here, and return one entry per room with news
 * (title: the room name; body: "sender: text" when previews are allowed, else "New message").
 * Messages already notified are skipped: the last notified message per room is kept in the store
 * (encrypted), and nothing sent before the opt-in is ever notified. If no store can be opened, a
 * content-free "New message" notification says only what the push service could already see.
 *
 * The reading itself is core's (`readRecent`, read-only: the page owns the room snapshots); this
 * file keeps only the notification policy. Shared read markers (not in the SDK yet) should one day
 * replace the per-device "last notified" record.
 * @example for (const n of await wakeFromPush()) await registration.showNotification(n.title, { body: n.body, tag: n.tag });
 */

import { fromUtf8, utf8 } from '../core/bytes.ts';
import type { ReceivedMessage, StoredMessage } from '../core/client/index.ts';
import {
  type ClientConfig,
  type DeploymentConfig,
  type DeviceRecord,
  deviceRecords,
  openWithDeviceUnlock,
  parseDeploymentConfig,
  readRecent,
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

/** This worker's own record in the store: { [roomId]: { seq } } (stream sequence) of the last notified. */
const LAST_NOTIFIED = 'sw/last-notified';
/** Messages read per room on a wake-up. */
const RECENT = 20;
const TIMEOUT_MS = 8000;

/** `sentAtMs`/`messageId`: marks written before stream sequences were kept. */
type Marks = Record<string, { seq?: number; sentAtMs?: number; messageId?: string }>;

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

async function loadConfig(configUrl: string): Promise<ClientConfig> {
  const res = await fetch(configUrl, { cache: 'no-store' });
  if (!res.ok) throw new Error(`config: HTTP ${res.status}`);
  const json: unknown = await res.json();
  let body: DeploymentConfig;
  try {
    body = parseDeploymentConfig(json);
  } catch (cause) {
    throw new Error('config: not understood', { cause });
  }
  return { servers: body.natsWebSocketUrl, loginJwt: body.loginJwt, requestTimeoutMs: TIMEOUT_MS };
}

/** The notifications for one deployment's store (unlocked). */
async function catchUpDevice(record: DeviceRecord, store: EncryptedStore): Promise<WakeNotification[]> {
  const marksBytes = await store.get(LAST_NOTIFIED);
  const marks: Marks = marksBytes ? (JSON.parse(fromUtf8(marksBytes, 'marks')) as Marks) : {};
  const since = record.enabledAtMs ?? Date.now();
  const rooms = await readRecent(store, await loadConfig(record.configUrl), {
    perRoom: RECENT,
    timeoutMs: TIMEOUT_MS,
  });
  const out: WakeNotification[] = [];
  for (const { roomId, name, messages } of rooms) {
    const mark = marks[roomId];
    // By the server's stored time and stream sequence, never the sender's clock.
    const fresh = messages.filter(
      (m: StoredMessage): m is ReceivedMessage =>
        !m.own &&
        m.status === 'received' &&
        (m.storedAtMs ?? 0) >= since &&
        (!mark ||
          (mark.seq !== undefined ? (m.seq ?? 0) > mark.seq : (m.storedAtMs ?? 0) > (mark.sentAtMs ?? 0))),
    );
    const last = fresh.at(-1);
    if (!last) continue;
    marks[roomId] = { seq: last.seq ?? 0 };
    const more = fresh.length > 1 ? ` (+${fresh.length - 1} more)` : '';
    out.push({
      roomId,
      title: name || 'RoomKey',
      body: record.previews ? `${last.senderUsername}: ${last.text}${more}` : `New message${more}`,
      tag: `room-${roomId}`,
    });
  }
  if (out.length) await store.set(LAST_NOTIFIED, utf8(JSON.stringify(marks)));
  return out;
}
