/**
 * What a wake-up push leads to: the single integration point between the service worker and
 * the client SDK. The push carried no content, so everything a notification says comes from here.
 * For each deployment the page recorded (sw/device-unlock.ts): if the device-unlock opt-in is on,
 * open the encrypted store with the device key, connect over NATS as this device, read the recent
 * history of each room this user is in, decrypt it here, and return one entry per room with news
 * (title: the room name; body: "sender: text" when previews are allowed, else "New message").
 * Messages already notified are skipped: the last notified message per room is kept in the store
 * (encrypted), and nothing sent before the opt-in is ever notified. If no store can be opened, a
 * content-free "New message" notification says only what the push service could already see.
 *
 * SDK gap (core/client): RoomKeySession can only start from the password (`resume`), so the
 * catch-up below assembles the session's parts (DeviceLink, GatewayDirectory, RoomHandle,
 * readHistory) itself. It should become `RoomKeySession.resume({ unlock: (store) => … })` plus a
 * `catchUp({ sinceMs })` call, and shared read markers (not in the SDK yet) should replace the
 * per-device "last notified" record.
 * @example for (const n of await wakeFromPush()) await registration.showNotification(n.title, { body: n.body, tag: n.tag });
 */

import { fromUtf8, utf8 } from '../core/bytes.ts';
import type { ClientConfig } from '../core/client/config.ts';
import { DeviceLink } from '../core/client/device-link.ts';
import { roomList } from '../core/client/gateway-api.ts';
import { type DirectoryPins, GatewayDirectory } from '../core/client/gateway-directory.ts';
import { readHistory } from '../core/client/history.ts';
import { RoomHandle } from '../core/client/room-handle.ts';
import type { ChatMessage } from '../core/client/types.ts';
import { hpkePublicKey, type SignedProps, signingPublicKey } from '../core/crypto/index.ts';
import { Room } from '../core/room/index.ts';
import type { EncryptedStore } from '../core/store/store.ts';
import { v1 } from '../proto/index.ts';
import { type DeviceRecord, deviceRecords, openWithDeviceUnlock } from './device-unlock.ts';

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

/** Store records of core/client's LocalState (its names; the values are core's protobufs). */
const IDENTITY = 'identity';
const PINS = 'directory-pins';
const ROOM_PREFIX = 'room/';
/** This worker's own record in the store: { [roomId]: { sentAtMs, messageId } } of the last notified. */
const LAST_NOTIFIED = 'sw/last-notified';
/** Messages read per room on a wake-up. */
const RECENT = 20;
const TIMEOUT_MS = 8000;

type Marks = Record<string, { sentAtMs: number; messageId: string }>;

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
  const body = (await res.json()) as { version?: number; natsWebSocketUrl?: string; loginJwt?: string };
  if (body.version !== 1 || !body.natsWebSocketUrl || typeof body.loginJwt !== 'string')
    throw new Error('config: not understood');
  return { servers: body.natsWebSocketUrl, loginJwt: body.loginJwt, requestTimeoutMs: TIMEOUT_MS };
}

/** The notifications for one deployment's store (unlocked). */
async function catchUpDevice(record: DeviceRecord, store: EncryptedStore): Promise<WakeNotification[]> {
  const stored = await store.getMessage(IDENTITY, v1.LocalIdentity);
  if (!stored?.identity?.body || !stored.deviceSecret || !stored.deviceCertificate)
    throw new Error('the store holds no identity');
  const body = v1.UserIdentityBody.decode(stored.identity.body);
  const me = {
    userId: body.userId,
    userKeys: {
      signingSecretKey: stored.signingSecret,
      signingPublicKey: signingPublicKey(stored.signingSecret),
      hpkePrivateKey: stored.hpkeSecret,
      hpkePublicKey: hpkePublicKey(stored.hpkeSecret),
    },
    device: { secretKey: stored.deviceSecret, publicKey: signingPublicKey(stored.deviceSecret) },
  };
  const pinsBytes = await store.get(PINS);
  const pins = pinsBytes ? (JSON.parse(fromUtf8(pinsBytes, 'pins')) as DirectoryPins) : undefined;
  const marksBytes = await store.get(LAST_NOTIFIED);
  const marks: Marks = marksBytes ? (JSON.parse(fromUtf8(marksBytes, 'marks')) as Marks) : {};
  const since = record.enabledAtMs ?? Date.now();

  const config = await loadConfig(record.configUrl);
  let link: DeviceLink | undefined;
  const directory = new GatewayDirectory(() => link!.nc, { pins });
  link = await DeviceLink.open({
    config,
    deviceSecretKey: stored.deviceSecret,
    credential: { userJwt: '', expiresAtMs: 0 }, // the device key proves the device for a fresh JWT
  });
  const out: WakeNotification[] = [];
  try {
    await directory.trust(stored.identity as SignedProps);
    await directory.trustDevice(stored.deviceCertificate as SignedProps, me.userId);
    await link.ready();
    const { rooms } = await roomList(link.nc, { timeoutMs: TIMEOUT_MS });
    const open = link;
    for (const entry of rooms) {
      const roomId = entry.roomId ?? '';
      if (!roomId || !entry.member) continue;
      const snapshotBytes = await store.get(ROOM_PREFIX + roomId);
      const room = snapshotBytes
        ? await Room.restore(v1.RoomSnapshot.decode(snapshotBytes), me, directory).catch(() => undefined)
        : undefined;
      const handle = new RoomHandle(
        roomId,
        {
          me,
          directory,
          nc: () => open.nc,
          ready: () => open.ready(),
          timeoutMs: TIMEOUT_MS,
          onMessage: () => undefined,
          onChange: () => undefined,
          // The page owns the room snapshots: the worker only reads them.
          save: async () => undefined,
        },
        room,
      );
      const messages = await readHistory(handle, open.nc, { limit: RECENT, timeoutMs: TIMEOUT_MS });
      const mark = marks[roomId];
      const fresh = messages.filter(
        (m: ChatMessage) =>
          !m.own &&
          m.status === 'received' &&
          m.sentAtMs >= since &&
          (!mark ||
            m.sentAtMs > mark.sentAtMs ||
            (m.sentAtMs === mark.sentAtMs && m.messageId > mark.messageId)),
      );
      const last = fresh.at(-1);
      if (!last) continue;
      marks[roomId] = { sentAtMs: last.sentAtMs, messageId: last.messageId };
      const name = handle.room?.info.name || 'RoomKey';
      const more = fresh.length > 1 ? ` (+${fresh.length - 1} more)` : '';
      out.push({
        roomId,
        title: name,
        body: record.previews ? `${last.senderUsername}: ${last.text}${more}` : `New message${more}`,
        tag: `room-${roomId}`,
      });
    }
  } finally {
    await link.close().catch(() => undefined);
  }
  if (out.length) await store.set(LAST_NOTIFIED, utf8(JSON.stringify(marks)));
  return out;
}
