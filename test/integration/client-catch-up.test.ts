// The runtime's catch-up as a woken service worker runs it (sw/wake.ts), against a real stack:
// readRecent reads each room after the last sequence the notified window holds, and the window
// (kept in the device's encrypted store) yields each message from others once, nothing stored
// before the opt-in, and survives between wake-ups.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readRecent } from '../../core/client/recent.ts';
import { NotifiedWindow } from '../../core/client/runtime/notified-window.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { EncryptedStore } from '../../core/store/store.ts';
import { textOf } from '../helpers/messages.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('each wake-up reads after the last sequence it saw and notifies each new message once', async () => {
  const alice = await stack.signUpSession({ username: 'alice-c' });
  const bobBackend = new MemoryBackend();
  const bob = await stack.signUpSession({ username: 'bob-c', password: 'pw bob c 1', backend: bobBackend });
  const room = await alice.createRoom('Catch-up');
  await alice.invite(room.roomId, 'bob-c');
  await alice.send(room.roomId, 'before the opt-in');
  await bob.history(room.roomId);
  await bob.close();
  await new Promise((r) => setTimeout(r, 20));
  const optIn = Date.now();
  await alice.send(room.roomId, 'news 1');
  await alice.send(room.roomId, 'news 2');

  const wake = async () => {
    const store = await EncryptedStore.open(bobBackend);
    await store.unlock('pw bob c 1');
    try {
      const window = await NotifiedWindow.load(store, 'test/notified');
      const rooms = await readRecent(store, stack.clientConfig(), {
        perRoom: 200,
        after: (roomId) => window.seq(roomId),
      });
      const read = rooms.flatMap((r) => r.messages.map(textOf));
      const fresh = rooms.flatMap((r) => window.catchUp(r.roomId, r.messages, { notBeforeMs: optIn }));
      await window.save();
      return { read, fresh: fresh.map(textOf) };
    } finally {
      store.lock();
    }
  };

  const first = await wake();
  assert.deepEqual(first.fresh, ['news 1', 'news 2'], 'nothing stored before the opt-in');
  const second = await wake();
  assert.deepEqual(second, { read: [], fresh: [] }, 'nothing read or notified twice');
  await alice.send(room.roomId, 'news 3');
  const third = await wake();
  assert.deepEqual(third, { read: ['news 3'], fresh: ['news 3'] }, 'only what came after');
});
