// core/client/runtime/notified-window.ts: what was handed on (and notified) is remembered in the
// encrypted store, bounded per room and in rooms, survives a restart, and a catch-up read yields
// only what is new.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8 } from '../../../core/bytes.ts';
import { NotifiedWindow } from '../../../core/client/runtime/notified-window.ts';
import { EncryptedStore, MemoryBackend } from '../../../core/store/index.ts';
import { CHEAP } from '../store/suite.ts';
import { received, sent } from './runtime-fakes.ts';

const NAME = 'test/notified';
const store = () => EncryptedStore.create(new MemoryBackend(), 'window password', CHEAP);

describe('NotifiedWindow', () => {
  it('remembers handed-on and notified ids per room, and the highest sequence', () => {
    const window = NotifiedWindow.inMemory();
    assert.equal(window.mark('r1', 'a', { seq: 5 }), true);
    assert.equal(window.has('r1', 'a'), true);
    assert.equal(window.notified('r1', 'a'), false);
    assert.equal(window.has('r2', 'a'), false, 'per room');
    assert.equal(window.mark('r1', 'a', { notified: true }), true, 'now notified too');
    assert.equal(window.mark('r1', 'a', { notified: false }), false, 'notified stays notified');
    assert.equal(window.notified('r1', 'a'), true);
    assert.equal(window.seq('r1'), 5);
    window.advance('r1', 3);
    assert.equal(window.seq('r1'), 5, 'never back');
    window.advance('r1', 9);
    assert.equal(window.seq('r1'), 9);
  });

  it('is bounded: the oldest ids of a room, and the least recently active rooms, go first', () => {
    const window = NotifiedWindow.inMemory({ perRoom: 3, rooms: 2 });
    for (const id of ['a', 'b', 'c', 'd']) window.mark('r1', id);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((id) => window.has('r1', id)),
      [false, true, true, true],
    );
    window.mark('r2', 'x');
    window.mark('r1', 'e'); // r1 active again: r2 is now the least recent
    window.mark('r3', 'y');
    assert.equal(window.has('r2', 'x'), false);
    assert.equal(window.has('r1', 'e'), true);
    assert.equal(window.has('r3', 'y'), true);
  });

  it('survives a restart in the encrypted store; a damaged record is an empty window', async () => {
    const encrypted = await store();
    const first = await NotifiedWindow.load(encrypted, NAME);
    first.mark('r1', 'a', { notified: true, seq: 7 });
    first.mark('r1', 'b');
    await first.save();
    const second = await NotifiedWindow.load(encrypted, NAME);
    assert.equal(second.notified('r1', 'a'), true);
    assert.equal(second.has('r1', 'b'), true);
    assert.equal(second.notified('r1', 'b'), false);
    assert.equal(second.seq('r1'), 7);
    await encrypted.set(NAME, utf8('{not json'));
    const damaged = await NotifiedWindow.load(encrypted, NAME);
    assert.equal(damaged.has('r1', 'a'), false);
    await encrypted.set(NAME, utf8(JSON.stringify({ v: 1, rooms: [['r1', [['a', 7], 5], 'x']] })));
    const odd = await NotifiedWindow.load(encrypted, NAME);
    assert.equal(odd.has('r1', 'a'), false, 'entries of the wrong shape are dropped');
  });

  it('writes are coalesced: a burst of marks is a few writes, and the last one has everything', async () => {
    const encrypted = await store();
    let writes = 0;
    const counting = {
      get: (name: string) => encrypted.get(name),
      set: async (name: string, value: Uint8Array) => {
        writes++;
        await encrypted.set(name, value);
      },
    };
    const window = await NotifiedWindow.load(counting, NAME);
    for (let i = 0; i < 50; i++) window.mark('r1', `m${i}`);
    await window.save();
    assert.ok(writes <= 3, `${writes} writes`);
    const again = await NotifiedWindow.load(encrypted, NAME);
    assert.equal(again.has('r1', 'm49'), true);
  });

  it('catch-up: only new messages from others, stored since the opt-in, each notified once', () => {
    const window = NotifiedWindow.inMemory();
    const old = received('r1', 'before the opt-in', { storedAtMs: 10 });
    const mine = sent('r1', 'my own');
    const news = [received('r1', 'one'), received('r1', 'two')];
    const held = { ...received('r1', ''), status: 'held', reason: 'no key yet' } as never;
    const fresh = window.catchUp('r1', [old, mine, ...news, held], { notBeforeMs: 100 });
    assert.deepEqual(
      fresh.map((m) => m.text),
      ['one', 'two'],
    );
    assert.deepEqual(window.catchUp('r1', [old, mine, ...news]), [], 'nothing twice');
    const later = received('r1', 'three');
    assert.deepEqual(
      window.catchUp('r1', [...news, later]).map((m) => m.text),
      ['three'],
    );
    const fresh2 = NotifiedWindow.inMemory();
    fresh2.advance('r1', later.seq);
    assert.deepEqual(fresh2.catchUp('r1', [...news, later]), [], 'at or below the last sequence: seen');
  });
});
