// The approval window's buttons arm only after the window has been in front for a while without a
// break (issue 11 point 5): a click or key press already on its way when it appears does nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ARM_DELAY_MS,
  type ArmTimers,
  armAfterFocus,
  type FocusWindow,
} from '../../../extension/lib/focus-arm.ts';

/** A window whose focus and visibility the test sets, and timers the test advances. */
function fakeWindow() {
  const target = new EventTarget();
  const docTarget = new EventTarget();
  let now = 0;
  const timers: { at: number; callback: () => void; id: number }[] = [];
  let nextId = 0;
  const state = { focused: false, visibility: 'visible' };
  const win: FocusWindow = {
    addEventListener: (t, l) => target.addEventListener(t, l),
    removeEventListener: (t, l) => target.removeEventListener(t, l),
    document: {
      hasFocus: () => state.focused,
      get visibilityState() {
        return state.visibility;
      },
      addEventListener: (t, l) => docTarget.addEventListener(t, l),
      removeEventListener: (t, l) => docTarget.removeEventListener(t, l),
    },
  };
  const clock: ArmTimers = {
    set: (callback, ms) => {
      const id = ++nextId;
      timers.push({ at: now + ms, callback, id });
      return id;
    },
    clear: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  return {
    win,
    clock,
    pending: () => timers.length,
    /** Moves time on, running the timers that fall due. */
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.callback();
      }
    },
    focus() {
      state.focused = true;
      target.dispatchEvent(new Event('focus'));
    },
    blur() {
      state.focused = false;
      target.dispatchEvent(new Event('blur'));
    },
    hide() {
      state.visibility = 'hidden';
      docTarget.dispatchEvent(new Event('visibilitychange'));
    },
    show() {
      state.visibility = 'visible';
      docTarget.dispatchEvent(new Event('visibilitychange'));
    },
    state,
  };
}

describe('arming a question window after focus', () => {
  it('waits for focus, then for the whole delay (a browser-like ~0.5–1 s)', () => {
    assert.ok(ARM_DELAY_MS >= 500 && ARM_DELAY_MS <= 1000);
    const w = fakeWindow();
    const seen: boolean[] = [];
    armAfterFocus(w.win, (armed) => seen.push(armed), { timers: w.clock });
    w.advance(5000);
    assert.deepEqual(seen, [], 'never focused: never armed');
    w.focus();
    w.advance(ARM_DELAY_MS - 1);
    assert.deepEqual(seen, [], 'not before the delay');
    w.advance(1);
    assert.deepEqual(seen, [true]);
  });

  it('losing focus or visibility disarms at once and restarts the whole delay', () => {
    const w = fakeWindow();
    w.state.focused = true;
    const seen: boolean[] = [];
    armAfterFocus(w.win, (armed) => seen.push(armed), { timers: w.clock });
    w.advance(ARM_DELAY_MS);
    assert.deepEqual(seen, [true], 'focused from the start: armed after the delay');
    w.blur();
    assert.deepEqual(seen, [true, false]);
    w.focus();
    w.advance(ARM_DELAY_MS / 2);
    w.blur();
    w.focus();
    w.advance(ARM_DELAY_MS - 1);
    assert.deepEqual(seen, [true, false], 'a break in focus starts the wait again');
    w.advance(1);
    assert.deepEqual(seen, [true, false, true]);
    w.hide();
    assert.deepEqual(seen, [true, false, true, false]);
    w.show();
    w.advance(ARM_DELAY_MS);
    assert.deepEqual(seen, [true, false, true, false, true]);
  });

  it('a focus that is gone by the time the delay ends arms nothing; stop() disarms and detaches', () => {
    const w = fakeWindow();
    const seen: boolean[] = [];
    const stop = armAfterFocus(w.win, (armed) => seen.push(armed), { timers: w.clock });
    w.focus();
    w.state.focused = false; // lost without an event (e.g. another window raised over it)
    w.advance(ARM_DELAY_MS);
    assert.deepEqual(seen, []);
    w.focus();
    w.advance(ARM_DELAY_MS);
    stop();
    assert.deepEqual(seen, [true, false]);
    w.blur();
    w.focus();
    w.advance(ARM_DELAY_MS);
    assert.deepEqual(seen, [true, false]);
    assert.equal(w.pending(), 0);
  });
});
