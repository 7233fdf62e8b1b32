/**
 * Running async work in order, the one way core and the extension do it: a `SerialQueue` runs
 * jobs one after another (a failed job does not stop the next), a `KeyedSerialQueue` keeps one
 * such queue per key, and `coalesce` folds repeated requests into the run in flight plus at most
 * one more (a burst of reconnects, "save soon" calls).
 * @example const queue = new SerialQueue(); await queue.run(() => applyCommit(signed));
 */

/**
 * Jobs run one after another, each after the previous one settled (fulfilled or not).
 * @example const writes = new SerialQueue(); void writes.run(() => store.set(key, value));
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `job` after everything queued before it; resolves or rejects with its outcome. */
  run<T>(job: () => T | Promise<T>): Promise<T> {
    const start = () => job();
    const done = this.#tail.then(start, start);
    this.#tail = done.catch(() => undefined);
    return done;
  }

  /** Resolves once everything queued so far has settled. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}

/**
 * One SerialQueue per key (a storage location, a backend object); idle keys are forgotten.
 * @example await locks.run(dir, () => applyInOrder(backend, key, plan));
 */
export class KeyedSerialQueue<K> {
  readonly #tails = new Map<K, Promise<unknown>>();

  run<T>(key: K, job: () => T | Promise<T>): Promise<T> {
    const start = () => job();
    const done = (this.#tails.get(key) ?? Promise.resolve()).then(start, start);
    const tail = done.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return done;
  }
}

/**
 * `job` wrapped so that calls while it runs share that run and cause exactly one more run after
 * it (whatever they asked for is then seen); every caller's promise settles when the runs end.
 * A run that throws ends the series with that error.
 * @example const resync = coalesce(() => refreshRooms()); void resync(); void resync(); // two runs at most
 */
export function coalesce(job: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await job();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
}
