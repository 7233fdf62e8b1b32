// The ids a device sent lately in a room (core/client/sent-ids.ts), whose live echoes the room
// skips: exact membership by bytes or hex, the latest `generation` always kept, at most twice that,
// and the bytes each id costs (issue 13 §4: a client < 100 B per delivered message), measured
// beside the hex strings in a Set that room-handle.ts kept before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { toHex } from '../../../core/bytes.ts';
import { SentIds } from '../../../core/client/sent-ids.ts';
import { randomBytes } from '../../../core/crypto/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function ids(count: number): Uint8Array[] {
  return Array.from({ length: count }, () => randomBytes(16));
}

/** Heap + ArrayBuffers retained by what `build` returns, per item (bytes). */
function retainedPer(count: number, build: () => unknown): number {
  gc();
  const before = process.memoryUsage();
  const kept = build();
  gc();
  const after = process.memoryUsage();
  assert.ok(kept);
  return (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / count;
}

describe('SentIds', () => {
  it('finds a remembered id by its bytes or its hex, and nothing else', () => {
    const sent = new SentIds(8);
    const [a, b] = ids(2) as [Uint8Array, Uint8Array];
    sent.remember(toHex(a));
    assert.ok(sent.has(a));
    assert.ok(sent.has(toHex(a)));
    assert.ok(!sent.has(b));
    assert.ok(!sent.has(toHex(b)));
    assert.ok(!sent.has('not hex at all, 32 characters!!!'));
    assert.ok(!sent.has(a.subarray(0, 15)), 'a prefix of an id is not the id');
  });

  it('keeps the latest `generation` ids, forgets what is older than twice that', () => {
    const sent = new SentIds(100);
    const all = ids(450);
    const rotated = all.map((id) => sent.remember(id));
    assert.deepEqual(
      rotated.flatMap((r, i) => (r ? [i] : [])),
      [99, 199, 299, 399],
      'a new generation begins every 100 ids',
    );
    for (const id of all.slice(-150)) assert.ok(sent.has(id), 'the latest are remembered');
    for (const id of all.slice(0, 300)) assert.ok(!sent.has(id), 'the oldest are forgotten');
  });

  it('costs well under half the bytes per id of the hex strings in a Set it replaced', () => {
    const count = 4096;
    const bytes = ids(count);
    const compact = retainedPer(count, () => {
      const sent = new SentIds(count * 2);
      for (const id of bytes) sent.remember(id);
      return sent;
    });
    const hexSet = retainedPer(count, () => new Set(bytes.map((id) => toHex(id))));
    assert.ok(compact < 40, `SentIds keeps ${compact.toFixed(1)} B per id (≤ 40 expected)`);
    assert.ok(hexSet > 2 * compact, `a Set of hex strings kept ${hexSet.toFixed(1)} B per id`);
  });
});
