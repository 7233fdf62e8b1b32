// Prints set/get throughput of the encrypted store (1 KB values) on the memory and file backends,
// with 100 and 1,000 records already stored: what the rollback manifest costs per write.
// Not a test (prints figures, never fails on time). Run: node test/unit/store/measure-throughput.ts

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '@noble/ciphers/utils.js';
import { FileBackend } from '../../../core/store/file-backend.ts';
import { EncryptedStore, MemoryBackend, type StoreBackend } from '../../../core/store/index.ts';
import { CHEAP } from './suite.ts';

const BUDGET_MS = Number(process.env['BUDGET_MS'] ?? 1500);

async function rate(op: (i: number) => Promise<unknown>, batch = 1): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < BUDGET_MS) {
    if (batch === 1) await op(n++);
    else await Promise.all(Array.from({ length: batch }, () => op(n++)));
    elapsed = performance.now() - start;
  }
  return Math.round((n / elapsed) * 1000);
}

async function measure(label: string, backend: StoreBackend, records: number): Promise<void> {
  const store = await EncryptedStore.create(backend, 'measure', CHEAP);
  const value = randomBytes(1024);
  for (let i = 0; i < records; i++) await store.set(`room/${i}`, value);
  const set = await rate((i) => store.set(`room/${i % records}`, value));
  const setConcurrent = await rate((i) => store.set(`room/${i % records}`, value), 32);
  const get = await rate((i) => store.get(`room/${i % records}`));
  const unlockStart = performance.now();
  const again = await EncryptedStore.open(backend);
  await again.unlock('measure');
  const unlockMs = performance.now() - unlockStart;
  console.log(
    `${label.padEnd(7)} ${String(records).padStart(5)} records: set ${set} ops/s, set ×32 concurrent ${setConcurrent} ops/s, get ${get} ops/s, open+unlock (cheap Argon2) ${unlockMs.toFixed(1)} ms`,
  );
}

const root = await mkdtemp(join(tmpdir(), 'roomkey-measure-'));
try {
  for (const records of [100, 1000]) {
    await measure('memory', new MemoryBackend(), records);
    await measure('file', await FileBackend.open(join(root, `s${records}`)), records);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
