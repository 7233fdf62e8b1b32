/**
 * The client's side of the notification decision, the same rule for every host: a message the
 * user is looking at (its room on screen in a visible view) is shown in place and never notified;
 * a visible view with another room gets a toast; a view nobody sees gets an OS notification where
 * the host can show one (else a toast that waits there). The extension's router applies
 * `roomOnScreen` to each of its frames; the in-page client applies `placeNotification` to its page.
 * @example const place = placeNotification(note, { visible: true, focusedRoom: 'r1' }, { os: false });
 */
import type { ChatMessage, PresenceState, ReceivedMessage } from '../types.ts';

/** What the user sees of a host (a page, a frame). */
export interface ScreenView {
  visible: boolean;
  /** The room shown there, if any. */
  focusedRoom: string | null;
}

/** Where a notification goes: nowhere (own message), in place, a toast, an OS notification. */
export type NotificationPlace = 'none' | 'in-place' | 'toast' | 'os';

/**
 * The view a presence state stands for: hidden is not visible; active and idle are.
 * @example viewOf('idle', 'r1') // { visible: true, focusedRoom: 'r1' }
 */
export function viewOf(presence: PresenceState, focusedRoom: string | null): ScreenView {
  return { visible: presence !== 'hidden', focusedRoom };
}

/**
 * Whether `view` shows the room's messages to the user right now (then nothing is notified).
 * @example roomOnScreen({ visible: true, focusedRoom: 'r1' }, 'r1') === true
 */
export function roomOnScreen(view: ScreenView, roomId: string): boolean {
  return view.visible && view.focusedRoom === roomId;
}

/**
 * Whether a message is news worth a notification: received from another user (not this user's
 * own, not held for a key, not failed) and not read yet on any of the user's devices (the shared
 * read marker: a device catching up gets what was read elsewhere as data).
 * @example if (notifies(message)) notify(message);
 */
export function notifies(message: ChatMessage): message is ReceivedMessage {
  // An edit, delete or reaction changes a message already there: not news of its own.
  return (
    message.status === 'received' &&
    !message.own &&
    message.messageId !== '' &&
    message.read !== true &&
    message.action === undefined
  );
}

/**
 * Where a notification about `roomId` goes for a host with one view (see the top of this file).
 * @example placeNotification({ roomId }, viewOf(presence, focusedRoom), { os: false }) === 'toast'
 */
export function placeNotification(
  note: { roomId: string; own?: boolean },
  view: ScreenView,
  can: { os: boolean },
): NotificationPlace {
  if (note.own) return 'none';
  if (roomOnScreen(view, note.roomId)) return 'in-place';
  if (view.visible || !can.os) return 'toast';
  return 'os';
}
