// Web Push from the gateway (gateway/web-push-*.ts) over real HTTP to the test push service
// (test/helpers/push-service.ts), which checks VAPID and decrypts aes128gcm as a push service and a
// browser would: a user with no active device gets one push, to the device seen last, carrying the
// 4-byte sentinel only; an active device gets an App Notification and no push; a burst collapses;
// an unwoken device is passed over for the next after the (shortened) wake timeout; 410 deletes
// the subscription; 429/5xx/down are retried a bounded number of times and lose no message; a
// device saves and removes only its own subscription, and revoking a device deletes it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromBase64Url, fromHex, toHex } from '../../core/bytes.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { encode } from '../../core/codec.ts';
import { ForbiddenError, MalformedError } from '../../core/errors.ts';
import { gatewayRequest, PUSH_SUBJECTS } from '../../core/transport/index.ts';
import { vapidKeys } from '../../gateway/vapid-keys.ts';
import { v1 } from '../../proto/index.ts';
import { startPushService, type TestPushService, type TestSubscription } from '../helpers/push-service.ts';
import { nextNotification } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const WAKE = [...encode(v1.PushSentinel, { version: 1, kind: v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE })];
const WAKE_TIMEOUT_MS = 1500;

let stack: TestStack;
let push: TestPushService;
before(async () => {
  push = await startPushService();
  stack = await startStack();
  push.expectVapidKey(vapidKeys(fromHex(stack.nats.stack.secrets.serverSecret)).publicKey);
  await stack.startGateway({
    push: {
      allowHttpEndpoints: true,
      subject: 'mailto:ops@roomkey.test',
      timing: {
        wakeTimeoutMs: WAKE_TIMEOUT_MS,
        minIntervalMs: 200,
        retryBaseMs: 100,
        maxRetryDelayMs: 3000,
        maxAttempts: 3,
      },
    },
  });
});
after(async () => {
  await stack?.stop();
  await push?.stop();
});

async function savePush(session: RoomKeySession, sub: TestSubscription, deviceKey = session.deviceKey) {
  await gatewayRequest(
    session.nc,
    PUSH_SUBJECTS.save,
    encode(v1.PushSubscription, {
      deviceKey,
      endpoint: sub.endpoint,
      p256dh: fromBase64Url(sub.keys.p256dh),
      auth: fromBase64Url(sub.keys.auth),
      createdAtMs: Date.now(),
    }),
  );
}

/** Alice on two devices (A, B) with push subscriptions, Bob, and a room of Bob's with Alice in it. */
async function aliceOnTwoDevices(tag: string) {
  const password = `pw ${tag} alice`;
  const a = await stack.signUpSession({ username: `alice-${tag}`, password });
  const b = await stack.signInSession(`alice-${tag}`, password);
  const bob = await stack.signUpSession({ username: `bob-${tag}` });
  const room = await bob.createRoom(`Room ${tag}`);
  await bob.invite(room.roomId, a.username);
  await settled(a);
  await settled(b);
  const subA = push.newSubscription();
  const subB = push.newSubscription();
  await savePush(a, subA);
  await savePush(b, subB);
  await sleep(600); // past the gateway's 500 ms between two beacons of one device
  return { a, b, bob, room, subA, subB };
}

/** The invite changed the device's JWT (NATS reconnects it): wait until it is back online. */
async function settled(session: RoomKeySession) {
  for (let i = 0; i < 100 && session.connection !== 'online'; i++) await sleep(50);
  await session.listRooms();
}

/** A first, then B, go hidden: B is the device seen last. */
async function hideAThenB(a: RoomKeySession, b: RoomKeySession) {
  a.setPresence('hidden');
  await sleep(600);
  b.setPresence('hidden');
  await sleep(300);
}

test('an active device gets an App Notification and the push service nothing', async () => {
  const { a, bob, room } = await aliceOnTwoDevices('active');
  const before = push.received.length;
  const notified = nextNotification(a, (n) => n.roomId === room.roomId);
  await bob.send(room.roomId, 'you are here');
  await notified;
  await sleep(500);
  assert.equal(push.received.length, before, 'no push while a device is active');
});

test('no active device: exactly one push, to the device seen last, carrying only the 4-byte sentinel; a burst collapses', async () => {
  const { a, b, bob, room, subA, subB } = await aliceOnTwoDevices('hidden');
  // B "wakes" when its push arrives, as the service worker does: it sends a beacon.
  push.onPush((p) => {
    if (p.endpoint === subB.endpoint) setTimeout(() => b.setPresence('hidden'), 600);
  });
  await hideAThenB(a, b);
  for (const text of ['one', 'two', 'three', 'four']) await bob.send(room.roomId, text);
  const [got] = await push.waitFor(1, { endpoint: subB.endpoint });
  await sleep(WAKE_TIMEOUT_MS + 700); // past the wake timeout: B woke, so A is not tried
  push.onPush(undefined);
  assert.equal(push.receivedFor(subB.endpoint).length, 1, 'one push for the burst');
  assert.equal(push.receivedFor(subA.endpoint).length, 0, 'not the device seen earlier');
  assert.equal(got!.status, 201);
  assert.equal(got!.error, undefined);
  assert.deepEqual(
    [...got!.payload!],
    WAKE,
    'the payload is PushSentinel { version: 1, kind: WAKE } and nothing else',
  );
  // Nothing that names the room, the sender or the message rides along anywhere in the request.
  assert.equal(got!.ttl, String(4 * 3600));
  assert.equal(got!.urgency, 'high');
  assert.match(got!.topic ?? '', /^[A-Za-z0-9_-]{32}$/);
  assert.ok(!got!.topic!.includes(room.roomId.slice(0, 8)) && !b.deviceNkey.includes(got!.topic!));
  assert.equal(got!.jwt?.sub, 'mailto:ops@roomkey.test');
  assert.equal(got!.jwt?.aud, push.origin);
});

test('every push body has the same length, whatever the kind', () => {
  const lengths = new Set(push.received.filter((p) => p.status === 201).map((p) => p.bodyLength));
  assert.equal(lengths.size, 1, `one body length for every push, got ${[...lengths]}`);
  const kinds = [
    v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE,
    v1.PushSentinelKind.PUSH_SENTINEL_KIND_SYNC_READ,
  ];
  assert.deepEqual(
    kinds.map((kind) => encode(v1.PushSentinel, { version: 1, kind }).length),
    [4, 4],
  );
});

test('a device that does not wake within the timeout is passed over for the next one, once', async () => {
  const { a, b, bob, room, subA, subB } = await aliceOnTwoDevices('next');
  await hideAThenB(a, b);
  await bob.send(room.roomId, 'anyone?');
  const [first] = await push.waitFor(1, { endpoint: subB.endpoint });
  const [second] = await push.waitFor(1, { endpoint: subA.endpoint, timeoutMs: WAKE_TIMEOUT_MS + 3000 });
  assert.ok(
    second!.atMs - first!.atMs >= WAKE_TIMEOUT_MS - 50,
    'the next device only after the wake timeout',
  );
  await sleep(WAKE_TIMEOUT_MS + 500);
  assert.equal(push.receivedFor(subB.endpoint).length, 1);
  assert.equal(push.receivedFor(subA.endpoint).length, 1, 'no device left: the attempt ends');
});

test('410 deletes the subscription and nothing is retried', async () => {
  const { a, b, bob, room, subB } = await aliceOnTwoDevices('gone');
  push.answer(subB.endpoint, 410);
  await hideAThenB(a, b);
  await b.close(); // B's page is gone
  await bob.send(room.roomId, 'gone?');
  await push.waitFor(1, { endpoint: subB.endpoint });
  await sleep(800);
  assert.equal(push.receivedFor(subB.endpoint).length, 1, 'no retry after 410');
  const kv = await stack.bucket('rk_push');
  const entry = await kv.get(toHex(b.deviceKey));
  assert.ok(entry?.operation !== 'PUT', 'the subscription is deleted');
  assert.ok(stack.gateways[0]!.stats().pushes.gone >= 1);
});

test('429 with Retry-After, then 500, then no answer: bounded tries, and the message is there on the next open', async () => {
  const password = 'pw retry alice';
  const a = await stack.signUpSession({ username: 'alice-retry', password });
  const bob = await stack.signUpSession({ username: 'bob-retry' });
  const room = await bob.createRoom('Retry');
  await bob.invite(room.roomId, 'alice-retry');
  await settled(a);
  const sub = push.newSubscription();
  await savePush(a, sub);
  await sleep(600);
  a.setPresence('hidden');
  await sleep(300);
  push.answer(sub.endpoint, { status: 429, retryAfter: 1 }, 500, 'down');
  const givenUpBefore = stack.gateways[0]!.stats().pushes.givenUp;
  await bob.send(room.roomId, 'kept while the push service fails');
  const tries = await push.waitFor(3, { endpoint: sub.endpoint, timeoutMs: 8000 });
  assert.deepEqual(
    tries.map((t) => t.status),
    [429, 500, 0],
  );
  assert.ok(tries[1]!.atMs - tries[0]!.atMs >= 950, 'the second try waits for Retry-After (1 s)');
  await sleep(1500);
  assert.equal(push.receivedFor(sub.endpoint).length, 3, 'no fourth try (maxAttempts 3)');
  assert.equal(stack.gateways[0]!.stats().pushes.givenUp, givenUpBefore + 1);
  await a.close();
  const again = await stack.signInSession('alice-retry', password);
  const texts = (await again.history(room.roomId)).map((m) => ('text' in m ? m.text : ''));
  assert.deepEqual(texts, ['kept while the push service fails']);
});

test('a device saves and removes only its own subscription; the record is sealed; revoking a device deletes it', async () => {
  const { a, b, bob } = await aliceOnTwoDevices('own');
  const sub = push.newSubscription();
  await assert.rejects(savePush(a, sub, b.deviceKey), ForbiddenError, "A cannot write B's subscription");
  await assert.rejects(savePush(bob, sub, a.deviceKey), ForbiddenError, "Bob cannot write Alice's");
  await assert.rejects(
    savePush(a, { ...sub, endpoint: 'ftp://127.0.0.1/push/x' }),
    MalformedError,
    'a push endpoint must be a web URL',
  );
  await assert.rejects(
    savePush(a, { ...sub, keys: { ...sub.keys, p256dh: sub.keys.auth } }),
    MalformedError,
    'p256dh must be a P-256 key',
  );
  const remove = (session: RoomKeySession, deviceKey: Uint8Array) =>
    gatewayRequest(session.nc, PUSH_SUBJECTS.remove, encode(v1.PushSubscription, { deviceKey }));
  await assert.rejects(remove(bob, a.deviceKey), ForbiddenError, "Bob cannot remove Alice's");
  const kv = await stack.bucket('rk_push');
  const stored = await kv.get(toHex(a.deviceKey));
  assert.equal(stored?.operation, 'PUT', "A's subscription is still there");
  const raw = new TextDecoder('latin1').decode(stored!.value);
  assert.ok(!raw.includes('/push/'), 'the endpoint is sealed at rest');

  await remove(a, a.deviceKey);
  assert.notEqual((await kv.get(toHex(a.deviceKey)))?.operation, 'PUT', 'A removed its own');

  assert.equal((await kv.get(toHex(b.deviceKey)))?.operation, 'PUT');
  await a.revokeDevice(b.deviceKey);
  assert.notEqual(
    (await kv.get(toHex(b.deviceKey)))?.operation,
    'PUT',
    'revoking B deleted its subscription',
  );
});

test('a subscription saved after a message found none is used for the next message at once', async () => {
  const a = await stack.signUpSession({ username: 'alice-late' });
  const bob = await stack.signUpSession({ username: 'bob-late' });
  const room = await bob.createRoom('Late');
  await bob.invite(room.roomId, 'alice-late');
  await settled(a);
  await sleep(600);
  a.setPresence('hidden');
  await sleep(300);
  await bob.send(room.roomId, 'nobody to push'); // the gateway notes Alice has no subscription
  await sleep(300);
  const sub = push.newSubscription();
  await savePush(a, sub);
  await bob.send(room.roomId, 'now there is');
  await push.waitFor(1, { endpoint: sub.endpoint, timeoutMs: 3000 });
});
