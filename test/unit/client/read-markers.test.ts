// core/client/read-markers.ts: a room on screen is read up to its newest message and the marker
// goes to the gateway once per burst, never backwards; markers from the user's other devices make
// what is at or below them data (no notification, no unread count); unread counts follow them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadMarkers } from '../../../core/client/read-markers.ts';
import { notifies } from '../../../core/client/runtime/notify-decision.ts';
import type { StoredMessage } from '../../../core/client/types.ts';
import { received, sent } from './runtime-fakes.ts';

function harness(options: { listed?: [string, number][]; keep?: (seq: number) => number } = {}) {
  const sends: [string, number][] = [];
  const reads: [string, number][] = [];
  const errors: Error[] = [];
  let failing = false;
  const markers = new ReadMarkers({
    delayMs: 20,
    send: async (roomId, seq) => {
      if (failing) throw new Error('gateway away');
      sends.push([roomId, seq]);
      return options.keep ? options.keep(seq) : seq;
    },
    list: async () => new Map(options.listed ?? []),
    onRead: (roomId, seq) => reads.push([roomId, seq]),
    onError: (e) => errors.push(e),
  });
  return {
    markers,
    sends,
    reads,
    errors,
    fail: (on: boolean) => {
      failing = on;
    },
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const at = (message: StoredMessage, seq: number) => ({ ...message, seq }) as StoredMessage;

describe('ReadMarkers', () => {
  it('reads a room on screen up to its newest message, one marker per burst, never backwards', async () => {
    const { markers, sends, reads } = harness();
    markers.setView({ visible: true, focusedRoom: 'r1' });
    for (const seq of [3, 4, 5]) markers.received(at(received('r1', 'hi'), seq));
    markers.received(at(received('r2', 'elsewhere'), 6));
    assert.equal(markers.upTo('r1'), 5, 'read here at once');
    assert.equal(markers.upTo('r2'), 0, 'not on screen');
    await wait(60);
    assert.deepEqual(sends, [['r1', 5]], 'one marker for the burst');
    assert.deepEqual(reads.at(-1), ['r1', 5]);
    markers.shown('r1', 2); // an older page of history on screen
    await wait(40);
    assert.deepEqual(sends, [['r1', 5]], 'never backwards');
  });

  it('marks nothing read while the view is hidden or shows another room', async () => {
    const { markers, sends } = harness();
    markers.setView({ visible: false, focusedRoom: 'r1' });
    markers.received(at(received('r1', 'hi'), 3));
    markers.setView({ visible: true, focusedRoom: 'r2' });
    markers.received(at(received('r1', 'again'), 4));
    await wait(40);
    assert.equal(markers.upTo('r1'), 0);
    assert.deepEqual(sends, []);
    markers.setView({ visible: true, focusedRoom: 'r1' }); // back on screen: read up to the newest
    assert.equal(markers.upTo('r1'), 4);
    await wait(40);
    assert.deepEqual(sends, [['r1', 4]]);
  });

  it('makes what another device read data: marked read, not notified, not counted', () => {
    const { markers, reads } = harness();
    markers.setView({ visible: false, focusedRoom: null });
    assert.equal(markers.apply('r1', 10), true);
    assert.equal(markers.apply('r1', 8), false, 'never back');
    assert.deepEqual(reads, [['r1', 10]]);
    const old = markers.received(at(received('r1', 'seen on A'), 9));
    const fresh = markers.received(at(received('r1', 'new'), 11));
    assert.equal(old.status === 'received' && old.read, true);
    assert.equal(notifies(old), false, 'read elsewhere: data');
    assert.equal(notifies(fresh), true);
    assert.equal(markers.unread('r1'), 1);
  });

  it('counts unread what others sent above the marker while the room was not focused, and follows the marker', () => {
    const { markers } = harness();
    markers.setView({ visible: true, focusedRoom: 'r2' });
    for (const seq of [1, 2, 3, 4]) markers.received(at(received('r1', 'x'), seq));
    markers.received(at(sent('r1', 'mine'), 5));
    assert.equal(markers.unread('r1'), 4, 'own messages are not unread');
    markers.apply('r1', 2); // read up to 2 on another device
    assert.equal(markers.unread('r1'), 2);
    markers.setView({ visible: false, focusedRoom: 'r1' }); // focused, not visible: count resets here
    assert.equal(markers.unread('r1'), 0);
    assert.equal(markers.upTo('r1'), 2, 'but not read for the other devices');
    markers.received(at(received('r1', 'while focused'), 6));
    assert.equal(markers.unread('r1'), 0, 'the focused room counts nothing');
  });

  it('loads the markers the gateway keeps, and takes the higher one it answers with', async () => {
    const { markers, sends } = harness({
      listed: [
        ['r1', 7],
        ['r2', 3],
      ],
      keep: () => 12,
    });
    await markers.load();
    assert.equal(markers.upTo('r1'), 7);
    assert.equal(markers.upTo('r2'), 3);
    markers.setView({ visible: true, focusedRoom: 'r1' });
    markers.received(at(received('r1', 'x'), 9));
    await markers.flush();
    assert.deepEqual(sends, [['r1', 9]]);
    assert.equal(markers.upTo('r1'), 12, 'another device read further');
  });

  it('keeps a marker the gateway could not take and sends it after the next catch-up', async () => {
    const { markers, sends, errors, fail } = harness();
    fail(true);
    markers.setView({ visible: true, focusedRoom: 'r1' });
    markers.received(at(received('r1', 'x'), 4));
    await markers.flush();
    assert.equal(errors.length, 1);
    assert.deepEqual(sends, []);
    fail(false);
    await markers.load();
    await wait(20);
    assert.deepEqual(sends, [['r1', 4]]);
  });

  it('sends nothing and announces nothing once closed', async () => {
    const { markers, sends, reads } = harness();
    markers.close();
    markers.setView({ visible: true, focusedRoom: 'r1' });
    markers.received(at(received('r1', 'x'), 4));
    assert.equal(markers.apply('r2', 5), false);
    await wait(40);
    assert.deepEqual(sends, []);
    assert.deepEqual(reads, []);
  });
});
