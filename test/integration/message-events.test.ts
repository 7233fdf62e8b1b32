// Replies, edits, deletes and reactions between two users against a real stack: each is a signed,
// encrypted room message (core/client RoomKeySession.sendEvent); the receiver gets it live with
// its action and hex target, and reading the history again applies the same (message-events.ts):
// an edit or delete by someone other than the author changes nothing; a deleted text is gone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MessageEvents } from '../../core/client/message-events.ts';
import { MalformedError } from '../../core/errors.ts';
import { nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('reply, edit, delete and reactions reach the other member live and survive a fresh history read', async () => {
  const alice = await stack.signUpSession({ username: 'alice-ev' });
  const bob = await stack.signUpSession({ username: 'bob-ev' });
  const room = await alice.createRoom('Events');
  await alice.invite(room.roomId, 'bob-ev');
  await bob.listRooms();
  const { roomId } = room;

  const helloAtBob = nextMessage(bob, (m) => m.text.startsWith('helo'), 15_000);
  const hello = await alice.send(roomId, 'helo bob\nsecond line');
  await helloAtBob;
  const secret = await alice.send(roomId, 'my password is hunter2');
  const liveEdit = nextMessage(bob, (m) => m.action === 'edit');
  const edit = await alice.sendEvent(roomId, { action: 'edit', target: hello.messageId, text: 'hello bob' });
  assert.equal(edit.action, 'edit');
  assert.equal(edit.target, hello.messageId);
  const atBob = await liveEdit;
  assert.equal(atBob.status, 'received');
  assert.equal(atBob.target, hello.messageId);
  assert.equal(atBob.text, 'hello bob');

  const reply = await bob.sendEvent(roomId, { action: 'reply', replyTo: hello.messageId, text: 'hi alice' });
  assert.equal(reply.replyTo, hello.messageId);
  assert.equal(reply.action, undefined, 'a reply is an ordinary message');
  await bob.sendEvent(roomId, { action: 'react', target: hello.messageId, reaction: '👍' });
  await alice.sendEvent(roomId, { action: 'react', target: hello.messageId, reaction: '👍' });
  await bob.sendEvent(roomId, { action: 'react', target: hello.messageId, reaction: '🎉' });
  await bob.sendEvent(roomId, { action: 'unreact', target: hello.messageId, reaction: '🎉' });
  // Bob tries to edit and delete Alice's message: stored like any message, applied by no one.
  await bob.sendEvent(roomId, { action: 'edit', target: hello.messageId, text: 'bob was here' });
  await bob.sendEvent(roomId, { action: 'delete', target: hello.messageId });
  const liveDelete = nextMessage(bob, (m) => m.action === 'delete' && m.senderUserId === alice.userId);
  await alice.sendEvent(roomId, { action: 'delete', target: secret.messageId });
  await liveDelete;

  // Refused before anything is sent: not an emoji, not a message id.
  await assert.rejects(
    alice.sendEvent(roomId, { action: 'react', target: hello.messageId, reaction: 'ok' }),
    MalformedError,
  );
  await assert.rejects(alice.sendEvent(roomId, { action: 'delete', target: 'nope' }), MalformedError);

  // Both read the whole history again (as after a reload) and apply it.
  for (const [who, session] of [
    ['alice', alice],
    ['bob', bob],
  ] as const) {
    const events = new MessageEvents(session.userId);
    const rows = (await session.history(roomId)).filter((m) => !events.add(m).event);
    const shown = rows.map((m) => events.shown(m));
    const byId = new Map(shown.map((m) => [m.messageId, m]));
    assert.equal(shown.length, 3, `${who}: three rows (hello, secret, reply)`);
    const h = byId.get(hello.messageId)!;
    assert.ok(h.status === 'sent' || h.status === 'received');
    assert.equal(h.text, 'hello bob', `${who}: alice's edit applies, bob's does not`);
    assert.equal(h.edited, true);
    assert.equal(h.deleted, undefined, `${who}: bob's delete of alice's message is ignored`);
    assert.deepEqual(
      h.reactions?.map((r) => [r.reaction, r.count]),
      [['👍', 2]],
      `${who}: 👍 by both, 🎉 taken back`,
    );
    const s = byId.get(secret.messageId)!;
    assert.equal(s.deleted, true);
    assert.ok(!JSON.stringify(s).includes('hunter2'), `${who}: the deleted text is not shown`);
    const r = byId.get(reply.messageId)!;
    assert.deepEqual(r.quote, {
      messageId: hello.messageId,
      missing: false,
      senderUsername: 'alice-ev',
      own: who === 'alice',
      firstLine: 'hello bob',
      deleted: false,
    });
  }
  await Promise.all([alice.close(), bob.close()]);
});
