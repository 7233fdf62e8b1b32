// The pure parts of the per-room stream migration: old → new sequence translation, the check of
// a migration record read from KV, and the original stored time a copy's header may give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { legacyTimeOf, storedTimeOf } from '../../../core/transport/index.ts';
import { checkRuns, translateSeq } from '../../../gateway/legacy-rooms.ts';

const runs = [
  { legacyFrom: 1, newFrom: 40, count: 5 },
  { legacyFrom: 6, newFrom: 60, count: 3 },
];

test('an old position maps to the copy of the same message; before everything stays 0', () => {
  assert.equal(translateSeq(runs, 0), 0);
  assert.equal(translateSeq(runs, 1), 40);
  assert.equal(translateSeq(runs, 5), 44);
  assert.equal(translateSeq(runs, 6), 60);
  assert.equal(translateSeq(runs, 8), 62);
  // Past the old stream's end (it was sealed there): after the last copy.
  assert.equal(translateSeq(runs, 99), 62);
  assert.equal(translateSeq([], 7), 0);
});

test('a migration record must cover the old stream from 1 to its end, in order', () => {
  checkRuns(runs, 8);
  assert.throws(() => checkRuns(runs, 9), /reach its end/);
  assert.throws(() => checkRuns([{ legacyFrom: 2, newFrom: 5, count: 1 }], 2), /in order/);
  assert.throws(
    () =>
      checkRuns(
        [
          { legacyFrom: 1, newFrom: 50, count: 1 },
          { legacyFrom: 2, newFrom: 10, count: 1 },
        ],
        2,
      ),
    /in order/,
  );
});

test("a copy's original time is taken only when sane, and only at or below the copies' end", () => {
  assert.equal(legacyTimeOf('1700000000000', 1800000000000), 1700000000000);
  for (const bad of ['', '0', '-5', '1e12', ' 17', '017', '99999999999999999', '1800000000001']) {
    assert.equal(legacyTimeOf(bad, 1800000000000), undefined, bad);
  }
  const copy = { seq: 10, time: new Date(1800000000000), headers: { get: () => '1700000000000' } };
  assert.equal(storedTimeOf(copy, 10), 1700000000000);
  assert.equal(storedTimeOf(copy, 9), 1800000000000, 'above the copies a member may set any header');
  assert.equal(storedTimeOf(copy, 0), 1800000000000);
  assert.equal(storedTimeOf({ ...copy, headers: { get: () => '' } }, 10), 1800000000000);
  assert.equal(storedTimeOf({ seq: 1, time: new Date(5) }, 10), 5);
});
