/**
 * The notification router: the gateway (queue group, one gateway per message) follows every
 * room's envelopes on rk.v1.room.*.*.msg with its app-account connection and reads only the clear
 * header (room, sender, message id, time) — never content, which it cannot decrypt anyway. For
 * each message `routeMessage` decides: App Notifications to the active devices of every other
 * member; a member with no active device is handed to the push dispatcher (web-push-dispatcher.ts)
 * with the message's stream sequence, which it compares with the user's read markers. Room
 * members come from rk_rooms, cached and dropped whenever a room record changes.
 * @example const router = await startNotificationRouter({ app, buckets, presence, pushes, streams, log, now });
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { KvWatchInclude } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { equalBytes } from '../core/bytes.ts';
import { parseEnvelope } from '../core/crypto/index.ts';
import {
  ALL_ROOM_MESSAGES,
  roomIdOfSubject,
  roomSubject,
  type StreamLayout,
} from '../core/transport/index.ts';
import { type Buckets, PRESENCE_TTL_MS } from './buckets.ts';
import { routeMessage } from './notification-route.ts';
import { publishNotice } from './notifier.ts';
import type { Presence } from './presence.ts';
import { QUEUE_GROUP } from './service.ts';
import type { PushDispatcher } from './web-push-dispatcher.ts';

const MAX_CACHED_ROOMS = 4096;
/**
 * Lookups of a message's stream sequence: it may be routed before JetStream has stored it, so a
 * miss is tried again after 20, 40, … ms (about 0.6 s in all on a loaded machine; the router
 * handles messages concurrently, so the wait delays only this message's push).
 */
const SEQ_LOOKUPS = 6;
const SEQ_LOOKUP_FIRST_PAUSE_MS = 20;

export interface NotificationRouter {
  /** Messages routed by this gateway so far. */
  routed(): number;
  stop(): Promise<void>;
}

/**
 * Starts routing (one gateway per message, queue group).
 * @example const router = await startNotificationRouter({ app, buckets, presence, pushes, layout, log, now });
 */
export async function startNotificationRouter(input: {
  app: NatsConnection;
  buckets: Pick<Buckets, 'rooms'>;
  presence: Presence;
  /** Takes the members with no active device; none: they get nothing. */
  pushes?: PushDispatcher;
  /** Where rooms' envelopes are stored (to learn a message's sequence for the push path). */
  layout?: StreamLayout;
  log: (line: string) => void;
  now: () => number;
  /** Told per routed message: devices sent an App Notification, users handed to Web Push (metrics). */
  onRouted?: (app: number, push: number) => void;
}): Promise<NotificationRouter> {
  const { app, buckets, presence, pushes, layout, log, now } = input;
  const jsm = jetstreamManager(app);
  jsm.catch(() => undefined); // each lookup reports its own failure
  // The stream sequence of this very envelope, or +Infinity when it cannot be told (then no read
  // marker can suppress its push: pushing once too often beats silencing an unread message).
  const sequenceOf = async (roomId: string, data: Uint8Array): Promise<number> => {
    if (!layout) return Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < SEQ_LOOKUPS; attempt++) {
      if (attempt > 0)
        await new Promise((r) => setTimeout(r, SEQ_LOOKUP_FIRST_PAUSE_MS * 2 ** (attempt - 1)));
      const stored = await (await jsm).streams
        .getMessage(layout.streamOf(roomId), { last_by_subj: roomSubject(roomId, 'msg') })
        .catch(() => null);
      if (stored && equalBytes(stored.data, data)) return stored.seq;
    }
    return Number.POSITIVE_INFINITY;
  };
  const members = new Map<string, Promise<readonly string[]>>();
  const membersOf = (roomId: string): Promise<readonly string[]> => {
    const hit = members.get(roomId);
    if (hit) return hit;
    const read: Promise<readonly string[]> = buckets.rooms
      .get(roomId)
      .then((r) => (r?.value.members ?? []).map((m) => m.userId ?? ''));
    read.catch(() => members.delete(roomId));
    if (members.size >= MAX_CACHED_ROOMS) members.clear();
    members.set(roomId, read);
    return read;
  };
  const watcher = await buckets.rooms.kv.watch({ include: KvWatchInclude.UpdatesOnly, ignoreDeletes: false });
  void (async () => {
    for await (const entry of watcher) members.delete(entry.key);
  })();

  let routed = 0;
  const onMessage = async (subject: string, data: Uint8Array) => {
    const seenAtMs = now();
    const roomId = roomIdOfSubject(subject) ?? '';
    const { header } = parseEnvelope(data);
    if (header.roomId !== roomId) return; // not for this room: receivers will reject it too
    const list = await membersOf(roomId);
    if (!list.includes(header.senderUserId)) return;
    const route = routeMessage({
      senderUserId: header.senderUserId,
      members: list,
      presence: presence.view(),
      nowMs: now(),
      ttlMs: PRESENCE_TTL_MS,
    });
    if (pushes && route.push.length > 0) {
      const seq = await sequenceOf(roomId, data);
      for (const userId of route.push) pushes.wake(userId, roomId, seq, seenAtMs);
    }
    publishNotice(app, route.app, {
      message: {
        roomId,
        messageId: header.messageId,
        senderUserId: header.senderUserId,
        sentAtMs: header.sentAtMs,
      },
    });
    routed++;
    input.onRouted?.(route.app.length, pushes ? route.push.length : 0);
  };
  const sub: Subscription = app.subscribe(ALL_ROOM_MESSAGES, {
    queue: QUEUE_GROUP,
    callback: (error, msg) => {
      if (error) return log(`room messages subscription: ${error.message}`);
      onMessage(msg.subject, msg.data).catch((e: Error) => {
        if (e?.name !== 'MalformedError') log(`notification router: ${e?.message ?? e}`);
      });
    },
  });
  return {
    routed: () => routed,
    stop: async () => {
      sub.unsubscribe();
      watcher.stop();
    },
  };
}
