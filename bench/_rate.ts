// Shared by the bench modules and the pages they run in Chromium: runtime-agnostic timing helpers.
// Figures are measurements, never pass/fail; each is printed next to an anchor from the same run.

export type Report = (name: string, value: number, unit: string) => void;

/**
 * Calls `step` (which does `per` operations) for about `budgetMs` after a short warm-up; ops/s.
 * @example const opsPerSecond = await rate(() => hpkeSeal(pub, plaintext, info));
 */
export async function rate(step: () => unknown, per = 1, budgetMs = 1000): Promise<number> {
  for (let i = 0; i < 3; i++) await step();
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    await step();
    done += per;
    elapsed = performance.now() - start;
  }
  return (done * 1000) / elapsed;
}

/**
 * The median of `runs` timings of `step`, in ms.
 * @example const ms = await medianMs(3, () => store.unlock(passphrase));
 */
export async function medianMs(runs: number, step: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await step();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
