import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeMessageContent, encodeMessageContent, paddedLength } from '../../../core/crypto/index.ts';
import { MalformedError } from '../../../core/errors.ts';

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
