// core/client/runtime/key-state.ts: one state machine for every host; changes applied whole and
// announced in order; account operations one at a time; errors that say what to do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type KeyStateChange,
  KeyStateMachine,
  type KeyStateSnapshot,
} from '../../../core/client/runtime/key-state.ts';
import { ConflictError, LockedError, NotFoundError } from '../../../core/errors.ts';

const START: KeyStateSnapshot = { keys: 'signed-out', connection: 'offline', session: null };

describe('KeyStateMachine', () => {
  it('applies a change whole, then announces the fields that changed: session, keys, connection', () => {
    const heard: Array<[KeyStateChange[], KeyStateSnapshot]> = [];
    const machine = new KeyStateMachine(START, (state, changed) => heard.push([changed, state]));
    machine.set({ connection: 'online', keys: 'ready', session: { userId: 'u', username: 'alice' } });
    assert.deepEqual(heard[0]?.[0], ['session', 'keys', 'connection']);
    assert.equal(heard[0]?.[1].keys, 'ready');
    machine.set({ keys: 'ready' });
    assert.equal(heard.length, 1, 'no change, nothing announced');
    machine.set({ keys: 'signed-out', session: null });
    assert.deepEqual(heard[1]?.[0], ['session', 'keys']);
    assert.equal(heard[1]?.[1].keys, 'signed-out', 'whoever hears session: null finds keys signed out');
  });

  it('says what to do: sign in, unlock, or sign out first', () => {
    const machine = new KeyStateMachine(START, () => undefined);
    assert.throws(
      () => machine.requireReady(),
      (e: Error) => e instanceof NotFoundError && /sign in/.test(e.message),
    );
    machine.requireSignedOut();
    machine.set({ keys: 'locked' });
    assert.throws(
      () => machine.requireReady(),
      (e: Error) => e instanceof LockedError && /unlock/.test(e.message),
    );
    assert.throws(() => machine.requireSignedOut(), ConflictError);
    machine.set({ keys: 'ready' });
    machine.requireReady();
  });

  it('runs account operations one at a time, a failed one not stopping the next', async () => {
    const machine = new KeyStateMachine(START, () => undefined);
    const order: string[] = [];
    const slow = machine.run(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('unlock');
      throw new Error('wrong password');
    });
    const lock = machine.run(async () => {
      order.push('lock');
    });
    await assert.rejects(slow, /wrong password/);
    await lock;
    assert.deepEqual(order, ['unlock', 'lock']);
  });
});
