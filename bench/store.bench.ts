/**
 * Encrypted store figures: unlock time with the production Argon2id defaults next to its anchor
 * (_unlock-figures.ts; Chromium's figure: crypto-chromium.bench.ts), and set/get ops/s of 1 KB
 * values on the memory backend. About 8 s in all.
 * @example await bench((name, value, unit) => console.log(`bench ${name} ${value} ${unit}`));
 */
import { randomBytes } from '@noble/ciphers/utils.js';
import { DEFAULT_ARGON2_PARAMS, EncryptedStore, MemoryBackend } from '../core/store/index.ts';
import { unlockFigures } from './_unlock-figures.ts';

const PASSPHRASE = 'bench passphrase';
const UNLOCK_RUNS = 3;
const OPS_BUDGET_MS = 1000;

async function opsPerSecond(op: (i: number) => Promise<unknown>): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < OPS_BUDGET_MS) {
    for (let k = 0; k < 100; k++) await op(n++);
    elapsed = performance.now() - start;
  }
  return Math.round((n / elapsed) * 1000);
}

/**
 * Reports `store-unlock-default` (median ms) with its Argon2id anchor, `store-set-1kb` and
 * `store-get-1kb` (ops/s).
 * @example await bench(report);
 */
export async function bench(report: (name: string, value: number, unit: string) => void): Promise<void> {
  await unlockFigures(report, UNLOCK_RUNS);
  const backend = new MemoryBackend();
  const created = await EncryptedStore.create(backend, PASSPHRASE, DEFAULT_ARGON2_PARAMS);

  const value = randomBytes(1024);
  const keys = 1000;
  report('store-set-1kb', await opsPerSecond((i) => created.set(`key-${i % keys}`, value)), 'ops/s');
  report('store-get-1kb', await opsPerSecond((i) => created.get(`key-${i % keys}`)), 'ops/s');
  created.lock();
}

if (import.meta.main) {
  await bench((name, value, unit) => console.log(`bench ${name} ${value} ${unit}`));
}
