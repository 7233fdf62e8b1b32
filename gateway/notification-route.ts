/**
 * The notification router's one decision, kept pure so it is unit-tested on its own: for a new
 * message in a room, every member but the sender gets an App Notification on each of their active
 * devices (presence state ACTIVE, beacon younger than the TTL); members with no active device are
 * left for Web Push (an OS push with a sentinel only, a later issue).
 * @example const { app, push } = routeMessage({ senderUserId, members, presence, nowMs, ttlMs });
 */
import { v1 } from '../proto/index.ts';

export interface PresenceEntry {
  state: number;
  focusedRoomId: string;
  receivedAtMs: number;
}

/** Presence by user id, then by device nkey. */
export type PresenceByUser = ReadonlyMap<string, ReadonlyMap<string, PresenceEntry>>;

export interface Route {
  /** Device nkeys that get an App Notification over NATS. */
  app: string[];
  /** Users with no active device: candidates for Web Push. */
  push: string[];
}

/**
 * An ACTIVE beacon younger than the TTL.
 * @example isActive(entry, Date.now(), PRESENCE_TTL_MS)
 */
export function isActive(entry: PresenceEntry, nowMs: number, ttlMs: number): boolean {
  return entry.state === v1.PresenceState.PRESENCE_STATE_ACTIVE && nowMs - entry.receivedAtMs <= ttlMs;
}

/**
 * Who gets an App Notification and who is left for Web Push.
 * @example routeMessage({ senderUserId: 'a', members: ['a', 'b'], presence, nowMs, ttlMs })
 */
export function routeMessage(input: {
  senderUserId: string;
  members: readonly string[];
  presence: PresenceByUser;
  nowMs: number;
  ttlMs: number;
}): Route {
  const route: Route = { app: [], push: [] };
  for (const userId of new Set(input.members)) {
    if (userId === input.senderUserId) continue;
    const active = [...(input.presence.get(userId) ?? new Map<string, PresenceEntry>())]
      .filter(([, entry]) => isActive(entry, input.nowMs, input.ttlMs))
      .map(([nkey]) => nkey)
      .sort();
    if (active.length > 0) route.app.push(...active);
    else route.push.push(userId);
  }
  return route;
}

export interface PushCandidate {
  nkey: string;
  /** When the device was last seen (its newest beacon), ms; 0 when never. */
  lastSeenMs: number;
}

/**
 * The order in which a user's subscribed devices are tried for an OS push: the device seen most
 * recently first (ties by nkey, so every gateway agrees), skipping those already tried.
 * @example pushOrder([{ nkey: 'UA', lastSeenMs: 5 }, { nkey: 'UB', lastSeenMs: 9 }], new Set()) // ['UB', 'UA']
 */
export function pushOrder(candidates: readonly PushCandidate[], tried: ReadonlySet<string>): string[] {
  return candidates
    .filter((c) => !tried.has(c.nkey))
    .sort((a, b) => b.lastSeenMs - a.lastSeenMs || (a.nkey < b.nkey ? -1 : a.nkey > b.nkey ? 1 : 0))
    .map((c) => c.nkey);
}

/**
 * Rooms still worth a push: those whose newest routed message is above the user's read marker.
 * A message whose sequence the router could not learn counts as +Infinity (never suppressed).
 * @example unreadRooms(new Map([['r1', 7]]), new Map([['r1', 7]])) // empty: read up to 7
 */
export function unreadRooms(
  rooms: ReadonlyMap<string, number>,
  markers: ReadonlyMap<string, number>,
): Map<string, number> {
  return new Map([...rooms].filter(([roomId, seq]) => seq > (markers.get(roomId) ?? 0)));
}
