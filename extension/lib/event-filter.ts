/**
 * What each connected frame may receive of a client event: account state only for approved sites;
 * of the room list only the rooms its site has access to (names and members left out where the
 * access is `sealed`, since the host page must not read them); messages only where the frame may
 * read the room. Notifications never go out by broadcast: the router picks one frame.
 * @example const event = eventForFrame({ type: 'message', detail }, frame, (roomId) => gate.accessOf(frame.caller, roomId));
 */
import type { BridgeEvent } from '../../core/bridge/index.ts';
import type { RoomSummary } from '../../core/client/index.ts';
import type { Access } from './access.ts';

/** The frame facts the filter needs. */
export interface FilterFrame {
  kind: 'page' | 'sealed' | 'extension';
  connected: boolean;
  siteGranted: boolean;
}

/** Whether a frame of this kind with this access may see the room's plaintext. */
export function canRead(kind: FilterFrame['kind'], access: Access): boolean {
  if (access === undefined) return false;
  return kind !== 'page' || access === 'read' || access === 'all';
}

/**
 * The room summary as a frame may see it, or undefined when it may not see the room at all.
 * @example visibleRoom(room, 'page', 'sealed')?.name === ''
 */
export function visibleRoom(
  room: RoomSummary,
  kind: FilterFrame['kind'],
  access: Access,
): RoomSummary | undefined {
  if (access === undefined) return undefined;
  if (canRead(kind, access)) return room;
  return { ...room, name: '', members: [] };
}

/**
 * The users a frame may ask about (contacts' trust): the members of the rooms it may read. A
 * sealed frame reads the rooms granted to its site; a page only those approved for `read`.
 * @example const ids = visibleUsers(rooms, 'page', (roomId) => gate.accessOf(caller, roomId));
 */
export function visibleUsers(
  rooms: readonly RoomSummary[],
  kind: FilterFrame['kind'],
  accessOf: (roomId: string) => Access,
): Set<string> {
  const users = new Set<string>();
  for (const room of rooms) {
    if (!canRead(kind, accessOf(room.roomId))) continue;
    for (const member of room.members) users.add(member.userId);
  }
  return users;
}

/**
 * The event as `frame` may receive it, or undefined. A `contacts` event goes only with
 * `visible` (the users the frame may see, visibleUsers) and carries those of them only.
 * @example port.postMessage({ kind: 'event', event: eventForFrame(event, frame, accessOf) });
 */
export function eventForFrame(
  event: BridgeEvent,
  frame: FilterFrame,
  accessOf: (roomId: string) => Access,
  visible?: ReadonlySet<string>,
): BridgeEvent | undefined {
  if (!frame.connected || !frame.siteGranted) return undefined;
  switch (event.type) {
    case 'connection':
    case 'keys':
    case 'session':
    case 'dns':
      return event;
    case 'rooms': {
      const rooms = event.detail.flatMap((r) => visibleRoom(r, frame.kind, accessOf(r.roomId)) ?? []);
      return { type: 'rooms', detail: rooms };
    }
    case 'message':
    case 'outbox':
      return canRead(frame.kind, accessOf(event.detail.roomId)) ? event : undefined;
    case 'hidden':
      return {
        type: 'hidden',
        detail: { roomIds: event.detail.roomIds.filter((roomId) => accessOf(roomId) !== undefined) },
      };
    case 'notification':
      return undefined;
    case 'contacts': {
      const userIds = visible ? event.detail.userIds.filter((id) => visible.has(id)) : [];
      return userIds.length > 0 ? { type: 'contacts', detail: { userIds } } : undefined;
    }
    default:
      return undefined;
  }
}
