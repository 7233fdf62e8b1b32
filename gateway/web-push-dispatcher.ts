/**
 * Who gets an OS push, and when. The router calls `wake(user, room, seq)` for a recipient with no
 * active device; the dispatcher then runs one wake attempt per user:
 * - it pushes a WAKE sentinel to the user's subscribed device seen most recently;
 * - messages that arrive while an attempt is running join it (a burst collapses into one push);
 * - if that device sends no beacon within `wakeTimeoutMs` (60 s), the next device is tried;
 * - each device has at most one pending push, and no two pushes closer than `minIntervalMs`;
 * - 429/5xx/no answer is retried at most `maxAttempts` times with doubling delays, never before
 *   Retry-After and never past `maxRetryDelayMs` (then given up: the messages stay in the room);
 * - 404/410 deletes the subscription and moves to the next device; 400/413 is logged as a bug;
 * - a read marker that covers every room of an attempt ends it, and a device that was woken for
 *   a room now read elsewhere gets a SYNC_READ sentinel (close what it shows).
 * State is in memory, per gateway: a gateway restart forgets attempts (the messages stay in their
 * rooms, the next wake or open catches up) and each gateway keeps its own pending pushes; the
 * push Topic (one per device) still collapses them at the push service.
 * @example const pushes = startPushDispatcher({ ...deps }); pushes.wake(userId, roomId, seq);
 */
import { toHex } from '../core/bytes.ts';
import { publicKeyOfUserNkey } from '../core/transport/index.ts';
import { type roomkey, v1 } from '../proto/index.ts';
import type { Buckets } from './buckets.ts';
import { isActive, pushOrder, unreadRooms } from './notification-route.ts';
import { userDeviceNkeys } from './notifier.ts';
import { lastSeenMs, type Presence } from './presence.ts';
import { markerSeqs } from './read-markers.ts';
import type { PushOutcome } from './web-push-sender.ts';

const WAKE = v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE;
const SYNC_READ = v1.PushSentinelKind.PUSH_SENTINEL_KIND_SYNC_READ;
/** Rooms remembered per device as "woken for" (to send SYNC_READ later); the oldest go first. */
const MAX_WOKEN_ROOMS = 256;
const MAX_DEVICE_SLOTS = 50_000;
/** A user found with no subscribed device is not looked up again for this long (busy rooms). */
const NO_CANDIDATES_MS = 10_000;
/**
 * A woken device sends its beacon, then catches up: a message the router saw this long before the
 * beacon reached the gateway was stored before that catch-up began (network latency is far less).
 */
const WAKE_COVER_MARGIN_MS = 250;
const MAX_WAKES_KEPT = 10_000;

export interface PushTiming {
  /** A pushed device that sends no beacon within this is passed over for the next (default 60 s). */
  wakeTimeoutMs: number;
  /** Two pushes to one device are at least this far apart (default 10 s). */
  minIntervalMs: number;
  /** Tries per push when the service answers 429/5xx or not at all (default 4). */
  maxAttempts: number;
  /** First retry delay, doubled each time (default 1 s). */
  retryBaseMs: number;
  /** No retry waits longer; a Retry-After beyond it gives the push up (default 60 s). */
  maxRetryDelayMs: number;
}

export const DEFAULT_PUSH_TIMING: PushTiming = {
  wakeTimeoutMs: 60_000,
  minIntervalMs: 10_000,
  maxAttempts: 4,
  retryBaseMs: 1000,
  maxRetryDelayMs: 60_000,
};

export interface PushStats {
  /** Push requests answered 2xx. */
  sent: number;
  /** Push requests made (every try). */
  requests: number;
  /** Subscriptions deleted after 404/410. */
  gone: number;
  /** Pushes given up after retries. */
  givenUp: number;
}

export interface PushDispatcher {
  /**
   * A message in `roomId` (stream sequence `seq`, +Infinity if unknown) awaits `userId`, who has no
   * active device; the router saw it at `seenAtMs` (gateway clock; default now).
   */
  wake(userId: string, roomId: string, seq: number, seenAtMs?: number): void;
  /** The user's marker of `roomId` moved to `seq` (set by `fromNkey`). */
  markerAdvanced(userId: string, roomId: string, seq: number, fromNkey: string): void;
  /** A device's subscription was removed or the device revoked: forget its pending push. */
  forgetDevice(nkey: string): void;
  /** The user saved a subscription: stop remembering that they had none. */
  subscribed(userId: string): void;
  stats(): PushStats;
  stop(): void;
}

interface Attempt {
  rooms: Map<string, number>;
  tried: Set<string>;
  device?: string;
  sentAtMs?: number;
  timer?: ReturnType<typeof setTimeout>;
  busy: boolean;
}

interface Pending {
  kind: roomkey.v1.PushSentinelKind;
  tries: number;
  timer?: ReturnType<typeof setTimeout>;
  /** Told how the push ended (WAKE pushes belong to their user's attempt). */
  done?: (result: 'sent' | 'failed' | 'cancelled') => void;
  /** Asked just before a WAKE goes out (it may have waited out the interval): still needed? */
  wanted?: () => boolean;
  /** Called as a WAKE goes out, before its answer: a read elsewhere from then on must reach it. */
  onSend?: () => void;
  /** The request is on its way: what is asked meanwhile goes out after it, not into it. */
  inFlight?: boolean;
  followUp?: {
    kind: roomkey.v1.PushSentinelKind;
    hooks: Pick<Pending, 'wanted' | 'onSend'>;
    done?: Pending['done'];
  };
}

interface DeviceSlot {
  nkey: string;
  lastSentMs: number;
  /** When the last WAKE went out (the device has acted on it once it sends a beacon after). */
  lastWakeMs?: number;
  pending?: Pending;
  woken: Map<string, number>;
}

/**
 * Starts the dispatcher (see the top of this file).
 * @example startPushDispatcher({ buckets, presence, send: (nkey, sub, kind) => sendPush(sub, kind, options), log, now })
 */
export function startPushDispatcher(input: {
  buckets: Pick<Buckets, 'push' | 'users' | 'devices' | 'lastSeen' | 'markers'>;
  presence: Presence;
  send: (
    nkey: string,
    subscription: roomkey.v1.PushSubscription,
    kind: roomkey.v1.PushSentinelKind,
  ) => Promise<PushOutcome>;
  log: (line: string) => void;
  now: () => number;
  presenceTtlMs: number;
  timing?: Partial<PushTiming>;
}): PushDispatcher {
  const { buckets, presence, log, now } = input;
  const timing = { ...DEFAULT_PUSH_TIMING, ...input.timing };
  const attempts = new Map<string, Attempt>();
  const slots = new Map<string, DeviceSlot>();
  const stats: PushStats = { sent: 0, requests: 0, gone: 0, givenUp: 0 };
  const noCandidatesUntil = new Map<string, number>();
  /** When the device an attempt woke sent its beacon, per user (the attempt has ended). */
  const lastWake = new Map<string, number>();
  let stopped = false;

  const slotOf = (nkey: string): DeviceSlot => {
    let slot = slots.get(nkey);
    if (!slot) {
      if (slots.size >= MAX_DEVICE_SLOTS) for (const [k, s] of slots) if (!s.pending) slots.delete(k);
      slot = { nkey, lastSentMs: Number.NEGATIVE_INFINITY, woken: new Map() };
      slots.set(nkey, slot);
    }
    return slot;
  };
  const entryOf = (userId: string, nkey: string) => presence.view().get(userId)?.get(nkey);
  const wokeSince = (userId: string, nkey: string, sinceMs: number) =>
    (entryOf(userId, nkey)?.receivedAtMs ?? Number.NEGATIVE_INFINITY) >= sinceMs;
  const anyActive = (userId: string) =>
    [...(presence.view().get(userId)?.values() ?? [])].some((e) => isActive(e, now(), input.presenceTtlMs));

  const subscriptionOf = async (nkey: string) =>
    (await buckets.push.get(toHex(publicKeyOfUserNkey(nkey))))?.value;

  const candidates = async (userId: string) => {
    const nkeys = await userDeviceNkeys(buckets, userId);
    const found = await Promise.all(
      nkeys.map(async (nkey) => {
        if (!(await subscriptionOf(nkey))) return undefined;
        const kvSeen = lastSeenMs((await buckets.lastSeen.get(nkey).catch(() => null))?.value);
        return { nkey, lastSeenMs: Math.max(kvSeen, entryOf(userId, nkey)?.receivedAtMs ?? 0) };
      }),
    );
    return found.filter((c) => c !== undefined);
  };

  const finish = (userId: string, attempt: Attempt) => {
    clearTimeout(attempt.timer);
    if (attempts.get(userId) === attempt) attempts.delete(userId);
  };

  // Pushes the next untried device of the user's attempt, or ends it.
  const advance = async (userId: string, attempt: Attempt) => {
    if (stopped || attempts.get(userId) !== attempt || attempt.busy) return;
    attempt.busy = true;
    try {
      attempt.rooms = unreadRooms(attempt.rooms, await markerSeqs(buckets.markers, userId));
      if (attempt.rooms.size === 0 || anyActive(userId)) return finish(userId, attempt);
      const found = await candidates(userId);
      if (found.length === 0) {
        if (noCandidatesUntil.size > 10_000) noCandidatesUntil.clear();
        noCandidatesUntil.set(userId, now() + NO_CANDIDATES_MS);
      }
      const [next] = pushOrder(found, attempt.tried);
      if (!next) return finish(userId, attempt); // no device left: the messages wait in their rooms
      attempt.tried.add(next);
      attempt.device = next;
      attempt.sentAtMs = undefined;
      const wanted = () => attempts.get(userId) === attempt && !anyActive(userId);
      // Noted as the request leaves, not when it is answered: a marker set meanwhile must still
      // find the device woken for the room (a failed try only makes a later SYNC_READ needless).
      const onSend = () => {
        attempt.sentAtMs = now();
        const slot = slotOf(next);
        slot.lastWakeMs = attempt.sentAtMs;
        for (const [roomId, seq] of attempt.rooms)
          slot.woken.set(roomId, Math.max(seq, slot.woken.get(roomId) ?? 0));
        while (slot.woken.size > MAX_WOKEN_ROOMS) slot.woken.delete(slot.woken.keys().next().value!);
      };
      enqueue(next, WAKE, { wanted, onSend }, (result) => {
        if (attempts.get(userId) !== attempt) return;
        if (result !== 'sent') return void advance(userId, attempt).catch(report);
        attempt.timer = setTimeout(() => {
          if (wokeSince(userId, next, attempt.sentAtMs ?? 0)) return finish(userId, attempt);
          advance(userId, attempt).catch(report);
        }, timing.wakeTimeoutMs);
      });
    } finally {
      attempt.busy = false;
    }
  };

  const enqueue = (
    nkey: string,
    kind: roomkey.v1.PushSentinelKind,
    hooks: Pick<Pending, 'wanted' | 'onSend'> = {},
    done?: Pending['done'],
  ) => {
    const slot = slotOf(nkey);
    const current = slot.pending;
    if (current?.inFlight) {
      const earlier = current.followUp;
      current.followUp = {
        kind: kind === WAKE || earlier?.kind === WAKE ? WAKE : SYNC_READ,
        hooks: { ...earlier?.hooks, ...hooks },
        done: both(earlier?.done, done),
      };
      return;
    }
    if (slot.pending) {
      // One pending push per device: a WAKE covers a SYNC_READ (a woken device catches up on
      // markers), and the newest wake's hooks speak for it (a device has one user, one attempt).
      if (kind === WAKE) {
        slot.pending.kind = WAKE;
        if (hooks.wanted) slot.pending.wanted = hooks.wanted;
        if (hooks.onSend) slot.pending.onSend = hooks.onSend;
      }
      slot.pending.done = both(slot.pending.done, done);
      return;
    }
    const pending: Pending = { kind, tries: 0, done, ...hooks };
    slot.pending = pending;
    schedule(nkey, slot, pending, Math.max(0, slot.lastSentMs + timing.minIntervalMs - now()));
  };

  const schedule = (nkey: string, slot: DeviceSlot, pending: Pending, delayMs: number) => {
    pending.timer = setTimeout(() => {
      fire(nkey, slot, pending).catch(report);
    }, delayMs);
  };

  const settle = (slot: DeviceSlot, pending: Pending, result: 'sent' | 'failed' | 'cancelled') => {
    if (slot.pending === pending) slot.pending = undefined;
    pending.done?.(result);
    const next = pending.followUp;
    pending.followUp = undefined;
    if (next && !stopped) enqueue(slot.nkey, next.kind, next.hooks, next.done);
  };

  const fire = async (nkey: string, slot: DeviceSlot, pending: Pending) => {
    if (stopped || slot.pending !== pending) return;
    // The user came back (an active device) or read everything while this waited: a SYNC_READ
    // still goes if the wake was for a device that showed something; a WAKE does not.
    if (pending.kind === WAKE && pending.wanted && !pending.wanted())
      return settle(slot, pending, 'cancelled');
    const subscription = await subscriptionOf(nkey);
    if (!subscription) return settle(slot, pending, 'failed');
    pending.tries++;
    stats.requests++;
    if (pending.kind === WAKE) pending.onSend?.();
    pending.inFlight = true;
    const outcome = await input.send(nkey, subscription, pending.kind).finally(() => {
      pending.inFlight = false;
    });
    if (outcome.kind === 'sent') {
      stats.sent++;
      slot.lastSentMs = now();
      return settle(slot, pending, 'sent');
    }
    if (outcome.kind === 'gone') {
      stats.gone++;
      await buckets.push.delete(toHex(publicKeyOfUserNkey(nkey))).catch(report);
      return settle(slot, pending, 'failed');
    }
    if (outcome.kind === 'rejected') {
      // No endpoint or device in the log: the status says enough to find the bug.
      log(
        `web push: the push service refused a request as malformed (HTTP ${outcome.status}): a bug in the sender`,
      );
      return settle(slot, pending, 'failed');
    }
    const backoff = timing.retryBaseMs * 2 ** (pending.tries - 1);
    const delay = Math.max(backoff, outcome.retryAfterMs ?? 0);
    if (pending.tries >= timing.maxAttempts || delay > timing.maxRetryDelayMs) {
      stats.givenUp++;
      log(
        `web push: gave up after ${pending.tries} tries (last HTTP ${outcome.status}); the messages wait in their rooms`,
      );
      return settle(slot, pending, 'failed');
    }
    // What was asked while this try was on its way rides on the retry.
    const asked = pending.followUp;
    pending.followUp = undefined;
    if (asked?.kind === WAKE) Object.assign(pending, { kind: WAKE }, asked.hooks);
    pending.done = both(pending.done, asked?.done);
    schedule(nkey, slot, pending, delay);
  };

  const report = (error: unknown) => log(`web push: ${(error as Error)?.message ?? error}`);

  return {
    wake(userId, roomId, seq, seenAtMs = now()) {
      if (stopped || (noCandidatesUntil.get(userId) ?? 0) > now()) return;
      const running = attempts.get(userId);
      if (
        running?.device &&
        running.sentAtMs !== undefined &&
        wokeSince(userId, running.device, running.sentAtMs)
      ) {
        finish(userId, running); // that device woke and caught up: newer messages need a new push
        if (lastWake.size >= MAX_WAKES_KEPT) lastWake.clear();
        lastWake.set(userId, entryOf(userId, running.device)?.receivedAtMs ?? 0);
      }
      // Stored before the woken device's beacon, so in the catch-up that followed it: a message
      // the router saw early but handed over late (its sequence lookup waits) needs no new push.
      if (seenAtMs + WAKE_COVER_MARGIN_MS <= (lastWake.get(userId) ?? Number.NEGATIVE_INFINITY)) return;
      const attempt = attempts.get(userId);
      if (attempt) {
        attempt.rooms.set(roomId, Math.max(seq, attempt.rooms.get(roomId) ?? 0));
        return;
      }
      const fresh: Attempt = { rooms: new Map([[roomId, seq]]), tried: new Set(), busy: false };
      attempts.set(userId, fresh);
      advance(userId, fresh).catch(report);
    },
    markerAdvanced(userId, roomId, seq, fromNkey) {
      const attempt = attempts.get(userId);
      if (attempt && (attempt.rooms.get(roomId) ?? Number.POSITIVE_INFINITY) <= seq) {
        attempt.rooms.delete(roomId);
        if (attempt.rooms.size === 0) {
          const slot = attempt.device ? slots.get(attempt.device) : undefined;
          if (slot?.pending?.kind === WAKE && attempt.sentAtMs === undefined && slot.pending.tries === 0) {
            clearTimeout(slot.pending.timer);
            settle(slot, slot.pending, 'cancelled');
          }
          finish(userId, attempt);
        }
      }
      void userDeviceNkeys(buckets, userId)
        .then((nkeys) => {
          for (const nkey of nkeys) {
            const slot = slots.get(nkey);
            const woken = slot?.woken.get(roomId);
            if (nkey === fromNkey || !slot || woken === undefined || woken > seq) continue;
            slot.woken.delete(roomId);
            // Same topic, so at the push service this push replaces a WAKE not yet delivered: while
            // the device has not acted on its WAKE and was woken for rooms still unread, send a
            // WAKE again (a wake also closes what is read), never a SYNC_READ that would lose it.
            const unacted = slot.lastWakeMs !== undefined && !wokeSince(userId, nkey, slot.lastWakeMs);
            enqueue(nkey, unacted && slot.woken.size > 0 ? WAKE : SYNC_READ);
          }
        })
        .catch(report);
    },
    subscribed(userId) {
      noCandidatesUntil.delete(userId);
    },
    forgetDevice(nkey) {
      const slot = slots.get(nkey);
      if (slot?.pending) {
        clearTimeout(slot.pending.timer);
        settle(slot, slot.pending, 'failed');
      }
      slots.delete(nkey);
    },
    stats: () => ({ ...stats }),
    stop() {
      stopped = true;
      for (const attempt of attempts.values()) clearTimeout(attempt.timer);
      for (const slot of slots.values()) clearTimeout(slot.pending?.timer);
      attempts.clear();
    },
  };
}

/** One callback that calls both (either may be absent). */
function both<T>(first?: (r: T) => void, second?: (r: T) => void): ((r: T) => void) | undefined {
  if (!first || !second) return first ?? second;
  return (r) => {
    first(r);
    second(r);
  };
}
