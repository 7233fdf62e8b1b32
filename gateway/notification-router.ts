/**
 * The notification router: the gateway (queue group, one gateway per message) follows every
 * room's envelopes on rk.v1.room.*.*.msg with its app-account connection and reads only the clear
 * header (room, sender, message id, time) — never content, which it cannot decrypt anyway. For
 * each message `routeMessage` decides: App Notifications to the active devices of every other
 * member; the rest are left for Web Push (a later issue). Room members come from rk_rooms, cached
 * and dropped whenever a room record changes.
 * @example const router = await startNotificationRouter({ app, buckets, presence, log, now });
 */
import { KvWatchInclude } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { parseEnvelope } from '../core/crypto/index.ts';
import { ALL_ROOM_MESSAGES, roomIdOfSubject } from '../core/transport/index.ts';
import { type Buckets, PRESENCE_TTL_MS } from './buckets.ts';
import { routeMessage } from './notification-route.ts';
import { publishNotice } from './notifier.ts';
import type { Presence } from './presence.ts';
import { QUEUE_GROUP } from './service.ts';

const MAX_CACHED_ROOMS = 4096;

export interface NotificationRouter {
  /** Messages routed by this gateway so far. */
  routed(): number;
  stop(): Promise<void>;
}

/**
 * Starts routing (one gateway per message, queue group).
 * @example const router = await startNotificationRouter({ app, buckets, presence, log, now });
 */
export async function startNotificationRouter(input: {
  app: NatsConnection;
  buckets: Pick<Buckets, 'rooms'>;
  presence: Presence;
  log: (line: string) => void;
  now: () => number;
}): Promise<NotificationRouter> {
  const { app, buckets, presence, log, now } = input;
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
    publishNotice(app, route.app, {
      message: {
        roomId,
        messageId: header.messageId,
        senderUserId: header.senderUserId,
        sentAtMs: header.sentAtMs,
      },
    });
    routed++;
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
