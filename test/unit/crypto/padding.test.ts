import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeMessageContent, encodeMessageContent, paddedLength } from '../../../core/crypto/index.ts';
import { MalformedError } from '../../../core/errors.ts';
import { v1 } from '../../../proto/index.ts';

test('buckets: 256-byte steps up to 4 KiB, then powers of two', () => {
  const table: Array<[number, number]> = [
    [0, 256],
    [1, 256],
    [256, 256],
    [257, 512],
    [4095, 4096],
    [4096, 4096],
    [4097, 8192],
    [8193, 16384],
    [70000, 131072],
  ];
  for (const [n, padded] of table) assert.equal(paddedLength(n), padded, `paddedLength(${n})`);
  assert.throws(() => paddedLength(-1), MalformedError);
});

test('every encoded content fills its bucket exactly and decodes back', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 9000, unit: 'binary' }),
      fc.uint8Array({ maxLength: 20 }),
      (text, replyTo) => {
        const bytes = encodeMessageContent({ text, replyTo });
        assert.equal(bytes.length, paddedLength(bytes.length));
        assert.ok(bytes.length >= paddedLength(new TextEncoder().encode(text).length));
        const back = decodeMessageContent(bytes);
        assert.equal(back.text, text);
        assert.deepEqual([...back.replyTo], [...replyTo]);
      },
    ),
    { numRuns: 500 },
  );
});

test('sizes one byte short of a bucket (no room for the padding field) move to the next bucket', () => {
  // A text whose bare encoding is 255 bytes: tag (1) + length (2) + 252 bytes.
  const bytes = encodeMessageContent({ text: 'x'.repeat(252) });
  assert.equal(bytes.length, 512);
  assert.equal(decodeMessageContent(bytes).text.length, 252);
});

test('garbage is MalformedError', () => {
  assert.throws(() => decodeMessageContent(new Uint8Array([0x0a, 0x09, 0x41])), MalformedError);
  assert.throws(() => decodeMessageContent(new Uint8Array([0x0a, 0x01, 0xff])), MalformedError); // bad UTF-8
  assert.throws(() => encodeMessageContent({ text: 5 as never }), MalformedError);
});

const id = (n: number) => new Uint8Array(16).fill(n);

test('message actions round-trip: edit, delete, react, unreact, and a reply', () => {
  const cases = [
    { action: 'edit', target: id(1), text: 'fixed typo' },
    { action: 'delete', target: id(2) },
    { action: 'react', target: id(3), reaction: '👍🏽' },
    { action: 'unreact', target: id(3), reaction: '🇫🇷' },
    { action: 'post', text: 'yes', replyTo: id(4) },
  ] as const;
  for (const input of cases) {
    const bytes = encodeMessageContent(input);
    assert.equal(bytes.length, paddedLength(bytes.length));
    const back = decodeMessageContent(bytes);
    assert.equal(back.action, input.action);
    assert.equal(back.text, 'text' in input ? input.text : '');
    assert.equal(back.reaction, 'reaction' in input ? input.reaction : '');
    assert.deepEqual([...back.target], 'target' in input ? [...input.target] : []);
  }
  // A post decodes as before the actions existed.
  assert.equal(decodeMessageContent(encodeMessageContent({ text: 'hi' })).action, 'post');
});

test('an action without the fields it needs, or with ones it must not have, is MalformedError both ways', () => {
  const bad = [
    { action: 'edit', target: id(1), text: '' }, // an edit carries text
    { action: 'edit', target: new Uint8Array(3), text: 'x' }, // target is a message id
    { action: 'delete', target: id(1), text: 'still here' }, // a delete carries none
    { action: 'react', target: id(1), reaction: 'ok' }, // not an emoji
    { action: 'react', target: id(1), reaction: '👍👍' }, // two of them
    { action: 'react', target: id(1), reaction: '👍', text: 'and words' },
    { action: 'react', target: id(1) }, // no reaction
    { action: 'post', text: 'x', target: id(1) }, // a post has no target
    { action: 'post', text: 'x', reaction: '👍' },
    { action: 'delete', target: id(1), replyTo: id(2) },
    { action: 'shout' as never, target: id(1) },
  ];
  for (const input of bad)
    assert.throws(() => encodeMessageContent(input as never), MalformedError, JSON.stringify(input));
  // The same shapes, written without the encoder's checks, are refused by the decoder.
  for (const fields of [
    { text: '', action: 1, target: id(1) },
    { text: 'x', action: 2, target: id(1) },
    { text: '', action: 3, target: id(1), reaction: 'a'.repeat(40) },
    { text: '', action: 9, target: id(1) },
    { text: 'x', target: id(1) },
  ]) {
    const bytes = v1.MessageContent.encode(fields).finish();
    assert.throws(() => decodeMessageContent(bytes), MalformedError, JSON.stringify(fields));
  }
});
