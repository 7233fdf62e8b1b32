/**
 * Node-only build step (not part of the browser bundle): writes `<outdir>/custom-elements.json`
 * for the RoomKey elements with the Custom Elements Manifest analyzer and `cem.config.mjs`.
 * Runs the analyzer with this Node (not whatever `node` is first on PATH) and never touches
 * package.json.
 * @example writeCustomElementsManifest(root, 'dist'); // → '/…/dist/custom-elements.json'
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export function writeCustomElementsManifest(root: string, outdir = 'dist'): string {
  const cli = join(root, 'node_modules', '@custom-elements-manifest', 'analyzer', 'cem.js');
  const args = [cli, 'analyze', '--config', join('components', 'cem.config.mjs'), '--outdir', outdir];
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`custom elements manifest: cem exited with ${result.status ?? result.signal}`);
  }
  return join(root, outdir, 'custom-elements.json');
}
