// Message events as every client applies them: edits and deletes only by the target's author,
// ordered by stream sequence, kept until their target arrives; reactions counted per emoji; the
// reply quote; a deleted text dropped. Also the ChatMessage factory's event fields (hex ids).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readableMessage, receivedMessage, sentMessage } from '../../../core/client/chat-message.ts';
import { isEventMessage, MessageEvents } from '../../../core/client/message-events.ts';
import type { ReceivedMessage, SentMessage } from '../../../core/client/types.ts';

const T = 1_764_000_000_000;
const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(16);
const ME = 'alice';

let nextSeq = 1;
function msg(
  from: string,
  id: number,
  fields: Partial<ReceivedMessage> & { seq?: number } = {},
): SentMessage | ReceivedMessage {
  const common = {
    roomId: 'r1',
    messageId: hex(id),
    senderUserId: from,
    senderUsername: from,
    sentAtMs: T,
    seq: fields.seq ?? nextSeq++,
    text: '',
    epoch: 0,
    ...fields,
  };
  return from === ME ? sentMessage(common) : receivedMessage({ ...common, storedAtMs: T });
}

describe('MessageEvents', () => {
  it('an edit by the author replaces the text and says edited; an edit by anyone else is ignored', () => {
    const events = new MessageEvents(ME);
    const post = msg('bob', 1, { text: 'helo' });
    events.add(post);
    const forged = events.add(msg('carol', 2, { action: 'edit', target: hex(1), text: 'carol was here' }));
    assert.deepEqual(forged, { event: true, changed: [] });
    assert.equal(events.shown(post).text, 'helo');
    assert.equal(events.shown(post).edited, undefined);
    assert.deepEqual(events.add(msg('bob', 3, { action: 'edit', target: hex(1), text: 'hello' })).changed, [
      hex(1),
    ]);
    const shown = events.shown(post);
    assert.equal(shown.text, 'hello');
    assert.equal(shown.edited, true);
  });

  it('a delete by the author drops the text for good; a delete by anyone else is ignored', () => {
    const events = new MessageEvents(ME);
    const post = msg('bob', 1, { text: 'secret' });
    events.add(post);
    events.add(msg('carol', 2, { action: 'delete', target: hex(1) }));
    assert.equal(events.shown(post).deleted, undefined);
    events.add(msg('bob', 3, { action: 'delete', target: hex(1) }));
    const shown = events.shown(post);
    assert.equal(shown.deleted, true);
    assert.equal(shown.text, '');
    // A later edit does not bring it back; the quote of a reply shows it deleted, without its text.
    events.add(msg('bob', 4, { action: 'edit', target: hex(1), text: 'back again' }));
    assert.equal(events.shown(post).text, '');
    const quote = events.quote(hex(1));
    assert.equal(quote.missing, false);
    assert.ok(!quote.missing && quote.deleted && quote.firstLine === '');
    assert.equal(events.isDeleted(hex(1)), true);
    // The post read again (history reload) after its delete keeps no text either.
    events.add(post);
    assert.equal(
      events.quote(hex(1)).missing === false && JSON.stringify(events.quote(hex(1))).includes('secret'),
      false,
    );
  });

  it('edits apply by stream sequence, not arrival order', () => {
    const events = new MessageEvents(ME);
    const post = msg('bob', 1, { text: 'v0', seq: 1 });
    events.add(post);
    events.add(msg('bob', 3, { action: 'edit', target: hex(1), text: 'v2', seq: 30 }));
    events.add(msg('bob', 2, { action: 'edit', target: hex(1), text: 'v1', seq: 20 }));
    assert.equal(events.shown(post).text, 'v2');
  });

  it('events that arrive before their target wait for it, and the author rule still holds', () => {
    const events = new MessageEvents(ME);
    assert.deepEqual(
      events.add(msg('bob', 2, { action: 'edit', target: hex(1), text: 'new', seq: 20 })).changed,
      [],
    );
    events.add(msg('carol', 3, { action: 'delete', target: hex(1), seq: 21 }));
    events.add(msg('dave', 4, { action: 'react', target: hex(1), reaction: '🎉', seq: 22 }));
    const post = msg('bob', 1, { text: 'old', seq: 10 });
    assert.deepEqual(events.add(post).changed, [hex(1)]);
    const shown = events.shown(post);
    assert.equal(shown.text, 'new');
    assert.equal(shown.edited, true);
    assert.equal(shown.deleted, undefined, "carol's delete of bob's message is ignored");
    assert.deepEqual(
      shown.reactions?.map((r) => [r.reaction, r.count]),
      [['🎉', 1]],
    );
  });

  it('reactions count per emoji with who; an unreact takes one back; the latest by sequence wins', () => {
    const events = new MessageEvents(ME);
    const post = msg('bob', 1, { text: 'lunch?', seq: 1 });
    events.add(post);
    events.add(msg('bob', 2, { action: 'react', target: hex(1), reaction: '👍', seq: 2 }));
    events.add(msg(ME, 3, { action: 'react', target: hex(1), reaction: '👍', seq: 3 }));
    events.add(msg('carol', 4, { action: 'react', target: hex(1), reaction: '🍕', seq: 4 }));
    events.add(msg('carol', 5, { action: 'react', target: hex(1), reaction: '👍', seq: 5 }));
    events.add(msg('carol', 6, { action: 'unreact', target: hex(1), reaction: '👍', seq: 7 }));
    // An older react arriving late does not undo the newer unreact.
    events.add(msg('carol', 7, { action: 'react', target: hex(1), reaction: '👍', seq: 6 }));
    assert.deepEqual(events.reactions(hex(1)), [
      { reaction: '👍', count: 2, usernames: ['bob', 'You'], mine: true },
      { reaction: '🍕', count: 1, usernames: ['carol'], mine: false },
    ]);
    assert.equal(events.reactedWith(hex(1), '👍'), true);
    assert.equal(events.reactedWith(hex(1), '🍕'), false);
    // The same react twice (a reload reads it again) counts once.
    events.add(msg('bob', 2, { action: 'react', target: hex(1), reaction: '👍', seq: 2 }));
    assert.equal(events.reactions(hex(1))[0]!.count, 2);
  });

  it('a reply quotes the sender and the first line of the current text; an unknown original is missing', () => {
    const events = new MessageEvents(ME);
    events.add(msg('bob', 1, { text: 'first line\nsecond line' }));
    const reply = msg(ME, 2, { text: 'agreed', replyTo: hex(1) });
    events.add(reply);
    assert.deepEqual(events.shown(reply).quote, {
      messageId: hex(1),
      missing: false,
      senderUsername: 'bob',
      own: false,
      firstLine: 'first line',
      deleted: false,
    });
    events.add(msg('bob', 3, { action: 'edit', target: hex(1), text: 'edited line' }));
    assert.equal(
      events.quote(hex(1)).missing === false && (events.quote(hex(1)) as { firstLine: string }).firstLine,
      'edited line',
    );
    assert.deepEqual(events.shown(msg(ME, 4, { text: 'x', replyTo: hex(9) })).quote, {
      messageId: hex(9),
      missing: true,
    });
  });

  it('only readable messages with an action and a target are events', () => {
    assert.equal(isEventMessage(msg('bob', 1, { text: 'hi' })), false);
    assert.equal(isEventMessage(msg('bob', 1, { action: 'delete', target: hex(2) })), true);
  });
});

describe('readableMessage: event fields', () => {
  const base = {
    roomId: 'r1',
    epoch: 0,
    messageId: new Uint8Array(16).fill(1),
    senderUserId: 'bob',
    senderDeviceKey: new Uint8Array(32),
    sentAtMs: T,
    contentType: 1,
    text: '',
    replyTo: new Uint8Array(),
  };
  const facts = { storedAtMs: T, seq: 4 };
  const who = { senderUsername: 'bob', myUserId: ME };

  it('carries the action, hex target and reaction of an event, and the hex reply id of a reply', () => {
    const react = readableMessage(
      'r1',
      { ...base, action: 'react', target: new Uint8Array(16).fill(2), reaction: '👍' },
      facts,
      who,
    );
    assert.equal(react.action, 'react');
    assert.equal(react.target, hex(2));
    assert.equal(react.reaction, '👍');
    const reply = readableMessage(
      'r1',
      { ...base, text: 'yes', replyTo: new Uint8Array(16).fill(3) },
      facts,
      who,
    );
    assert.equal(reply.replyTo, hex(3));
    assert.equal('action' in reply, false);
  });

  it('a post has none of the event fields', () => {
    const post = readableMessage(
      'r1',
      { ...base, text: 'hi', action: 'post', target: new Uint8Array() },
      facts,
      who,
    );
    for (const key of ['action', 'target', 'reaction', 'replyTo']) assert.equal(key in post, false, key);
  });
});
