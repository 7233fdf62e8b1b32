/**
 * Where "the last N" of a room's envelopes start in its shard stream, found with message gets only.
 * Other rooms' messages are interleaved in a shard, so a room's sequences are sparse and cannot be
 * counted back from the end, and in 2.9 only a consumer counts a subject from a sequence on; but a
 * consumer may be placed on a dead cluster node and never answer. A get for "the first of the
 * room's envelopes at or after s" is answered by the stream's leader, so the search walks windows
 * back from the end: each window is read forward, a window with too little is followed by one twice
 * as wide further back, and one with far more than needed is narrowed to its newer half.
 */

/** The first of the room's envelope sequences at or after `seq`, or undefined when there is none. */
export type NextEnvelope = (seq: number) => Promise<number | undefined>;

/**
 * The most gets one search makes: LAST_SEARCH_GETS_PER_ITEM·`last` + LAST_SEARCH_SLACK_GETS. A
 * member chooses `last` (the cursor caps it), so a request costs the stream leader a bounded number
 * of gets whatever the interleaving; measured worst cases here (a room's history bunched far back)
 * take about 20·`last` (one narrowing per halving of a million sequences). Past the budget the
 * search settles for the window it stands in: the reader gets more than `last`, never fewer.
 */
export const LAST_SEARCH_GETS_PER_ITEM = 24;
export const LAST_SEARCH_SLACK_GETS = 256;

/** More than this many times what is still needed in one window: look at its newer half instead. */
const OVERFLOW_FACTOR = 2;
const OVERFLOW_SLACK = 16;

/**
 * The sequence of the `last`-th newest of the room's envelopes in [from, lastSeq], or `from` when
 * there are fewer: a start from which exactly the last `last` follow (up to lastSeq). About `last`
 * to 3·`last` gets when the room's messages are spread evenly; never more than a few times `last`
 * per halving of a window.
 * @example await startOfLast(async (s) => [3, 9, 12].find((x) => x >= s), 1, 2, 20) // 9
 */
export async function startOfLast(
  next: NextEnvelope,
  from: number,
  last: number,
  lastSeq: number,
): Promise<number> {
  const floor = Math.max(1, from);
  if (last <= 0) return lastSeq + 1;
  let hi = lastSeq + 1; // everything at hi or later is already counted in `newer`
  let newer = 0;
  let width = Math.max(1, last);
  let budget = LAST_SEARCH_GETS_PER_ITEM * last + LAST_SEARCH_SLACK_GETS;
  while (hi > floor) {
    const lo = Math.max(floor, hi - width);
    const need = last - newer;
    const cap = OVERFLOW_FACTOR * need + OVERFLOW_SLACK;
    const seqs: number[] = [];
    let overflow = false;
    for (let seq = lo; ; ) {
      if (budget-- <= 0) return lo;
      const found = await next(seq);
      if (found === undefined || found >= hi) break;
      if (found < seq) throw new RangeError(`next(${seq}) went back to ${found}`);
      seqs.push(found);
      if (seqs.length > cap) {
        overflow = true;
        break;
      }
      seq = found + 1;
    }
    if (overflow) {
      // Enough is in this window, but walking all of it could cost far more than `last` gets.
      width = Math.max(1, Math.floor((hi - lo) / 2));
      continue;
    }
    if (seqs.length >= need) return seqs[seqs.length - need]!;
    newer += seqs.length;
    hi = lo;
    width *= 2;
  }
  return floor;
}
