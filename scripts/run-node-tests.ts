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
// Integration files that kill -9 brokers, cluster nodes and gateways wait on nats-server 2.9's
// leader elections and reconnects, and the push files on presence and wake timeouts in wall-clock
// time; the test does not control that timing on two shared cores. Like end-to-end files, they get
// a second attempt, printed as such (the faults and the assertions are unchanged).
const faultFile = (file: string) => /[\\/](cluster|fault|push|markers)-[^\\/]*\.test\.ts$/.test(file);
const retried = layer === 'e2e' ? files : layer === 'integration' ? files.filter(faultFile) : [];
const once = files.filter((f) => !retried.includes(f));
let failedFiles = 0;
if (once.length > 0) {
  const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...concurrency, ...once], {
    stdio: 'inherit',
    cwd: root,
  });
  if (result.status !== 0) failedFiles++;
}

// End-to-end files drive whole browsers against a whole stack; a file that fails is run again, up
// to ATTEMPTS times, and every retry is printed as such (with the failed attempt's output, its
// summary lines marked so they are not counted). A file passes only on a clean attempt.
const ATTEMPTS = 2;
for (const file of retried) {
  for (let attempt = 1; ; attempt++) {
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', file], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    if (run.status === 0 || attempt >= ATTEMPTS) {
      process.stdout.write(output);
      if (run.status !== 0) failedFiles++;
      else if (attempt > 1) console.log(`FLAKY: ${relative(root, file)} passed on attempt ${attempt}`);
      break;
    }
    process.stdout.write(output.replace(/^ℹ /gm, `(attempt ${attempt} failed) `));
    console.log(`RETRY: ${relative(root, file)} failed on attempt ${attempt}; running it again`);
  }
}
process.exit(failedFiles ? 1 : 0);
