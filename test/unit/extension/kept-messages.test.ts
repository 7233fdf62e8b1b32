// The hub's kept messages: what a frame missed while it was not registered (a restarted worker's
// catch-up before the tabs reconnected), bounded, each message once per frame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../../components/client/types.ts';
import { KeptMessages } from '../../../extension/lib/kept-messages.ts';
import { textOf } from '../../helpers/messages.ts';
import { ROOM_A, ROOM_B } from './fakes.ts';

let next = 0;
const msg = (roomId: string, text: string, messageId = `m${++next}`): StoredMessage =>
  ({
    roomId,
    messageId,
    text,
    senderUsername: 'bob',
    sentAtMs: 0,
    own: false,
    status: 'received',
  }) as StoredMessage;
const textsOf = (list: StoredMessage[]) => list.map(textOf);
const all = () => true;

describe('kept messages', () => {
  it('a frame gets what it missed once, oldest first; not what it had', () => {
    const kept = new KeptMessages();
    kept.keep(msg(ROOM_A, 'seen live'), ['t1:0']);
    kept.keep(msg(ROOM_A, 'while away 1'));
    kept.keep(msg(ROOM_A, 'while away 2'), ['t2:0']);
    assert.deepEqual(textsOf(kept.missedBy('t1:0', all)), ['while away 1', 'while away 2']);
    assert.deepEqual(kept.missedBy('t1:0', all), [], 'nothing twice');
    assert.deepEqual(textsOf(kept.missedBy('t2:0', all)), ['seen live', 'while away 1']);
  });

  it('the same message id kept twice is one message', () => {
    const kept = new KeptMessages();
    kept.keep(msg(ROOM_A, 'first copy', 'dup'), ['t1:0']);
    kept.keep(msg(ROOM_A, 'second copy', 'dup'));
    assert.equal(kept.size, 1);
    assert.deepEqual(kept.missedBy('t1:0', all), [], 'the frame that had it does not get it again');
    assert.deepEqual(textsOf(kept.missedBy('t2:0', all)), ['second copy']);
  });

  it('only rooms the frame may read, and those stay for it', () => {
    const kept = new KeptMessages();
    kept.keep(msg(ROOM_A, 'a'));
    kept.keep(msg(ROOM_B, 'b'));
    assert.deepEqual(textsOf(kept.missedBy('t1:0', (room) => room === ROOM_A)), ['a']);
    assert.deepEqual(textsOf(kept.missedBy('t1:0', all)), ['b'], 'granted later: still there');
  });

  it('bounded: a number per room, and an age', () => {
    let now = 0;
    const kept = new KeptMessages({ perRoom: 3, maxAgeMs: 1000, now: () => now });
    for (let i = 1; i <= 5; i++) kept.keep(msg(ROOM_A, `a${i}`));
    assert.equal(kept.size, 3);
    now = 600;
    kept.keep(msg(ROOM_B, 'b1'));
    now = 1200;
    kept.keep(msg(ROOM_B, 'b2'));
    assert.deepEqual(textsOf(kept.missedBy('t1:0', all)), ['b1', 'b2'], 'room A aged out');
    now = 1700;
    assert.deepEqual(textsOf(kept.missedBy('t2:0', all)), ['b2']);
  });
});
