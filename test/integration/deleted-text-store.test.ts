// A deleted text does not linger at rest (issue 17 §10): after Alice deletes her message and Bob's
// session applied the delete, no record of either encrypted store — room snapshots, the notified
// window, the outbox, read markers, anything — holds the text, decrypted record by record with the
// store key (the snapshot keeps ciphertext of held envelopes and ids, never plaintext). Bound: 30 s.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RoomKeySession } from '../../core/client/session.ts';
import { nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

async function recordsHolding(session: RoomKeySession, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await session.store.keys()) {
    const value = await session.store.get(name);
    if (value && Buffer.from(value).includes(Buffer.from(needle))) found.push(name);
  }
  return found;
}

test("after the author's delete no stored record of either member holds the text", {
  timeout: 30_000,
}, async () => {
  const alice = await stack.signUpSession({ username: 'alice-del' });
  const bob = await stack.signUpSession({ username: 'bob-del' });
  const { roomId } = await alice.createRoom('Deleted');
  await alice.invite(roomId, 'bob-del');
  await bob.listRooms();
  const text = 'the door code is 4711, delete me';
  const atBob = nextMessage(bob, (m) => m.text === text, 15_000);
  const sent = await alice.send(roomId, text);
  await atBob;
  const deleted = nextMessage(bob, (m) => m.action === 'delete' && m.target === sent.messageId, 15_000);
  await alice.sendEvent(roomId, { action: 'delete', target: sent.messageId });
  await deleted;
  await new Promise((resolve) => setTimeout(resolve, 1000)); // snapshots are saved after a message applies
  // The scan sees a decrypted record that holds it (so an empty answer means something).
  await bob.store.set('probe/deleted-text', new TextEncoder().encode(text));
  assert.deepEqual(await recordsHolding(bob, 'door code'), ['probe/deleted-text']);
  await bob.store.delete('probe/deleted-text');
  for (const [who, session] of [
    ['alice', alice],
    ['bob', bob],
  ] as const)
    assert.deepEqual(await recordsHolding(session, 'door code'), [], `${who}'s store`);
  await alice.close();
  await bob.close();
});
