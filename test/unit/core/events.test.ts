// core/events.ts: the one typed emitter (on returns the unsubscribe) and its DOM wrapper.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispatchAsDomEvents, TypedEmitter } from '../../../core/events.ts';

interface Events {
  count: number;
  name: string;
}

describe('TypedEmitter', () => {
  it('calls listeners in order until they unsubscribe', () => {
    const events = new TypedEmitter<Events>();
    const seen: string[] = [];
    const offA = events.on('count', (n) => seen.push(`a${n}`));
    events.on('count', (n) => seen.push(`b${n}`));
    events.on('name', (s) => seen.push(s));
    events.emit('count', 1);
    offA();
    offA(); // twice is harmless
    events.emit('count', 2);
    events.emit('name', 'x');
    assert.deepEqual(seen, ['a1', 'b1', 'b2', 'x']);
    assert.equal(events.has('count'), true);
    events.clear();
    assert.equal(events.has('count'), false);
  });

  it('one listener subscribed twice is two subscriptions, each with its own off', () => {
    const events = new TypedEmitter<Events>();
    let calls = 0;
    const listener = () => calls++;
    const off1 = events.on('count', listener);
    events.on('count', listener);
    events.emit('count', 0);
    off1();
    events.emit('count', 0);
    assert.equal(calls, 3);
  });

  it('a throwing listener does not keep the event from the others; its error is reported', () => {
    const errors: unknown[] = [];
    const events = new TypedEmitter<Events>({ onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    events.on('count', () => {
      throw new Error('boom');
    });
    events.on('count', (n) => seen.push(n));
    events.emit('count', 5);
    assert.deepEqual(seen, [5]);
    assert.equal((errors[0] as Error).message, 'boom');
  });

  it('a listener that unsubscribes another during emit does not skip or break the loop', () => {
    const events = new TypedEmitter<Events>();
    const seen: string[] = [];
    let offB = () => {};
    events.on('count', () => {
      seen.push('a');
      offB();
    });
    offB = events.on('count', () => seen.push('b'));
    events.emit('count', 1); // b was subscribed when the event started
    events.emit('count', 2);
    assert.deepEqual(seen, ['a', 'b', 'a']);
  });

  it('dispatchAsDomEvents re-dispatches as CustomEvents until stopped', () => {
    const events = new TypedEmitter<Events>();
    const target = new EventTarget();
    const details: unknown[] = [];
    target.addEventListener('name', (e) => details.push((e as CustomEvent).detail));
    const stop = dispatchAsDomEvents(events, target, ['name']);
    events.emit('name', 'alice');
    stop();
    events.emit('name', 'bob');
    assert.deepEqual(details, ['alice']);
  });
});
