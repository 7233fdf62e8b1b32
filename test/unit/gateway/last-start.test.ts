// startOfLast: where "the last N" of a room start in a shard stream it shares with other rooms,
// found with "first of the room at or after s" gets only (what STREAM.MSG.GET next_by_subj answers).
// The expectations of the consumer-counting search it replaces (room-layout.test.ts before S3) hold.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startOfLast } from '../../../gateway/last-start.ts';

/** A room's envelopes at these shard sequences; the get the stream leader answers, counted. */
function room(seqs: number[]) {
  let gets = 0;
  const next = async (from: number) => {
    gets++;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return seqs[lo];
  };
  return { next, gets: () => gets };
}

describe('startOfLast', () => {
  it('finds where the last N of a room start when other rooms fill the gaps', async () => {
    const { next } = room([3, 4, 10, 11, 40, 41, 42, 97, 150, 151]);
    assert.equal(await startOfLast(next, 1, 3, 200), 97);
    assert.equal(await startOfLast(next, 1, 1, 200), 151);
    assert.equal(await startOfLast(next, 1, 5, 151), 41);
    assert.equal(await startOfLast(next, 1, 9, 151), 4);
    // Never before `from` (the floor or where the reader stood).
    assert.equal(await startOfLast(next, 12, 9, 151), 12);
    // Fewer than asked for: all of them, from `from`.
    assert.equal(await startOfLast(next, 1, 50, 151), 1);
    // Envelopes stored after lastSeq (sent meanwhile) are not among "the last N" asked about.
    assert.equal(await startOfLast(next, 1, 2, 100), 42);
  });

  it('agrees with a plain count on random sparse rooms, in a few times N gets', async () => {
    for (let round = 0; round < 200; round++) {
      const lastSeq = 1 + Math.floor(Math.random() * 20_000);
      const seqs = [
        ...new Set(
          Array.from(
            { length: 1 + Math.floor(Math.random() * 400) },
            () => 1 + Math.floor(Math.random() * lastSeq),
          ),
        ),
      ].sort((a, b) => a - b);
      const last = 1 + Math.floor(Math.random() * seqs.length);
      const { next, gets } = room(seqs);
      const start = await startOfLast(next, 1, last, lastSeq);
      assert.equal(start, seqs[seqs.length - last], `round ${round}: the ${last}th last`);
      const bound = 3 * last + 40 * Math.ceil(Math.log2(lastSeq + 1));
      assert.ok(gets() <= bound, `round ${round}: ${gets()} gets for the last ${last} (bound ${bound})`);
    }
  });

  it('stays near N gets when a burst of the room sits in the newest window', async () => {
    // 5,000 envelopes of the room in a row at the end of a long shard: walking the whole first
    // window would cost 5,000 gets; the window is narrowed to its newer part instead.
    const seqs = [
      ...Array.from({ length: 50 }, (_, i) => 1 + i * 1000),
      ...Array.from({ length: 5000 }, (_, i) => 60_000 + i),
    ];
    const { next, gets } = room(seqs);
    assert.equal(await startOfLast(next, 1, 20, 64_999), 64_980);
    assert.ok(gets() < 400, `${gets()} gets`);
  });
});

describe('startOfLast budget', () => {
  it('bounds the gets of one search whatever the interleaving; past it, more than `last` follow, never fewer', async () => {
    // A room's history bunched far back, a few envelopes near the end: about 20·last gets unbounded.
    const seqs = [
      ...Array.from({ length: 100_000 }, (_, i) => i + 1),
      ...Array.from({ length: 50 }, (_, i) => 900_000 + i * 1000),
    ];
    const bunched = room(seqs);
    assert.equal(await startOfLast(bunched.next, 1, 100, 1_000_000), 99_951);
    assert.ok(bunched.gets() <= 24 * 100 + 256, `${bunched.gets()} gets`);
    // Hostile spreads cannot make it walk the stream: every other sequence, last 3000 of 500k.
    const dense = room(Array.from({ length: 250_000 }, (_, i) => 2 * i + 1));
    const start = await startOfLast(dense.next, 1, 3000, 500_000);
    assert.ok(dense.gets() <= 24 * 3000 + 256 + 1, `${dense.gets()} gets`);
    assert.ok(start <= 500_000 - 2 * 3000 + 1, 'at least the last 3000 follow');
  });
});
