/**
 * Closing a notification that shows a message its author deleted (its text must not stay on
 * screen). A service worker's notification carries the message it shows and its author in `data`
 * (`messageId`, `senderUserId`, with `roomId`); the worker closes it at its next wake-up, and a
 * page whose client applies the delete live closes it at once through the same registration.
 * Only the author's delete counts, as every client applies it (message-events.ts).
 * @example await closeDeletedNotifications(registration, [deletedMessageOf(message)!]);
 */
import { deletedBy } from './recent-messages.ts';
import type { ChatMessage } from './types.ts';

/** A message its author deleted. */
export interface DeletedMessage {
  roomId: string;
  messageId: string;
  author: string;
}

/** A notification on screen, as `ServiceWorkerRegistration.getNotifications()` returns it. */
export interface ClosableNotification {
  readonly data: unknown;
  close(): void;
}

/**
 * The message `message` deletes, when it is a delete (else undefined).
 * @example const gone = messages.flatMap((m) => deletedMessageOf(m) ?? []);
 */
export function deletedMessageOf(message: ChatMessage): DeletedMessage | undefined {
  if (message.status !== 'received' && message.status !== 'sent') return undefined;
  const target = deletedBy(message);
  return target ? { roomId: message.roomId, messageId: target, author: message.senderUserId } : undefined;
}

/**
 * Closes the notifications that show one of `deleted` by its author; returns how many.
 * @example await closeDeletedNotifications(self.registration, deleted);
 */
export async function closeDeletedNotifications(
  registration: { getNotifications(): Promise<readonly ClosableNotification[]> },
  deleted: readonly DeletedMessage[],
): Promise<number> {
  if (deleted.length === 0) return 0;
  let closed = 0;
  for (const shown of await registration.getNotifications()) {
    const data = shown.data as { roomId?: unknown; messageId?: unknown; senderUserId?: unknown } | null;
    const hit = deleted.some(
      (d) => d.roomId === data?.roomId && d.messageId === data?.messageId && d.author === data?.senderUserId,
    );
    if (hit) {
      shown.close();
      closed++;
    }
  }
  return closed;
}
