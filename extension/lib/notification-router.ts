/**
 * Where a new message is shown, decided from the frames that use RoomKey right now (pure, so it
 * is unit-tested on its own):
 *   1. a visible frame showing the room → the room element there shows the message; nothing else;
 *   2. else a visible tab of a site with access to the room → an in-app toast there;
 *   3. else an OS notification: sender and text only if the user allowed previews, else "New message".
 * A host page with only `sealed` access never receives plaintext: its toast carries no name,
 * sender or preview. A click on an OS notification focuses a frame showing the room, else opens
 * the page where a site last showed it, else the extension's own room page.
 * @example const route = routeNotification(note, frames, { previews: false });
 */
import { type RoomNotification, roomOnScreen } from '../../core/client/index.ts';
import type { Access } from './access.ts';
import type { IncomingNotification } from './background-session.ts';
import { canRead } from './event-filter.ts';
import { ROOM_ID_PATTERN } from './messages.ts';

/** A new message for this user, already decrypted by the session (`own`: never notified). */
export type { IncomingNotification as IncomingNote };

/** A frame as the router sees it. */
export interface RouterFrame {
  key: string;
  /** page: a site's page (bridge); sealed: the extension iframe in a site; extension: the extension's own tab. */
  kind: 'page' | 'sealed' | 'extension';
  /** The frame's access to the room in question (`extension` frames have all). */
  access: Access;
  /** The page completed `connect` and receives events. */
  connected: boolean;
  visible: boolean;
  focusedRoom: string | null;
  /** When the frame last became visible or focused a room (ms), to prefer the most recent. */
  activeAtMs: number;
}

export type Route =
  | { kind: 'none' }
  | { kind: 'in-view'; frames: string[] }
  | { kind: 'toast'; frame: string; notification: RoomNotification }
  | { kind: 'os'; id: string; title: string; message: string };

/** Longest preview, in characters. */
export const PREVIEW_CHARS = 140;

const preview = (text: string): string =>
  text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;

/** A frame that shows the room's messages to the user right now. */
function shows(frame: RouterFrame, roomId: string): boolean {
  // A page with sealed access shows the room through the sealed frame, which counts on its own.
  return frame.focusedRoom === roomId && canRead(frame.kind, frame.access);
}

const byRecent = (a: RouterFrame, b: RouterFrame): number => b.activeAtMs - a.activeAtMs;

/**
 * The OS notification id for a message: the click handler reads the room back from it.
 * @example notificationId(roomId, messageId) // 'roomkey:<room>:<message>'
 */
export function notificationId(roomId: string, messageId: string): string {
  return `roomkey:${roomId}:${messageId}`;
}

/**
 * The room id inside an OS notification id, or undefined when the id is not ours.
 * @example roomOfNotification('roomkey:0123…:ab') === '0123…'
 */
export function roomOfNotification(id: string): string | undefined {
  const room = /^roomkey:([^:]*):/.exec(id)?.[1];
  return room !== undefined && ROOM_ID_PATTERN.test(room) ? room : undefined;
}

/**
 * Decides where `note` goes.
 * @example routeNotification(note, frames, { previews: true }).kind === 'toast'
 */
export function routeNotification(
  note: IncomingNotification,
  frames: readonly RouterFrame[],
  settings: { previews: boolean },
): Route {
  if (note.own) return { kind: 'none' };
  // core's "room on screen" rule (the in-page client's too), for each frame that may read the room.
  const inView = frames.filter((f) => roomOnScreen(f, note.roomId) && canRead(f.kind, f.access));
  if (inView.length > 0) return { kind: 'in-view', frames: inView.sort(byRecent).map((f) => f.key) };

  const app = frames
    .filter((f) => f.kind === 'page' && f.connected && f.visible && f.access !== undefined)
    .sort(byRecent)[0];
  if (app) {
    const plain = canRead(app.kind, app.access);
    const notification: RoomNotification = {
      roomId: note.roomId,
      roomName: plain ? note.roomName : '',
      messageId: note.messageId,
      senderUsername: plain ? note.senderUsername : '',
    };
    if (plain && settings.previews) notification.preview = preview(note.text);
    return { kind: 'toast', frame: app.key, notification };
  }

  const id = notificationId(note.roomId, note.messageId);
  if (!settings.previews) return { kind: 'os', id, title: 'RoomKey', message: 'New message' };
  return {
    kind: 'os',
    id,
    title: `${note.senderUsername} in ${note.roomName || 'a room'}`,
    message: preview(note.text),
  };
}

/** Where a click on a room's OS notification leads. */
export type ClickTarget = { kind: 'focus'; frame: string } | { kind: 'open'; url: string };

/**
 * Decides what a click on an OS notification for `roomId` does: focus a frame showing the room
 * (visible ones first, then the most recent), else open the page where a site last showed it,
 * else the extension's own page for the room.
 * @example clickTarget(roomId, frames, approvals.sitesWithRoom(roomId), ownPageUrl)
 */
export function clickTarget(
  roomId: string,
  frames: readonly RouterFrame[],
  knownPages: readonly { url: string | null; atMs: number }[],
  ownPage: string,
): ClickTarget {
  const showing = frames
    .filter((f) => shows(f, roomId))
    .sort((a, b) => Number(b.visible) - Number(a.visible) || byRecent(a, b))[0];
  if (showing) return { kind: 'focus', frame: showing.key };
  const page = [...knownPages].sort((a, b) => b.atMs - a.atMs).find((p) => p.url);
  return { kind: 'open', url: page?.url ?? ownPage };
}
