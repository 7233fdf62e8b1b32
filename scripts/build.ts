// `npm run build`: what ships to browsers, in dist/.
//  - roomkey.js: the one-script-tag bundle (components/script-tag.ts): every element registered,
//    the client wired from the tag's data-gateway. One ES module, minified, with a source map.
//  - custom-elements.json: the elements' public API, for editors and docs.
//  - sw.js: the demo PWA's service worker (sw/sw.ts) with workbox-build's precache list of the
//    demo shell injected. It is built last: the list pins each file's revision, roomkey.js included.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { injectManifest } from 'workbox-build';
import { writeCustomElementsManifest } from '../components/manifest.ts';
import { BROWSER_ALIASES, BROWSER_STAND_INS, SW_STAND_INS, standInPlugin } from './browser-aliases.ts';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const scratch = join(root, '.cache', 'build');
mkdirSync(dist, { recursive: true });
mkdirSync(scratch, { recursive: true });

const common: BuildOptions = {
  bundle: true,
  alias: BROWSER_ALIASES,
  plugins: [standInPlugin(BROWSER_STAND_INS)],
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
};

/** The demo shell the service worker precaches, as files under the repository root. */
const SHELL = [
  'demo/*.{html,js,webmanifest}',
  'demo/icons/*.png',
  'dist/roomkey.js',
  'dist/verify-worker.js',
  'dist/chunks/*.js',
];

// Split: roomkey.js holds the elements and the client choice; the in-page client (core, NATS,
// OPAQUE) is a chunk loaded next to it only when the extension is absent. Still one script tag.
rmSync(join(dist, 'chunks'), { recursive: true, force: true });
await build({
  ...common,
  // verify-worker.js: the in-page client's signature verify workers (core/client/verify-pool.ts).
  entryPoints: {
    roomkey: join(root, 'components/script-tag.ts'),
    'verify-worker': join(root, 'core/client/verify-pool-worker.ts'),
  },
  outdir: dist,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
});

writeCustomElementsManifest(root, 'dist');

// A classic (non-module) worker: module service workers are still missing in some browsers.
const swSource = join(scratch, 'sw.js');
await build({
  ...common,
  entryPoints: [join(root, 'sw/sw.ts')],
  outfile: swSource,
  plugins: [standInPlugin(SW_STAND_INS)],
  format: 'iife',
  legalComments: 'eof', // the worker is served alone (at /sw.js), so its notices travel inside it
  // Workbox keeps its debug logging behind this; production drops it.
  define: { 'process.env.NODE_ENV': '"production"' },
});
const precache = await injectManifest({
  swSrc: swSource,
  swDest: join(dist, 'sw.js'),
  globDirectory: root,
  globPatterns: SHELL,
  // Files are served from the repo's demo/ at / and dist/ at /dist/ (gateway/dev.ts).
  modifyURLPrefix: { 'demo/': '/', 'dist/': '/dist/' },
});
for (const warning of precache.warnings) console.warn(`workbox: ${warning}`);
console.log(`dist/sw.js precaches ${precache.count} files (${(precache.size / 1024).toFixed(1)} KiB)`);

const chunks = readdirSync(join(dist, 'chunks')).filter((f) => f.endsWith('.js'));
for (const file of ['roomkey.js', ...chunks.map((c) => `chunks/${c}`), 'sw.js']) {
  const path = join(dist, file);
  const raw = statSync(path).size;
  const gz = gzipSync(readFileSync(path), { level: 9 }).length;
  console.log(`dist/${file}: ${(raw / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzipped`);
}
console.log('dist/custom-elements.json');

// The extension, for Chrome (MV3: .output/chrome-mv3) and Firefox (MV2 with a persistent background
// page, which can hold the one NATS connection: .output/firefox-mv2). WXT runs on this Node.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
for (const args of [['build'], ['build', '-b', 'firefox']]) {
  const wxt = spawnSync(join(root, 'node_modules', '.bin', 'wxt'), args, {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (wxt.status !== 0) {
    console.error(`wxt ${args.join(' ')} failed`);
    process.exit(1);
  }
}
console.log('.output/chrome-mv3, .output/firefox-mv2');
