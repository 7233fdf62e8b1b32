// core/client outbox.ts: the outbox in a real EncryptedStore (memory backend): kept across a
// re-open, encrypted (its text in no stored byte), bounded, and its record read as hostile input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8 } from '../../../core/bytes.ts';
import { MAX_MESSAGE_BYTES } from '../../../core/client/message-size.ts';
import { MAX_OUTBOX, OUTBOX_RECORD, Outbox, parseOutbox } from '../../../core/client/outbox.ts';
import { MalformedError, TooLargeError } from '../../../core/errors.ts';
import { MemoryBackend } from '../../../core/store/memory-backend.ts';
import { EncryptedStore } from '../../../core/store/store.ts';

const PARAMS = { t: 1, mKib: 256, p: 1 };

async function openStore() {
  const backend = new MemoryBackend();
  const store = await EncryptedStore.create(backend, 'password 1', PARAMS);
  return { backend, store };
}

describe('outbox store', () => {
  it('keeps messages across a re-open, encrypted at rest, each with its own message id', async () => {
    const { backend, store } = await openStore();
    const outbox = await Outbox.open(store);
    const a = await outbox.add('room-a', 'first secret words', 1000);
    const b = await outbox.add('room-b', 'second', 2000);
    assert.match(a.messageId, /^[0-9a-f]{32}$/);
    assert.notEqual(a.messageId, b.messageId);
    await outbox.failed(a.messageId, 'offline');
    const again = await Outbox.open(store);
    assert.deepEqual(again.list('room-a'), [{ ...a, reason: 'offline' }]);
    assert.deepEqual(
      again.list().map((e) => e.messageId),
      [a.messageId, b.messageId],
    );
    for (const key of await backend.keys()) {
      const bytes = Buffer.from((await backend.get(key))!);
      assert.equal(bytes.indexOf(Buffer.from('secret words')), -1, `the text is readable in ${key}`);
    }
    assert.equal(await again.remove(a.messageId), true);
    assert.equal(await again.remove(b.messageId), true);
    assert.equal(await store.get(OUTBOX_RECORD), undefined, 'an empty outbox leaves no record');
  });

  it('refuses a message over the size limit and more than MAX_OUTBOX waiting', async () => {
    const { store } = await openStore();
    const outbox = await Outbox.open(store);
    await assert.rejects(outbox.add('r', 'x'.repeat(MAX_MESSAGE_BYTES + 1)), TooLargeError);
    for (let i = 0; i < MAX_OUTBOX; i++) await outbox.add('r', `m${i}`);
    await assert.rejects(
      outbox.add('r', 'one more'),
      (e: Error) => e instanceof TooLargeError && /100 messages/.test(e.message),
    );
  });

  it('a damaged record is a MalformedError, never a guess', () => {
    const entry = { messageId: 'ab'.repeat(16), roomId: 'r', text: 'hi', writtenAtMs: 1 };
    const bad: unknown[] = [
      'not json',
      null,
      [],
      { v: 2, entries: [] },
      { v: 1 },
      { v: 1, entries: [null] },
      { v: 1, entries: [{ ...entry, messageId: 'AB'.repeat(16) }] },
      { v: 1, entries: [{ ...entry, messageId: 'ab' }] },
      { v: 1, entries: [{ ...entry, roomId: '' }] },
      { v: 1, entries: [{ ...entry, roomId: 'r'.repeat(201) }] },
      { v: 1, entries: [{ ...entry, text: 7 }] },
      { v: 1, entries: [{ ...entry, text: 'x'.repeat(MAX_MESSAGE_BYTES + 1) }] },
      { v: 1, entries: [{ ...entry, writtenAtMs: -1 }] },
      { v: 1, entries: [{ ...entry, writtenAtMs: 1.5 }] },
      { v: 1, entries: [{ ...entry, reason: 5 }] },
      { v: 1, entries: [entry, entry] },
      {
        v: 1,
        entries: Array.from({ length: MAX_OUTBOX + 1 }, (_, i) => ({
          ...entry,
          messageId: i.toString(16).padStart(32, '0'),
        })),
      },
    ];
    for (const value of bad) {
      const bytes = utf8(typeof value === 'string' ? value : JSON.stringify(value));
      assert.throws(() => parseOutbox(bytes), MalformedError, JSON.stringify(value)?.slice(0, 80));
    }
    assert.deepEqual(parseOutbox(utf8(JSON.stringify({ v: 1, entries: [entry] }))), [entry]);
  });
});
