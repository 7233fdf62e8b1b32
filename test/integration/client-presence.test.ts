// Presence beacons from the SDK (core/client presence-beacon.ts) as the gateway's router sees
// them: the gateway drops beacons closer than 500 ms from one device, so quick changes (a room
// left, then the tab hidden) must still end in the last state, or an App Notification goes to a
// device nobody looks at and the Web Push that should wake another is never sent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('the last of several quick presence changes reaches the gateway', async () => {
  const alice = await stack.signUpSession({ username: 'alice-p' });
  const bob = await stack.signUpSession({ username: 'bob-p' });
  const { roomId } = await bob.createRoom('Quick changes');
  await bob.invite(roomId, 'alice-p');
  await alice.listRooms();
  await sleep(700);
  const notified: string[] = [];
  alice.on('notification', (n) => notified.push(n.preview ?? ''));
  // A person opens the room, leaves it and hides the tab, all within a moment.
  alice.focusRoom(roomId);
  alice.focusRoom(null);
  alice.setPresence('hidden');
  await sleep(1200);
  const arrived = nextMessage(alice, (m) => m.text === 'while hidden');
  await bob.send(roomId, 'while hidden');
  await arrived;
  await sleep(500);
  assert.deepEqual(notified, [], 'a hidden device gets no App Notification');

  alice.setPresence('active');
  await sleep(1200);
  const shown = nextMessage(alice, (m) => m.text === 'while active');
  await bob.send(roomId, 'while active');
  await shown;
  for (let i = 0; i < 20 && notified.length === 0; i++) await sleep(100);
  assert.deepEqual(notified, ['while active'], 'an active one does');
});
