import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encode } from '../../../core/codec.ts';
import { v1 } from '../../../proto/index.ts';
import { isWakeSentinel, sentinelBytes, sentinelKind, wakeSentinelBytes } from '../../../sw/sentinel.ts';

/** The only payloads a worker acts on: the kindless version 1 (WAKE), WAKE and SYNC_READ. */
const CANONICAL: Array<[number[], 'wake' | 'sync-read']> = [
  [[0x08, 0x01], 'wake'],
  [[0x08, 0x01, 0x10, 0x01], 'wake'],
  [[0x08, 0x01, 0x10, 0x02], 'sync-read'],
];

describe('push sentinel', () => {
  it('is the two bytes of PushSentinel { version: 1 } without a kind, which means wake', () => {
    assert.deepEqual([...wakeSentinelBytes()], [0x08, 0x01]);
    assert.ok(isWakeSentinel(wakeSentinelBytes()));
    assert.equal(sentinelKind(wakeSentinelBytes()), 'wake');
  });

  it('is 4 bytes for every kind, so its size says nothing', () => {
    assert.deepEqual([...sentinelBytes('wake')], [0x08, 0x01, 0x10, 0x01]);
    assert.deepEqual([...sentinelBytes('sync-read')], [0x08, 0x01, 0x10, 0x02]);
    assert.equal(sentinelKind(sentinelBytes('wake')), 'wake');
    assert.equal(sentinelKind(sentinelBytes('sync-read')), 'sync-read');
    assert.ok(isWakeSentinel(sentinelBytes('wake')));
    assert.ok(!isWakeSentinel(sentinelBytes('sync-read')), 'sync-read wakes no notification');
  });

  it('refuses empty, missing, other versions, unknown kinds, extra fields and text', () => {
    assert.ok(!isWakeSentinel(null));
    assert.ok(!isWakeSentinel(undefined));
    assert.ok(!isWakeSentinel(new Uint8Array(0)));
    assert.ok(!isWakeSentinel(encode(v1.PushSentinel, { version: 0 })));
    assert.ok(!isWakeSentinel(encode(v1.PushSentinel, { version: 2 })));
    assert.equal(sentinelKind(encode(v1.PushSentinel, { version: 2, kind: 1 })), undefined);
    assert.equal(sentinelKind(new Uint8Array([0x08, 0x01, 0x10, 0x03])), undefined, 'unknown kind');
    assert.equal(sentinelKind(new Uint8Array([0x08, 0x01, 0x10, 0x00])), undefined, 'kind 0 written out');
    assert.equal(sentinelKind(new Uint8Array([0x10, 0x01, 0x08, 0x01])), undefined, 'fields reordered');
    // An unknown field (3: "hi") riding along with a valid version and kind.
    assert.equal(sentinelKind(new Uint8Array([0x08, 0x01, 0x10, 0x01, 0x1a, 0x02, 0x68, 0x69])), undefined);
    assert.ok(!isWakeSentinel(new Uint8Array([0x08, 0x01, 0x12, 0x02, 0x68, 0x69])));
    assert.ok(!isWakeSentinel(new TextEncoder().encode('{"room":"abc","text":"hello"}')));
    assert.ok(!isWakeSentinel(new Uint8Array(1024).fill(0x08)));
  });

  it('never throws, and acts on nothing but the canonical bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const match = CANONICAL.find(([b]) => b.length === bytes.length && b.every((x, i) => x === bytes[i]));
        assert.equal(sentinelKind(bytes), match?.[1]);
        assert.equal(isWakeSentinel(bytes), match?.[1] === 'wake');
      }),
      { numRuns: 2000 },
    );
    // Random bytes rarely hit a canonical form: each one, with one byte changed, is refused too.
    for (const [canonical] of CANONICAL)
      for (let i = 0; i < canonical.length; i++)
        for (let v = 0; v < 256; v++) {
          if (v === canonical[i]) continue;
          const bytes = new Uint8Array(canonical);
          bytes[i] = v;
          const match = CANONICAL.find(
            ([b]) => b.length === bytes.length && b.every((x, j) => x === bytes[j]),
          );
          assert.equal(sentinelKind(bytes), match?.[1], `${[...bytes]}`);
        }
  });
});
