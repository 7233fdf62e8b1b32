// The one ChatMessage factory: each variant with exactly its fields (no '' or 0 stand-ins), the
// own/received split, the shown time, and the row key and time every view asks for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  failedMessage,
  heldMessage,
  messageKey,
  messageTime,
  readableMessage,
  receivedMessage,
  SENT_AT_TOLERANCE_MS,
  sendingMessage,
  sentMessage,
} from '../../../core/client/chat-message.ts';
import type { RoomMessage } from '../../../core/room/index.ts';

const T = 1_764_000_000_000;
const ID = new Uint8Array(16).fill(0xab);
const HEX = 'ab'.repeat(16);

function roomMessage(senderUserId: string, sentAtMs = T): RoomMessage {
  return {
    roomId: 'r1',
    epoch: 2,
    messageId: ID,
    senderUserId,
    senderDeviceKey: new Uint8Array(32),
    sentAtMs,
    contentType: 1,
    text: 'hello',
    replyTo: new Uint8Array(),
  };
}

const keys = (o: object) => Object.keys(o).sort();
const STORED = ['epoch', 'messageId', 'own', 'roomId', 'seq', 'status', 'storedAtMs'];
const READABLE = [...STORED, 'senderUserId', 'senderUsername', 'sentAtMs', 'text'].sort();

describe('ChatMessage factory', () => {
  it('a readable message is `received` from others and `sent` from this user, with its stored facts', () => {
    const facts = { storedAtMs: T + 100, seq: 9 };
    const other = readableMessage('r1', roomMessage('bob'), facts, {
      senderUsername: 'bob',
      myUserId: 'alice',
    });
    assert.deepEqual(other, {
      roomId: 'r1',
      messageId: HEX,
      senderUserId: 'bob',
      senderUsername: 'bob',
      sentAtMs: T,
      seq: 9,
      storedAtMs: T + 100,
      text: 'hello',
      epoch: 2,
      status: 'received',
      own: false,
    });
    const mine = readableMessage('r1', roomMessage('alice'), facts, {
      senderUsername: 'alice',
      myUserId: 'alice',
    });
    assert.equal(mine.status, 'sent');
    assert.equal(mine.own, true);
    assert.deepEqual(keys(mine), READABLE);
  });

  it('shows the stored time when the sender claims a time far from it', () => {
    const facts = { storedAtMs: T, seq: 1 };
    const near = roomMessage('bob', T - SENT_AT_TOLERANCE_MS);
    const far = roomMessage('bob', T - SENT_AT_TOLERANCE_MS - 1);
    const who = { senderUsername: 'bob', myUserId: 'alice' };
    assert.equal(readableMessage('r1', near, facts, who).sentAtMs, T - SENT_AT_TOLERANCE_MS);
    assert.equal(readableMessage('r1', far, facts, who).sentAtMs, T);
  });

  it('every variant has exactly its fields', () => {
    const stored = { roomId: 'r1', messageId: HEX, epoch: 3, seq: 4, storedAtMs: T };
    const held = heldMessage({ ...stored, reason: 'waiting for the key' });
    assert.deepEqual(keys(held), [...STORED, 'reason'].sort());
    assert.equal(held.status, 'held');
    assert.ok(!('text' in held) && !('senderUsername' in held) && !('sentAtMs' in held));
    const failed = failedMessage({ ...stored, reason: 'not shared with you' });
    assert.deepEqual(keys(failed), [...STORED, 'reason'].sort());
    const author = { senderUserId: 'alice', senderUsername: 'alice', sentAtMs: T, text: 'hi' };
    const sent = sentMessage({ roomId: 'r1', messageId: HEX, epoch: 3, seq: 4, ...author });
    assert.deepEqual(keys(sent), READABLE);
    assert.equal(sent.storedAtMs, T, "the device's clock stands in for the time the ack omits");
    const received = receivedMessage({ ...stored, ...author });
    assert.deepEqual(keys(received), READABLE);
    const sending = sendingMessage({ roomId: 'r1', draftId: 'draft-1', epoch: 3, ...author });
    assert.deepEqual(keys(sending), [
      'draftId',
      'epoch',
      'own',
      'roomId',
      'senderUserId',
      'senderUsername',
      'sentAtMs',
      'status',
      'text',
    ]);
    assert.ok(!('messageId' in sending) && !('seq' in sending), 'nothing the server has not said yet');
  });

  it('a row key and a time for every variant', () => {
    const stored = { roomId: 'r1', messageId: HEX, epoch: 3, seq: 4, storedAtMs: T + 7 };
    assert.equal(messageKey(heldMessage({ ...stored, reason: 'x' })), HEX);
    assert.equal(messageTime(heldMessage({ ...stored, reason: 'x' })), T + 7);
    assert.equal(messageTime(failedMessage({ ...stored, reason: 'x' })), T + 7);
    const draft = sendingMessage({
      roomId: 'r1',
      draftId: 'draft-2',
      epoch: 0,
      senderUserId: 'a',
      senderUsername: 'a',
      text: 't',
      sentAtMs: T,
    });
    assert.equal(messageKey(draft), 'draft-2');
    assert.equal(messageTime(draft), T);
  });
});
