// `npm run build`: the browser bundles that ship.
//  - dist/roomkey-core.js: core (crypto, room, store) as one ES module for pages and workers.
// Later targets (the one-script-tag components bundle, the extension via WXT) join this list.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const targets = [{ entry: 'core/index.ts', out: 'roomkey-core.js' }].filter((t) =>
  existsSync(join(root, t.entry)),
);

for (const target of targets) {
  const outfile = join(dist, target.out);
  await build({
    entryPoints: [join(root, target.entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const raw = statSync(outfile).size;
  const gz = gzipSync(readFileSync(outfile), { level: 9 }).length;
  console.log(`dist/${target.out}: ${(raw / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzipped`);
}
