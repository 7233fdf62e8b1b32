/**
 * Notification figures (issue 14), gateway side:
 *   notify-route-decisions    routeMessage decisions/s, in process: a 50-member room, 3 devices per
 *                             user, half the users with an active device (pure: no NATS)
 *   push-sent                 Web Push requests/s the gateway's sender completes against the local
 *                             push service (test/helpers/push-service.ts) over real HTTP, 16 in
 *                             flight: aes128gcm encryption and an ES256 VAPID JWT per push (web-push),
 *                             the POST, and the service's VAPID check and decryption
 *   push-sent-serial          the same one push at a time (latency-bound)
 * The time from send to the notification shown on a device whose page was closed (sentinel → wake
 * → catch-up → notification) needs the browser: it is `push-wake-to-notification-p50`, measured
 * with Chromium by the PWA bench (bench/pwa.bench.ts), not here.
 * @example await bench((name, value, unit) => console.log(`bench ${name} ${value} ${unit}`));
 */
import { fromBase64Url } from '../core/bytes.ts';
import { type PresenceEntry, routeMessage } from '../gateway/notification-route.ts';
import { vapidKeys } from '../gateway/vapid-keys.ts';
import { sendPush } from '../gateway/web-push-sender.ts';
import { v1 } from '../proto/index.ts';
import { startPushService } from '../test/helpers/push-service.ts';
import { type Report, rate } from './_rate.ts';

const MEMBERS = 50;
const DEVICES = 3;
const PUSHES = 600;
const SERIAL_PUSHES = 150;
const IN_FLIGHT = 16;

export async function bench(report: Report): Promise<void> {
  const now = 1_000_000;
  const members = Array.from({ length: MEMBERS }, (_, i) => `user${i}`);
  const presence = new Map(
    members.map((user, i) => [
      user,
      new Map<string, PresenceEntry>(
        Array.from({ length: DEVICES }, (_, d) => [
          `U${user}D${d}`,
          {
            state:
              i % 2 === 0 && d === 0
                ? v1.PresenceState.PRESENCE_STATE_ACTIVE
                : v1.PresenceState.PRESENCE_STATE_HIDDEN,
            focusedRoomId: '',
            receivedAtMs: now - d * 1000,
          },
        ]),
      ),
    ]),
  );
  report(
    'notify-route-decisions',
    await rate(() => routeMessage({ senderUserId: 'user1', members, presence, nowMs: now, ttlMs: 90_000 })),
    'decisions/s',
  );

  const service = await startPushService();
  try {
    const vapid = vapidKeys(new Uint8Array(32).fill(9));
    service.expectVapidKey(vapid.publicKey);
    const subs = Array.from({ length: IN_FLIGHT }, () => service.newSubscription());
    const records = subs.map((s) =>
      v1.PushSubscription.create({
        endpoint: s.endpoint,
        p256dh: fromBase64Url(s.keys.p256dh),
        auth: fromBase64Url(s.keys.auth),
      }),
    );
    const options = {
      vapid,
      subject: 'mailto:bench@roomkey.invalid',
      topic: 'benchtopic',
      ttlSeconds: 60,
      urgency: 'high' as const,
      timeoutMs: 10_000,
    };
    const one = async (i: number) => {
      const outcome = await sendPush(
        records[i % records.length]!,
        v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE,
        options,
      );
      if (outcome.kind !== 'sent') throw new Error(`push ${i}: ${outcome.kind} ${outcome.status}`);
    };
    for (let i = 0; i < 8; i++) await one(i); // warm-up: keep-alive sockets, JIT
    let next = 0;
    let start = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < PUSHES) await one(next++);
      }),
    );
    report('push-sent', (PUSHES * 1000) / (performance.now() - start), 'pushes/s');
    start = performance.now();
    for (let i = 0; i < SERIAL_PUSHES; i++) await one(i);
    report('push-sent-serial', (SERIAL_PUSHES * 1000) / (performance.now() - start), 'pushes/s');
  } finally {
    await service.stop();
  }
}
