// core/live-marks.ts: the latency breakdown's stamps are taken only when a bench put an array at
// globalThis.roomkeyLiveMarks, and carry a stage name and a time, nothing else.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { liveMark } from '../../../core/live-marks.ts';

const g = globalThis as { roomkeyLiveMarks?: unknown };

describe('liveMark', () => {
  afterEach(() => {
    delete g.roomkeyLiveMarks;
  });

  it('records nothing unless a bench asked for stamps', () => {
    liveMark('in');
    assert.equal(g.roomkeyLiveMarks, undefined);
    g.roomkeyLiveMarks = 'not an array';
    liveMark('in');
    assert.equal(g.roomkeyLiveMarks, 'not an array');
  });

  it('records the stage and the time, in order', () => {
    const sink: unknown[] = [];
    g.roomkeyLiveMarks = sink;
    const before = performance.now();
    liveMark('in');
    liveMark('opened');
    assert.equal(sink.length, 4);
    assert.deepEqual([sink[0], sink[2]], ['in', 'opened']);
    assert.ok((sink[1] as number) >= before && (sink[3] as number) >= (sink[1] as number));
  });
});
