// core/serial.ts: jobs one after another (a failure does not stop the next), one queue per key,
// and coalescing a burst of requests into the run in flight plus one more.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalesce, KeyedSerialQueue, SerialQueue } from '../../../core/serial.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('SerialQueue', () => {
  it('runs jobs one after another, in order, even when one fails', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const job =
      (name: string, fail = false) =>
      async () => {
        running++;
        assert.equal(running, 1, 'one at a time');
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        running--;
        if (fail) throw new Error(name);
        return name;
      };
    const a = queue.run(job('a'));
    const b = queue.run(job('b', true));
    const c = queue.run(job('c'));
    assert.equal(await a, 'a');
    await assert.rejects(b, /b/);
    assert.equal(await c, 'c');
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    await queue.idle();
  });

  it('a job that throws synchronously rejects its own promise only', async () => {
    const queue = new SerialQueue();
    const bad = queue.run(() => {
      throw new Error('sync');
    });
    await assert.rejects(bad, /sync/);
    assert.equal(await queue.run(() => 1), 1);
  });
});

describe('KeyedSerialQueue', () => {
  it('serializes per key and lets different keys run side by side', async () => {
    const queue = new KeyedSerialQueue<string>();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([queue.run('x', job('x1')), queue.run('y', job('y1')), queue.run('x', job('x2'))]);
    assert.ok(log.indexOf('end x1') < log.indexOf('start x2'));
    assert.ok(log.indexOf('start y1') < log.indexOf('end x1'), 'y did not wait for x');
  });
});

describe('coalesce', () => {
  it('a burst shares the run in flight and causes exactly one more', async () => {
    let runs = 0;
    const run = coalesce(async () => {
      runs++;
      await tick();
    });
    const first = run();
    const burst = [run(), run(), run()];
    assert.equal(burst[0], first, 'callers share the promise');
    await Promise.all([first, ...burst]);
    assert.equal(runs, 2);
    await run();
    assert.equal(runs, 3, 'a later call runs again');
  });

  it('a failing run ends the series with its error', async () => {
    const run = coalesce(async () => {
      await tick();
      throw new Error('down');
    });
    const a = run();
    const b = run();
    await assert.rejects(a, /down/);
    await assert.rejects(b, /down/);
  });
});
