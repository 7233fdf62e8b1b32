/**
 * Presence: each device publishes PresenceBeacons on its own subject rk.v1.presence.<nkey> (only
 * that device may publish there, so the subject names the sender); the gateway (queue group)
 * keeps the last one per device in rk_presence, whose bucket TTL forgets silent devices. Every
 * gateway also watches the bucket and keeps a view by user for the notification router. It also
 * notes when each device was last seen in rk_last_seen (long TTL, at most once a minute per
 * device and gateway), which orders push candidates long after a beacon has expired.
 * @example const presence = await startPresence({ app, buckets, log, now }); presence.view();
 */
import { KvWatchInclude } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { toHex } from '../core/bytes.ts';
import { decode } from '../core/codec.ts';
import { ALL_PRESENCE, publicKeyOfUserNkey } from '../core/transport/index.ts';
import { v1 } from '../proto/index.ts';
import type { Buckets } from './buckets.ts';
import type { PresenceByUser, PresenceEntry } from './notification-route.ts';
import { QUEUE_GROUP } from './service.ts';

const MAX_BEACON_BYTES = 1024;
/** Beacons closer together than this from one device are dropped (a chatty device costs little). */
const MIN_INTERVAL_MS = 500;
const DEVICE_CACHE_MS = 60_000;
/** rk_last_seen is rewritten at most this often per device (push order needs no finer grain). */
const LAST_SEEN_WRITE_MS = 60_000;

export interface Presence {
  /** Last beacons by user, then device nkey (entries may be older than the TTL: check receivedAtMs). */
  view(): PresenceByUser;
  stop(): Promise<void>;
}

/**
 * Starts storing beacons and following the presence bucket.
 * @example const presence = await startPresence({ app, buckets, log, now });
 */
export async function startPresence(input: {
  app: NatsConnection;
  buckets: Pick<Buckets, 'presence' | 'devices' | 'lastSeen'>;
  log: (line: string) => void;
  now: () => number;
}): Promise<Presence> {
  const { app, buckets, log, now } = input;
  const lastSeen = new Map<string, number>();
  const lastSeenWritten = new Map<string, number>();
  const owners = new Map<string, { userId: string | undefined; at: number }>();

  const ownerOf = async (nkey: string): Promise<string | undefined> => {
    const hit = owners.get(nkey);
    if (hit && now() - hit.at < DEVICE_CACHE_MS) return hit.userId;
    const record = await buckets.devices.get(toHex(publicKeyOfUserNkey(nkey)));
    const userId = record && !(Number(record.value.revokedAtMs) > 0) ? record.value.userId : undefined;
    if (owners.size > 10_000) owners.clear();
    owners.set(nkey, { userId, at: now() });
    return userId;
  };

  const onBeacon = async (subject: string, data: Uint8Array) => {
    const nkey = subject.split('.')[3] ?? '';
    const at = now();
    if (data.length > MAX_BEACON_BYTES || at - (lastSeen.get(nkey) ?? 0) < MIN_INTERVAL_MS) return;
    lastSeen.set(nkey, at);
    if (lastSeen.size > 10_000) lastSeen.clear();
    const beacon = decode(v1.PresenceBeacon, data, 'presence beacon');
    const userId = await ownerOf(nkey);
    if (!userId) return;
    const focused =
      typeof beacon.focusedRoomId === 'string' && beacon.focusedRoomId.length <= 64
        ? beacon.focusedRoomId
        : '';
    await buckets.presence.put(nkey, {
      beacon: {
        deviceKey: publicKeyOfUserNkey(nkey),
        userId,
        state: beacon.state,
        focusedRoomId: focused,
        sentAtMs: beacon.sentAtMs,
      },
      userId,
      receivedAtMs: at,
    });
    if (at - (lastSeenWritten.get(nkey) ?? 0) >= LAST_SEEN_WRITE_MS) {
      if (lastSeenWritten.size > 10_000) lastSeenWritten.clear();
      lastSeenWritten.set(nkey, at);
      await buckets.lastSeen.put(nkey, lastSeenBytes(at));
    }
  };

  const sub: Subscription = app.subscribe(ALL_PRESENCE, {
    queue: QUEUE_GROUP,
    callback: (error, msg) => {
      if (error) return log(`presence subscription: ${error.message}`);
      onBeacon(msg.subject, msg.data).catch((e: Error) => {
        if (e?.name !== 'MalformedError') log(`presence beacon: ${e?.message ?? e}`);
      });
    },
  });

  // The view: every gateway follows the bucket, so any of them can route any message.
  const byUser = new Map<string, Map<string, PresenceEntry>>();
  const userOfNkey = new Map<string, string>();
  const watcher = await buckets.presence.kv.watch({ include: KvWatchInclude.LastValue });
  void (async () => {
    for await (const entry of watcher) {
      const nkey = entry.key;
      const previous = userOfNkey.get(nkey);
      if (previous) byUser.get(previous)?.delete(nkey);
      if (entry.operation !== 'PUT' || entry.value.length === 0) continue;
      try {
        const record = buckets.presence.open(nkey, entry.value);
        const users = byUser.get(record.userId) ?? new Map<string, PresenceEntry>();
        users.set(nkey, {
          state: record.beacon?.state ?? 0,
          focusedRoomId: record.beacon?.focusedRoomId ?? '',
          receivedAtMs: Number(record.receivedAtMs),
        });
        byUser.set(record.userId, users);
        userOfNkey.set(nkey, record.userId);
      } catch (error) {
        log(`presence record of a device: ${(error as Error).message}`);
      }
    }
  })();
  return {
    view: () => byUser,
    stop: async () => {
      sub.unsubscribe();
      watcher.stop();
    },
  };
}

/**
 * The 8-byte big-endian form of a time in rk_last_seen.
 * @example lastSeenBytes(Date.now()).length // 8
 */
export function lastSeenBytes(ms: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(Math.max(0, Math.floor(ms))));
  return bytes;
}

/**
 * A time read back from rk_last_seen; 0 for anything that is not 8 bytes.
 * @example lastSeenMs(lastSeenBytes(5)) // 5
 */
export function lastSeenMs(bytes: Uint8Array | undefined): number {
  if (bytes?.length !== 8) return 0;
  return Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0));
}
