// Read markers shared across one user's devices, from the SDK's side (core/client read-markers.ts)
// against a real nats-server and gateway: a room on screen on device A is read up to its newest
// message and the marker reaches device B live (a `read` event, unread counts follow); B, catching
// up later, gets what A read as data (read: true, never notified, not counted) and only the rest as
// unread; markers never move back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { listReadMarkers } from '../../core/client/read-markers-api.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import type { RoomSummary, StoredMessage } from '../../core/client/types.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { nextEvent, nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

const unreadOf = (rooms: readonly RoomSummary[], roomId: string) =>
  rooms.find((r) => r.roomId === roomId)?.unread;

/** Alice on two devices and Bob, in one room. */
async function twoDevices(name: string) {
  const password = `pw ${name} 1`;
  const backendB = new MemoryBackend();
  const a = await stack.signUpSession({ username: `alice-${name}`, password });
  const b = await stack.signInSession(`alice-${name}`, password, { backend: backendB });
  const bob = await stack.signUpSession({ username: `bob-${name}` });
  const room = await a.createRoom('Shared reads');
  await a.invite(room.roomId, `bob-${name}`);
  await Promise.all([b.listRooms(), bob.listRooms()]);
  // Both of Alice's devices are up but show no room: nothing is read yet.
  a.focusRoom(null);
  b.focusRoom(null);
  return { a, b, bob, backendB, password, roomId: room.roomId };
}

test('a room read on device A is read on device B at once: a read event, the unread count follows', async () => {
  const { a, b, bob, roomId } = await twoDevices('live');
  const atB = nextMessage(b, (m) => m.text === 'first');
  const atA = nextMessage(a, (m) => m.text === 'first');
  const first = await bob.send(roomId, 'first');
  await Promise.all([atA, atB]);
  assert.equal(unreadOf(await b.listRooms(), roomId), 1, 'unread on B before A reads');

  const readAtB = nextEvent(b, 'read', (r) => r.roomId === roomId, 5000);
  const countAtB = nextEvent(b, 'rooms', (rooms) => unreadOf(rooms, roomId) === 0, 5000);
  a.setPresence('active');
  a.focusRoom(roomId); // on screen, visible: read up to the newest message
  assert.deepEqual(await readAtB, { roomId, seq: first.seq });
  await countAtB;
  assert.equal(unreadOf(await b.listRooms(), roomId), 0);
  assert.equal((await listReadMarkers(a.nc)).get(roomId), first.seq, 'the gateway keeps it');

  // Never back: B marking an older position leaves the shared marker where it is.
  b.focusRoom(roomId);
  await sleep(800);
  assert.equal((await listReadMarkers(b.nc)).get(roomId), first.seq);
});

test('B catching up later gets what A read as data, and only the rest as unread', async () => {
  const { a, b, bob, backendB, password, roomId } = await twoDevices('later');
  await b.close(); // B is away
  a.setPresence('active');
  a.focusRoom(roomId);
  const seen = nextMessage(a, (m) => m.text === 'two');
  await bob.send(roomId, 'one');
  const two = await bob.send(roomId, 'two');
  await seen;
  await sleep(900); // A's marker (sent once per burst) reaches the gateway
  assert.equal((await listReadMarkers(a.nc)).get(roomId), two.seq);
  a.focusRoom(null); // A leaves the room: what comes next is unread
  await bob.send(roomId, 'three');

  const delivered: StoredMessage[] = [];
  const notified: string[] = [];
  const again = await stack.signInSession(`alice-later`, password, {
    backend: backendB,
    onCreated: (session: RoomKeySession) => {
      session.on('message', (m) => delivered.push(m));
      session.on('notification', (n) => notified.push(n.messageId));
    },
  });
  again.focusRoom(null);
  const texts = () =>
    delivered.map((m) => (m.status === 'received' ? `${m.text}${m.read ? ' (read)' : ''}` : m.status));
  for (let i = 0; i < 50 && !texts().includes('three'); i++) await sleep(100);
  assert.deepEqual(texts(), ['one (read)', 'two (read)', 'three']);
  assert.equal(unreadOf(await again.listRooms(), roomId), 1, 'only what A did not read');
  assert.deepEqual(notified, [], 'nothing caught up is notified');
});
