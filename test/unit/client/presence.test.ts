// core/client/runtime/presence.ts: presence from the host's signals, only changes forwarded, kept
// across lock and unlock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PresenceTracker, presenceFrom } from '../../../core/client/runtime/presence.ts';
import { FakeSdk } from './runtime-fakes.ts';

describe('presence', () => {
  it('active when visible and focused, idle when only visible, hidden when not visible', () => {
    assert.equal(presenceFrom({ visible: true, focused: true }), 'active');
    assert.equal(presenceFrom({ visible: true, focused: false }), 'idle');
    assert.equal(presenceFrom({ visible: false, focused: true }), 'hidden');
  });

  it('hands the session the current presence, then only changes; keeps them while detached', () => {
    const tracker = new PresenceTracker();
    tracker.focus('r1');
    const sdk = new FakeSdk();
    tracker.attach(sdk);
    assert.deepEqual(sdk.calls, ['focus:r1', 'presence:active']);
    tracker.set('active');
    tracker.focus('r1');
    assert.equal(sdk.calls.length, 2, 'no change, nothing sent');
    tracker.update({ state: 'hidden', focusedRoom: 'r1' });
    assert.deepEqual(sdk.calls.slice(2), ['presence:hidden']);
    tracker.detach(sdk);
    tracker.update({ state: 'idle', focusedRoom: 'r2' });
    assert.equal(sdk.calls.length, 3, 'locked: nothing sent');
    assert.deepEqual(tracker.view, { visible: true, focusedRoom: 'r2' });
    const next = new FakeSdk();
    tracker.attach(next);
    assert.deepEqual(next.calls, ['focus:r2', 'presence:idle'], 'unlocked: the presence of now');
  });
});
