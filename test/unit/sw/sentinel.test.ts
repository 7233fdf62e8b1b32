import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encode } from '../../../core/codec.ts';
import { v1 } from '../../../proto/index.ts';
import { isWakeSentinel, wakeSentinelBytes } from '../../../sw/sentinel.ts';

describe('push sentinel', () => {
  it('is the two bytes of PushSentinel { version: 1 }', () => {
    assert.deepEqual([...wakeSentinelBytes()], [0x08, 0x01]);
    assert.ok(isWakeSentinel(wakeSentinelBytes()));
  });

  it('refuses empty, missing, other versions, extra fields and text', () => {
    assert.ok(!isWakeSentinel(null));
    assert.ok(!isWakeSentinel(undefined));
    assert.ok(!isWakeSentinel(new Uint8Array(0)));
    assert.ok(!isWakeSentinel(encode(v1.PushSentinel, { version: 0 })));
    assert.ok(!isWakeSentinel(encode(v1.PushSentinel, { version: 2 })));
    // An unknown field (2: "hi") riding along with a valid version.
    assert.ok(!isWakeSentinel(new Uint8Array([0x08, 0x01, 0x12, 0x02, 0x68, 0x69])));
    assert.ok(!isWakeSentinel(new TextEncoder().encode('{"room":"abc","text":"hello"}')));
    assert.ok(!isWakeSentinel(new Uint8Array(1024).fill(0x08)));
  });

  it('never throws, and accepts nothing but the canonical bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const expected = bytes.length === 2 && bytes[0] === 0x08 && bytes[1] === 0x01;
        assert.equal(isWakeSentinel(bytes), expected);
      }),
      { numRuns: 2000 },
    );
  });
});
