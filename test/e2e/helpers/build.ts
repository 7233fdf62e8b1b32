// Builds dist/ (roomkey.js, sw.js, custom-elements.json) once per test process, with this Node:
// the local stack serves dist/ as it is, so an e2e test must never run against a stale bundle.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = new URL('../../..', import.meta.url).pathname;
let built = false;

/** Runs scripts/build.ts (a few seconds) unless this process already did. */
export function ensureBuilt(): void {
  if (built) return;
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.ts')], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `npm run build failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  built = true;
}
