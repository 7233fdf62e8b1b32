// core/client hidden-rooms.ts: hidden rooms in a real EncryptedStore (memory backend): kept across
// a re-open (a reload, or the extension's restarted background: the same class over the SDK's
// store), sealed at rest (no room id in any stored byte), bounded, and the record read as hostile
// input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8 } from '../../../core/bytes.ts';
import {
  HIDDEN_ROOMS_RECORD,
  HiddenRooms,
  MAX_HIDDEN_ROOMS,
  parseHiddenRooms,
} from '../../../core/client/hidden-rooms.ts';
import { MalformedError, TooLargeError } from '../../../core/errors.ts';
import { MemoryBackend } from '../../../core/store/memory-backend.ts';
import { EncryptedStore } from '../../../core/store/store.ts';

const PARAMS = { t: 1, mKib: 256, p: 1 };
const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('hidden rooms', () => {
  it('hide and show again, kept across a re-open, sealed at rest', async () => {
    const backend = new MemoryBackend();
    const store = await EncryptedStore.create(backend, 'password 1', PARAMS);
    const hidden = await HiddenRooms.open(store);
    assert.deepEqual(hidden.list(), []);
    assert.deepEqual(await hidden.set(A, true), [A]);
    assert.deepEqual(await hidden.set(B, true), [A, B]);
    assert.deepEqual(await hidden.set(A, true), [A, B], 'hiding twice changes nothing');
    const again = await HiddenRooms.open(store);
    assert.deepEqual(again.list(), [A, B]);
    assert.ok(again.has(B));
    for (const key of await backend.keys()) {
      const bytes = Buffer.from((await backend.get(key))!);
      assert.equal(bytes.indexOf(Buffer.from(A)), -1, `a room id is readable in ${key}`);
    }
    assert.deepEqual(await again.set(A, false), [B]);
    assert.deepEqual(await again.set(B, false), []);
    assert.equal(await store.get(HIDDEN_ROOMS_RECORD), undefined, 'no record once none is hidden');
  });

  it('refuses what is not a room id, and more than the limit', async () => {
    const store = await EncryptedStore.create(new MemoryBackend(), 'password 1', PARAMS);
    const hidden = await HiddenRooms.open(store);
    await assert.rejects(hidden.set('../etc', true), MalformedError);
    const many = Array.from({ length: MAX_HIDDEN_ROOMS }, (_, i) => i.toString(16).padStart(32, '0'));
    await store.set(HIDDEN_ROOMS_RECORD, utf8(JSON.stringify({ v: 1, rooms: many })));
    const full = await HiddenRooms.open(store);
    await assert.rejects(full.set(A, true), TooLargeError);
  });

  it('reads a damaged record as a MalformedError, never a guess', () => {
    const bad = [
      'not json',
      '[]',
      JSON.stringify({ v: 2, rooms: [] }),
      JSON.stringify({ v: 1, rooms: [A, A] }),
      JSON.stringify({ v: 1, rooms: ['nope'] }),
      JSON.stringify({ v: 1, rooms: [7] }),
      JSON.stringify({ v: 1, rooms: Array.from({ length: MAX_HIDDEN_ROOMS + 1 }, () => A) }),
    ];
    for (const text of bad)
      assert.throws(() => parseHiddenRooms(utf8(text)), MalformedError, text.slice(0, 40));
    assert.deepEqual(parseHiddenRooms(utf8(JSON.stringify({ v: 1, rooms: [A] }))), [A]);
  });
});
