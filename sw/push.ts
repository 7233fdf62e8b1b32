/**
 * The `push` handler's work: a sentinel wakes the client SDK (`wakeFromPush`), and each result
 * becomes one local notification whose data says which room a click opens. The push payload
 * itself is never shown.
 * @example event.waitUntil(handlePush(bytes, self.registration));
 */
import { roomDeepLinkPath } from './deep-link.ts';
import { isWakeSentinel } from './sentinel.ts';
import { type WakeNotification, wakeFromPush } from './wake.ts';

/** What every RoomKey notification carries in `data`: read back by `notificationclick`. */
export interface NotificationData {
  roomId: string;
  /** Path-absolute deep link, e.g. `/#room=abc`. */
  url: string;
}

/** The part of ServiceWorkerRegistration used here (a fake in unit tests). */
export interface NotifyingRegistration {
  readonly scope: string;
  showNotification(title: string, options: NotificationOptions): Promise<void>;
}

export interface PushOptions {
  /** Icon URL for the notifications (relative to the scope). */
  icon?: string;
  wake?: () => Promise<WakeNotification[]>;
}

/** Shows the notifications a wake-up leads to; returns how many (0 when the payload is not ours). */
export async function handlePush(
  payload: Uint8Array | null,
  registration: NotifyingRegistration,
  options: PushOptions = {},
): Promise<number> {
  if (!isWakeSentinel(payload)) return 0;
  const results = await (options.wake ?? wakeFromPush)();
  const icon = options.icon ? new URL(options.icon, registration.scope).href : undefined;
  for (const result of results) {
    const data: NotificationData = {
      roomId: result.roomId,
      url: roomDeepLinkPath(result.roomId, registration.scope),
    };
    await registration.showNotification(result.title, { body: result.body, tag: result.tag, icon, data });
  }
  return results.length;
}

/** The room a notification's data names ('' when none or not ours). */
export function notificationRoom(data: unknown): string {
  const roomId = (data as Partial<NotificationData> | null)?.roomId;
  return typeof roomId === 'string' ? roomId : '';
}
