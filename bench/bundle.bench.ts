// What a site pays for the one script tag, built as `npm run build` does (esbuild, minified,
// split): roomkey.js (elements + the client choice) loads at once; the in-page client (core, NATS)
// is a chunk fetched only when the extension is absent, and OPAQUE (WebAssembly) one fetched only
// when a sign-in or sign-up form is shown (a returning device that unlocks never needs it). Also the demo PWA's
// service worker (core's device connection and decryption, workbox; no OPAQUE).
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

type Report = (name: string, value: number, unit: string) => void;

export async function bench(report: Report): Promise<void> {
  const root = new URL('..', import.meta.url).pathname;
  const result = await build({
    entryPoints: { roomkey: `${root}components/script-tag.ts` },
    outdir: `${root}.cache/bench-bundle`,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const size = (name: RegExp) => {
    const file = result.outputFiles.find((f) => name.test(basename(f.path)))!;
    return { raw: file.contents.length / 1024, gzip: gzipSync(file.contents, { level: 9 }).length / 1024 };
  };
  const entry = size(/^roomkey\.js$/);
  const inPage = size(/^in-page-.*\.js$/);
  report('bundle.roomkey.js.raw', entry.raw, 'KiB');
  report('bundle.roomkey.js.gzip', entry.gzip, 'KiB');
  report('bundle.in-page-chunk.raw', inPage.raw, 'KiB');
  report('bundle.in-page-chunk.gzip', inPage.gzip, 'KiB');
  const opaque = size(/^opaque-.*\.js$/);
  report('bundle.opaque-chunk.raw', opaque.raw, 'KiB');
  report('bundle.opaque-chunk.gzip', opaque.gzip, 'KiB');

  const worker = await build({
    entryPoints: [`${root}sw/sw.ts`],
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify: true,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const sw = worker.outputFiles[0]!.contents;
  report('bundle.sw.js.raw', sw.length / 1024, 'KiB');
  report('bundle.sw.js.gzip', gzipSync(sw, { level: 9 }).length / 1024, 'KiB');
}
