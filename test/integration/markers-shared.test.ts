// Read markers shared across one user's devices, gateway side (gateway/handlers/marker-*.ts,
// read-markers.ts): they move only forward, only the user's own devices read or write them, only a
// member may mark a room and never past what its stream holds, and the server keeps them sealed.
// An advance reaches the user's other devices as DeviceNotice.read; it ends a push attempt for
// what is now read (no push to the next device) and sends the device woken for the room a
// SYNC_READ sentinel, through the test push service over real HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromBase64Url } from '../../core/bytes.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { decode, encode } from '../../core/codec.ts';
import { MalformedError, NotMemberError } from '../../core/errors.ts';
import { gatewayRequest, MARKER_SUBJECTS, notifySubject, PUSH_SUBJECTS } from '../../core/transport/index.ts';
import { type roomkey, v1 } from '../../proto/index.ts';
import { startPushService, type TestPushService } from '../helpers/push-service.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const WAKE_TIMEOUT_MS = 1500;
const SYNC_READ = [
  ...encode(v1.PushSentinel, { version: 1, kind: v1.PushSentinelKind.PUSH_SENTINEL_KIND_SYNC_READ }),
];
const WAKE = [...encode(v1.PushSentinel, { version: 1, kind: v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE })];

let stack: TestStack;
let push: TestPushService;
before(async () => {
  push = await startPushService();
  stack = await startStack();
  await stack.startGateway({
    push: { allowHttpEndpoints: true, timing: { wakeTimeoutMs: WAKE_TIMEOUT_MS, minIntervalMs: 200 } },
  });
});
after(async () => {
  await stack?.stop();
  await push?.stop();
});

async function setMarker(session: RoomKeySession, roomId: string, streamSequence: number) {
  const reply = await gatewayRequest(
    session.nc,
    MARKER_SUBJECTS.set,
    encode(v1.ReadMarker, { roomId, streamSequence, readAtMs: Date.now() }),
  );
  return decode(v1.ReadMarker, reply, 'read marker');
}

async function listMarkers(session: RoomKeySession) {
  const reply = await gatewayRequest(session.nc, MARKER_SUBJECTS.list, new Uint8Array(0));
  return decode(v1.ReadMarkerList, reply, 'read markers').markers.map((m) => ({
    roomId: m.roomId,
    seq: Number(m.streamSequence),
  }));
}

async function savePush(session: RoomKeySession) {
  const sub = push.newSubscription();
  await gatewayRequest(
    session.nc,
    PUSH_SUBJECTS.save,
    encode(v1.PushSubscription, {
      deviceKey: session.deviceKey,
      endpoint: sub.endpoint,
      p256dh: fromBase64Url(sub.keys.p256dh),
      auth: fromBase64Url(sub.keys.auth),
    }),
  );
  return sub;
}

async function settled(session: RoomKeySession) {
  for (let i = 0; i < 100 && session.connection !== 'online'; i++) await sleep(50);
  await session.listRooms();
}

async function aliceOnTwoDevices(tag: string) {
  const password = `pw ${tag} alice`;
  const a = await stack.signUpSession({ username: `alice-${tag}`, password });
  const b = await stack.signInSession(`alice-${tag}`, password);
  const bob = await stack.signUpSession({ username: `bob-${tag}` });
  const room = await bob.createRoom(`Room ${tag}`);
  await bob.invite(room.roomId, a.username);
  await settled(a);
  await settled(b);
  return { a, b, bob, room };
}

/** DeviceNotice.read notices reaching `session`'s own notify subject. */
function readNotices(session: RoomKeySession): roomkey.v1.ReadMarker[] {
  const got: roomkey.v1.ReadMarker[] = [];
  session.nc.subscribe(notifySubject(session.deviceNkey), {
    callback: (_e, msg) => {
      const notice = decode(v1.DeviceNotice, msg.data, 'notice');
      if (notice.read) got.push(notice.read as roomkey.v1.ReadMarker);
    },
  });
  return got;
}

test('markers move only forward, only for members, only up to the stream; each user sees only their own; sealed at rest', async () => {
  const { a, b, bob, room } = await aliceOnTwoDevices('fwd');
  const m1 = await bob.send(room.roomId, 'first');
  const m2 = await bob.send(room.roomId, 'second');
  assert.equal(Number((await setMarker(a, room.roomId, m1.seq)).streamSequence), m1.seq);
  assert.equal(
    Number((await setMarker(b, room.roomId, m1.seq - 1)).streamSequence),
    m1.seq,
    'never moved back',
  );
  assert.equal(Number((await setMarker(b, room.roomId, m2.seq)).streamSequence), m2.seq);
  assert.deepEqual(await listMarkers(a), [{ roomId: room.roomId, seq: m2.seq }], 'A sees what B set');

  // Bob's markers are his own: Alice's are not in his list, and his set does not touch hers.
  assert.deepEqual(await listMarkers(bob), []);
  await setMarker(bob, room.roomId, m1.seq);
  assert.deepEqual(await listMarkers(bob), [{ roomId: room.roomId, seq: m1.seq }]);
  assert.deepEqual(await listMarkers(a), [{ roomId: room.roomId, seq: m2.seq }]);

  const carol = await stack.signUpSession({ username: 'carol-fwd' });
  await assert.rejects(
    setMarker(carol, room.roomId, m1.seq),
    NotMemberError,
    'a non-member cannot mark the room',
  );
  assert.deepEqual(await listMarkers(carol), [], 'and reads no one else’s markers');
  await assert.rejects(setMarker(a, room.roomId, m2.seq + 1000), MalformedError, 'not past the stream');
  await assert.rejects(setMarker(a, 'not-a-room', 1), MalformedError);
  await assert.rejects(setMarker(a, room.roomId, 0), MalformedError);

  const kv = await stack.bucket('rk_markers');
  const stored = await kv.get(a.userId);
  assert.equal(stored?.operation, 'PUT');
  const raw = new TextDecoder('latin1').decode(stored!.value);
  assert.ok(!raw.includes(room.roomId), 'the room id is sealed at rest');
});

test('an advance reaches the other devices of the user as DeviceNotice.read, not the device that set it', async () => {
  const { a, b, bob, room } = await aliceOnTwoDevices('notice');
  const onA = readNotices(a);
  const onB = readNotices(b);
  const onBob = readNotices(bob);
  await Promise.all([a.nc.flush(), b.nc.flush(), bob.nc.flush()]);
  const m = await bob.send(room.roomId, 'seen on A');
  await setMarker(a, room.roomId, m.seq);
  for (let i = 0; i < 40 && onB.length === 0; i++) await sleep(50);
  assert.deepEqual(
    onB.map((r) => [r.roomId, Number(r.streamSequence)]),
    [[room.roomId, m.seq]],
  );
  await setMarker(a, room.roomId, m.seq); // no advance: no notice
  await sleep(300);
  assert.equal(onB.length, 1);
  assert.deepEqual(onA, [], 'not to the device that set it');
  assert.deepEqual(onBob, [], 'not to another user');
});

test('a marker set on A ends the push attempt (no push to the next device) and sends B, which was woken, a SYNC_READ', async () => {
  const { a, b, bob, room } = await aliceOnTwoDevices('sync');
  const subA = await savePush(a);
  const subB = await savePush(b);
  await sleep(600);
  a.setPresence('hidden');
  await sleep(600);
  b.setPresence('hidden'); // B is the device seen last
  await sleep(300);
  const m = await bob.send(room.roomId, 'read it on A');
  const [wake] = await push.waitFor(1, { endpoint: subB.endpoint });
  assert.deepEqual([...wake!.payload!], WAKE);
  await setMarker(a, room.roomId, m.seq);
  const [, sync] = await push.waitFor(2, { endpoint: subB.endpoint });
  assert.deepEqual([...sync!.payload!], SYNC_READ, 'B is told to sync its read state');
  assert.equal(sync!.bodyLength, wake!.bodyLength, 'and the push is as long as a wake');
  assert.equal(sync!.topic, wake!.topic, 'one topic per device: it replaces a pending wake');
  await sleep(WAKE_TIMEOUT_MS + 700);
  assert.equal(push.receivedFor(subA.endpoint).length, 0, 'A is not pushed for what it read');
  assert.equal(push.receivedFor(subB.endpoint).length, 2);
});

test('a marker below the newest pushed message does not end the attempt: the next device is still woken', async () => {
  const { a, b, bob, room } = await aliceOnTwoDevices('partial');
  const subA = await savePush(a);
  const subB = await savePush(b);
  await sleep(600);
  a.setPresence('hidden');
  await sleep(600);
  b.setPresence('hidden');
  await sleep(300);
  const first = await bob.send(room.roomId, 'one');
  await push.waitFor(1, { endpoint: subB.endpoint });
  await bob.send(room.roomId, 'two'); // joins the running attempt
  await sleep(200);
  await setMarker(a, room.roomId, first.seq); // "two" is still unread
  const [wakeA] = await push.waitFor(1, { endpoint: subA.endpoint, timeoutMs: WAKE_TIMEOUT_MS + 3000 });
  assert.deepEqual([...wakeA!.payload!], WAKE);
  // B was woken for "one" alone, which is now read: it is told to sync (and close what it shows).
  assert.deepEqual(
    push.receivedFor(subB.endpoint).map((p) => [...p.payload!]),
    [WAKE, SYNC_READ],
  );
});

test('with two gateways, a marker set through either one reaches the attempt of the one that pushed', async () => {
  const second = await stack.startGateway({
    push: { allowHttpEndpoints: true, timing: { wakeTimeoutMs: WAKE_TIMEOUT_MS, minIntervalMs: 200 } },
  });
  // Which gateway routes a message and which answers marker.set is the queue group's choice: over
  // three rounds, without the fan-out, they would differ at least once with probability 7/8.
  const rounds = await Promise.all(
    [1, 2, 3].map(async (round) => {
      const { a, b, bob, room } = await aliceOnTwoDevices(`two-gw-${round}`);
      const subA = await savePush(a);
      const subB = await savePush(b);
      await sleep(600);
      a.setPresence('hidden');
      await sleep(600);
      b.setPresence('hidden');
      await sleep(300);
      const m = await bob.send(room.roomId, 'read it on A');
      await push.waitFor(1, { endpoint: subB.endpoint });
      await setMarker(a, room.roomId, m.seq);
      await push.waitFor(2, { endpoint: subB.endpoint, timeoutMs: 4000 }).catch(() => undefined);
      await sleep(WAKE_TIMEOUT_MS + 700);
      return {
        b: push.receivedFor(subB.endpoint).map((p) => p.payload?.[3]),
        a: push.receivedFor(subA.endpoint).length,
      };
    }),
  );
  assert.deepEqual(
    rounds,
    rounds.map(() => ({ b: [1, 2], a: 0 })),
    'each round: WAKE then SYNC_READ to B, nothing to A',
  );
  // The tests after this one are about one gateway's attempt: with two, the queue group splits a
  // burst between them (each attempt lives in its gateway's memory; see gateway/README).
  await second.stop();
});

test('a read on A never turns a wake B has not acted on into a SYNC_READ while B was woken for a room still unread', async () => {
  const { a, b, bob, room } = await aliceOnTwoDevices('replace');
  const other = await bob.createRoom('Room replace 2');
  await bob.invite(other.roomId, a.username);
  await settled(a);
  await settled(b);
  const subB = await savePush(b);
  await sleep(600);
  a.setPresence('hidden');
  await sleep(600);
  b.setPresence('hidden');
  await sleep(300);
  push.answer(subB.endpoint, 500); // the first try fails: both rooms are in the wake that goes out
  const m1 = await bob.send(room.roomId, 'in the first room');
  const m2 = await bob.send(other.roomId, 'in the second room');
  await push.waitFor(2, { endpoint: subB.endpoint, timeoutMs: 5000 });
  await setMarker(a, room.roomId, m1.seq);
  await push.waitFor(3, { endpoint: subB.endpoint });
  await setMarker(a, other.roomId, m2.seq);
  await push.waitFor(4, { endpoint: subB.endpoint });
  assert.deepEqual(
    push.receivedFor(subB.endpoint).map((p) => [p.status, p.payload?.[3]]),
    [
      [500, 1],
      [201, 1],
      [201, 1], // the second room is unread and B has not woken: a WAKE again, not a SYNC_READ
      [201, 2], // everything read: now a SYNC_READ
    ],
  );
});
