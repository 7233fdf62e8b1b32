// core/client/runtime/notify-decision.ts: the one "room on screen" rule, and where a notification
// goes for a host with one view.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  notifies,
  placeNotification,
  roomOnScreen,
  viewOf,
} from '../../../core/client/runtime/notify-decision.ts';
import { received, sent } from './runtime-fakes.ts';

describe('notification decision', () => {
  it('the room on screen: visible and focused on it', () => {
    assert.equal(roomOnScreen({ visible: true, focusedRoom: 'r1' }, 'r1'), true);
    assert.equal(roomOnScreen({ visible: false, focusedRoom: 'r1' }, 'r1'), false);
    assert.equal(roomOnScreen({ visible: true, focusedRoom: 'r2' }, 'r1'), false);
    assert.deepEqual(viewOf('idle', 'r1'), { visible: true, focusedRoom: 'r1' });
    assert.deepEqual(viewOf('hidden', 'r1'), { visible: false, focusedRoom: 'r1' });
  });

  it('in place for the room on screen, a toast in a visible view, OS where the host can', () => {
    const note = { roomId: 'r1' };
    assert.equal(placeNotification(note, viewOf('active', 'r1'), { os: true }), 'in-place');
    assert.equal(placeNotification(note, viewOf('idle', 'r2'), { os: true }), 'toast');
    assert.equal(placeNotification(note, viewOf('hidden', 'r1'), { os: true }), 'os');
    assert.equal(placeNotification(note, viewOf('hidden', 'r1'), { os: false }), 'toast');
    assert.equal(
      placeNotification({ roomId: 'r1', own: true }, viewOf('hidden', null), { os: true }),
      'none',
    );
  });

  it('only messages received from others are news', () => {
    assert.equal(notifies(received('r1', 'hi')), true);
    assert.equal(notifies(sent('r1', 'hi')), false);
    assert.equal(notifies({ ...received('r1', ''), status: 'held', reason: 'no key' } as never), false);
  });
});
