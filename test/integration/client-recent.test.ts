// core/client's readRecent (what a service worker reads after a wake-up push) against a real
// stack: from an unlocked store alone it lists the newest messages of each room the user is in,
// decrypted and in order, names included; a room the user was removed from is left out; it writes
// nothing to the store; a store without an identity is refused with a typed error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readRecent } from '../../core/client/recent.ts';
import { MalformedError } from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { EncryptedStore } from '../../core/store/store.ts';
import { senderOf, textOf } from '../helpers/messages.ts';
import { startStack, TEST_STORE_PARAMS, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

async function contents(backend: MemoryBackend): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await backend.keys())
    out.set(key, Buffer.from((await backend.get(key))!).toString('hex'));
  return out;
}

test('reads the newest messages of each room from the store alone, and writes nothing', async () => {
  const alice = await stack.signUpSession({ username: 'alice-r' });
  const bobBackend = new MemoryBackend();
  const bob = await stack.signUpSession({ username: 'bob-r', password: 'pw bob r 1', backend: bobBackend });
  const tea = await alice.createRoom('Tea');
  await alice.invite(tea.roomId, 'bob-r');
  const gone = await alice.createRoom('Gone');
  await alice.invite(gone.roomId, 'bob-r');
  await alice.send(gone.roomId, 'before removal');
  await alice.removeMember(gone.roomId, bob.userId);
  await alice.send(gone.roomId, 'after removal');
  for (let i = 1; i <= 5; i++) await alice.send(tea.roomId, `tea ${i}`);
  await bob.send(tea.roomId, 'bob too');
  // The page's session saves its room snapshots a moment after changes; then the page goes away.
  await bob.history(tea.roomId);
  await bob.close();

  const before = await contents(bobBackend);
  const store = await EncryptedStore.open(bobBackend);
  await store.unlock('pw bob r 1');
  const rooms = await readRecent(store, stack.clientConfig(), { perRoom: 4 });
  assert.deepEqual(
    rooms.map((r) => r.roomId),
    [tea.roomId],
    'only the room Bob is still a member of',
  );
  const [room] = rooms;
  assert.equal(room!.name, 'Tea');
  assert.deepEqual(
    room!.messages.map((m) => [senderOf(m), textOf(m), m.own, m.status]),
    [
      ['alice-r', 'tea 3', false, 'received'],
      ['alice-r', 'tea 4', false, 'received'],
      ['alice-r', 'tea 5', false, 'received'],
      ['bob-r', 'bob too', true, 'sent'],
    ],
  );
  store.lock();
  assert.deepEqual(await contents(bobBackend), before, 'the store is unchanged');
});

test('a store without an identity is refused with a typed error', async () => {
  const store = await EncryptedStore.create(new MemoryBackend(), 'pw empty 1', TEST_STORE_PARAMS);
  await assert.rejects(readRecent(store, stack.clientConfig(), { perRoom: 4 }), MalformedError);
});
