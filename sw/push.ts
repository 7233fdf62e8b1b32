/**
 * The `push` handler's work. A WAKE sentinel wakes the client SDK (`wakeFromPush`) and each
 * result becomes one local notification whose data says which room a click opens and up to which
 * message it tells; a SYNC_READ sentinel only reads the shared read markers. Either way, every
 * notification shown earlier for a room now read up to its message (on any of the user's devices)
 * is closed. The push payload itself is never shown.
 * @example event.waitUntil(handlePush(bytes, self.registration));
 */

import { closeDeletedNotifications, type DeletedMessage } from '../core/client/index.ts';
import { roomDeepLinkPath } from './deep-link.ts';
import { type SentinelKind, sentinelKind } from './sentinel.ts';
import { type WakeResult, wakeFromPush } from './wake.ts';

/** What every RoomKey notification carries in `data`: read back by `notificationclick`. */
export interface NotificationData {
  roomId: string;
  /** Path-absolute deep link, e.g. `/#room=abc`. */
  url: string;
  /** The stream sequence of the newest message it tells of (a room's only): closed once read up to it. */
  seq?: number;
  /** The message it shows and its author: closed when the author deletes it. */
  messageId?: string;
  senderUserId?: string;
}

/** A notification on screen, as `getNotifications()` returns it. */
export interface ShownNotification {
  readonly data: unknown;
  close(): void;
}

/** The part of ServiceWorkerRegistration used here (a fake in unit tests). */
export interface NotifyingRegistration {
  readonly scope: string;
  showNotification(title: string, options: NotificationOptions): Promise<void>;
  getNotifications(): Promise<readonly ShownNotification[]>;
}

export interface PushOptions {
  /** Icon URL for the notifications (relative to the scope). */
  icon?: string;
  wake?: (kind: SentinelKind) => Promise<WakeResult>;
}

/**
 * Handles one push; returns how many notifications it showed (0 when the payload is not ours, or
 * asks only to sync read state).
 */
export async function handlePush(
  payload: Uint8Array | null,
  registration: NotifyingRegistration,
  options: PushOptions = {},
): Promise<number> {
  const kind = sentinelKind(payload);
  if (!kind) return 0;
  const woken = await (options.wake ?? wakeFromPush)(kind);
  const { notifications, read } = woken;
  await closeRead(registration, read);
  await closeDeleted(registration, woken.deleted ?? []);
  const icon = options.icon ? new URL(options.icon, registration.scope).href : undefined;
  for (const result of notifications) {
    const data: NotificationData = {
      roomId: result.roomId,
      url: roomDeepLinkPath(result.roomId, registration.scope),
      ...(result.seq > 0 && { seq: result.seq }),
      ...(result.messageId && result.senderUserId
        ? { messageId: result.messageId, senderUserId: result.senderUserId }
        : {}),
    };
    await registration.showNotification(result.title, { body: result.body, tag: result.tag, icon, data });
  }
  return notifications.length;
}

/**
 * Closes the notifications of rooms read up to (or past) the message they tell of; returns how many.
 * @example await closeRead(self.registration, new Map([[roomId, 42]]));
 */
export async function closeRead(
  registration: Pick<NotifyingRegistration, 'getNotifications'>,
  read: ReadonlyMap<string, number>,
): Promise<number> {
  if (read.size === 0) return 0;
  let closed = 0;
  for (const shown of await registration.getNotifications()) {
    const roomId = notificationRoom(shown.data);
    const seq = Number((shown.data as Partial<NotificationData> | null)?.seq ?? 0);
    const upTo = read.get(roomId) ?? 0;
    if (roomId && upTo > 0 && seq <= upTo) {
      shown.close();
      closed++;
    }
  }
  return closed;
}

/**
 * Closes the notifications that show a message its author deleted (core/client's rule); how many.
 * @example await closeDeleted(self.registration, [{ roomId, messageId, author }]);
 */
export function closeDeleted(
  registration: Pick<NotifyingRegistration, 'getNotifications'>,
  deleted: readonly DeletedMessage[],
): Promise<number> {
  return closeDeletedNotifications(registration, deleted);
}

/** The room a notification's data names ('' when none or not ours). */
export function notificationRoom(data: unknown): string {
  const roomId = (data as Partial<NotificationData> | null)?.roomId;
  return typeof roomId === 'string' ? roomId : '';
}
