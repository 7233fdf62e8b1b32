// Runs one layer of node:test suites (unit | integration | e2e): every test/<layer>/**/*.test.ts.
// A layer with no tests yet says so and passes, so `npm test` can call every layer from day one.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const layer = process.argv[2];
if (!layer || !['unit', 'integration', 'e2e'].includes(layer)) {
  console.error('usage: node scripts/run-node-tests.ts unit|integration|e2e [name-filter]');
  process.exit(2);
}
const filter = process.argv[3];
const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'test', layer);

function find(path: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = join(path, name);
    if (statSync(full).isDirectory()) return find(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const files = find(dir)
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.log(`${layer}: no tests yet`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}
console.log(`${layer}: ${files.length} files: ${files.map((f) => relative(root, f)).join(' ')}`);
// Integration and e2e suites each start their own servers and browsers: run files one at a time
// so two cores are not oversubscribed and timings stay meaningful.
const concurrency = layer === 'unit' ? [] : ['--test-concurrency=1'];
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...concurrency, ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, ROOMKEY_TEST_LAYER: layer },
});
process.exit(result.status ?? 1);
