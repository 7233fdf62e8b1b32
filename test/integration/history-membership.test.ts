// Membership changes in the history (issue 17 item 9): "alice added bob", "bob left", "alice
// removed dave", "alice renamed the room to …" as rows in stream order among the messages, from the
// signed commits each client verified; live as they happen; the same after a reload (the stored
// place of each change kept in the snapshot); and for a member who joined later without the earlier
// keys, only from where their history starts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RoomKeySession } from '../../core/client/session.ts';
import type { StoredMessage } from '../../core/client/types.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { textOf } from '../helpers/messages.ts';
import { nextEvent } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

/** A row as words: messages by their text, membership rows as `* <by> <change> <whom or name>`. */
function lines(history: readonly StoredMessage[]): string[] {
  return history.map((m) => {
    if (m.status !== 'membership') return textOf(m);
    const whom = m.change === 'renamed' ? m.name : m.users.map((u) => u.username).join(',');
    return `* ${m.byUsername} ${m.change}${whom ? ` ${whom}` : ''}`;
  });
}

test('membership changes are rows of the history, in stream order, live and after a reload', async () => {
  const backend = new MemoryBackend();
  let alice = await stack.signUpSession({ username: 'alice-h', password: 'pw alice h', backend });
  const bob = await stack.signUpSession({ username: 'bob-h' });
  const carol = await stack.signUpSession({ username: 'carol-h' });
  await stack.signUpSession({ username: 'dave-h' });
  const room = await alice.createRoom('Rows');
  const id = room.roomId;
  await alice.send(id, 'first');
  await alice.invite(id, 'bob-h');
  await bob.listRooms();
  await bob.send(id, 'hi from bob');
  // Bob follows the room live: the rename reaches him as a row.
  const renamedLive = nextEvent(bob, 'message', (m) => m.status === 'membership' && m.change === 'renamed');
  await alice.rotate(id, { name: 'Rows renamed' });
  const live = await renamedLive;
  assert.deepEqual(lines([live]), ['* alice-h renamed Rows renamed']);
  await alice.invite(id, 'carol-h');
  await carol.listRooms();
  await carol.send(id, 'hi from carol');
  await bob.removeMember(id, bob.userId);
  await alice.invite(id, 'dave-h');
  const daveId = (await alice.listRooms())
    .find((r) => r.roomId === id)!
    .members.find((m) => m.username === 'dave-h')!.userId;
  await alice.removeMember(id, daveId);

  const expected = [
    'first',
    '* alice-h added bob-h',
    'hi from bob',
    '* alice-h renamed Rows renamed',
    '* alice-h added carol-h',
    'hi from carol',
    '* bob-h left',
    '* alice-h added dave-h',
    '* alice-h removed dave-h',
  ];
  assert.deepEqual(lines(await alice.history(id, { membership: true })), expected);
  const rows = (await alice.history(id, { membership: true })).filter((m) => m.status === 'membership');
  assert.ok(rows.every((m) => m.status === 'membership' && m.own === (m.byUsername === 'alice-h')));

  // A host that reads only messages gets only messages.
  assert.deepEqual(
    lines(await alice.history(id)),
    expected.filter((line) => !line.startsWith('*')),
  );
  // Carol joined without the earlier keys: her history starts where she was added.
  assert.deepEqual(lines(await carol.history(id, { membership: true })), expected.slice(4));

  // A reload: the room comes back from the store and reads the same rows.
  await alice.close();
  alice = await RoomKeySession.resume({ config: stack.clientConfig(), backend, password: 'pw alice h' });
  try {
    assert.deepEqual(lines(await alice.history(id, { membership: true })), expected);
    // A limit that cuts older messages off cuts their changes too (the last 2 of 3 messages).
    assert.deepEqual(lines(await alice.history(id, { limit: 2, membership: true })), expected.slice(2));
  } finally {
    await alice.close();
  }
});
