// Browser layer: bundle each test/browser/**/*.test.ts with esbuild (TypeScript, JSON vectors and
// CommonJS dependencies such as protobufjs handled the way a site's bundler would), then run the
// bundles in real Chromium with @web/test-runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const testDir = join(root, 'test', 'browser');
const outDir = join(root, '.cache', 'browser-tests');

function find(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    if (statSync(full).isDirectory()) return find(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

function findWorkers(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    if (statSync(full).isDirectory()) return findWorkers(full);
    return name.endsWith('.worker.ts') ? [full] : [];
  });
}

const filter = process.argv[2];
const entries = find(testDir)
  .filter((f) => !filter || f.includes(filter))
  .sort();
// Worker scripts the tests start (`*.worker.ts`), bundled beside them.
const workers = findWorkers(testDir);
rmSync(outDir, { recursive: true, force: true });
if (entries.length === 0) {
  console.log('browser: no tests yet');
  console.log('0 passed, 0 failed');
  process.exit(0);
}
console.log(`browser: ${entries.length} files: ${entries.map((f) => relative(root, f)).join(' ')}`);
await build({
  entryPoints: [...entries, ...workers],
  outdir: outDir,
  outbase: testDir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'chrome120',
  sourcemap: 'inline',
  logLevel: 'warning',
  define: { 'process.env.CI': JSON.stringify(process.env.CI ?? '') },
});
const result = spawnSync(
  join(root, 'node_modules', '.bin', 'wtr'),
  ['--config', join(testDir, 'wtr.config.js')],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);
