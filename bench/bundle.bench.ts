// What a site pays for the one script tag, built as `npm run build` does (esbuild, minified,
// split): roomkey.js (elements + the client choice) loads at once; the in-page client (core, NATS)
// is a chunk fetched only when the extension is absent, and OPAQUE (WebAssembly) one fetched only
// when a sign-in or sign-up form is shown (a returning device that unlocks never needs it). Also the demo PWA's
// service worker (core's device connection and decryption, workbox; no OPAQUE).
// Beside each total, the ten largest inputs of the in-page chunk and of sw.js from esbuild's
// metafile (minified bytes in that output, grouped by package or top two folders), so a size
// change can be traced to what caused it (issue 19).
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import {
  BROWSER_ALIASES,
  BROWSER_STAND_INS,
  SW_STAND_INS,
  standInPlugin,
} from '../scripts/browser-aliases.ts';

type Report = (name: string, value: number, unit: string) => void;

const TOP_INPUTS = 10;

/**
 * Names the group an esbuild input belongs to: its npm package, or its first two folders.
 * @example inputGroup('node_modules/@nats-io/nats-core/lib/core.js') // '@nats-io/nats-core'
 */
export function inputGroup(path: string): string {
  const parts = path.replace(/^.*?:/, '').split('/');
  const modules = parts.lastIndexOf('node_modules');
  if (modules >= 0) {
    const name = parts[modules + 1] ?? '?';
    return name.startsWith('@') ? `${name}/${parts[modules + 2] ?? '?'}` : name;
  }
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * The largest input groups over several output files, biggest first, in KiB of minified output.
 * @example largestInputs(result.metafile, ['out/sw.js'], 10)
 */
export function largestInputs(metafile: Metafile, outputs: string[], count: number): Array<[string, number]> {
  const groups = new Map<string, number>();
  for (const output of outputs) {
    for (const [path, { bytesInOutput }] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
      const group = inputGroup(path);
      groups.set(group, (groups.get(group) ?? 0) + bytesInOutput);
    }
  }
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([group, bytes]) => [group, bytes / 1024]);
}

function outputKey(metafile: Metafile, file: RegExp): string {
  const key = Object.keys(metafile.outputs).find((path) => file.test(basename(path)));
  if (!key) throw new Error(`bench: no output matching ${file} in the metafile`);
  return key;
}

/** An output and every chunk it imports statically, transitively (what loading it fetches). */
function staticClosure(metafile: Metafile, output: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && imported.path in metafile.outputs) visit(imported.path);
    }
  };
  visit(output);
  return seen;
}

export async function bench(report: Report): Promise<void> {
  const root = new URL('..', import.meta.url).pathname;
  const result = await build({
    entryPoints: { roomkey: `${root}components/script-tag.ts` },
    outdir: `${root}.cache/bench-bundle`,
    bundle: true,
    alias: BROWSER_ALIASES,
    plugins: [standInPlugin(BROWSER_STAND_INS)],
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  // Each file is gzipped on its own: the browser fetches (and the server compresses) them apart.
  const sizeOf = (paths: Iterable<string>) => {
    let raw = 0;
    let gzip = 0;
    for (const path of paths) {
      const file = result.outputFiles.find((f) =>
        f.path.endsWith(path.replace(/^\.cache\/bench-bundle/, '')),
      )!;
      raw += file.contents.length / 1024;
      gzip += gzipSync(file.contents, { level: 9 }).length / 1024;
    }
    return { raw, gzip };
  };
  const size = (name: RegExp) => sizeOf([outputKey(result.metafile, name)]);
  const entryKey = outputKey(result.metafile, /^roomkey\.js$/);
  const entry = sizeOf(staticClosure(result.metafile, entryKey));
  // The in-page client: its chunk and the shared chunks it imports that roomkey.js has not loaded.
  const atStart = staticClosure(result.metafile, entryKey);
  const inPageFiles = [
    ...staticClosure(result.metafile, outputKey(result.metafile, /^in-page-.*\.js$/)),
  ].filter((path) => !atStart.has(path));
  const inPage = sizeOf(inPageFiles);
  report('bundle.roomkey.js.raw', entry.raw, 'KiB');
  report('bundle.roomkey.js.gzip', entry.gzip, 'KiB');
  report('bundle.in-page-chunk.raw', inPage.raw, 'KiB');
  report('bundle.in-page-chunk.gzip', inPage.gzip, 'KiB');
  for (const [group, kib] of largestInputs(result.metafile, inPageFiles, TOP_INPUTS)) {
    report(`bundle.in-page-chunk.input.${group}`, kib, 'KiB raw');
  }
  const opaque = size(/^opaque-.*\.js$/);
  report('bundle.opaque-chunk.raw', opaque.raw, 'KiB');
  report('bundle.opaque-chunk.gzip', opaque.gzip, 'KiB');
  // Everything else fetched only on demand (OPAQUE, Argon2 in WebAssembly, jsQR, the extension
  // client, lazy paths of the in-page client), so nothing moved out of the rows above is hidden.
  const inPageSet = new Set(inPageFiles);
  const onDemand = Object.keys(result.metafile.outputs).filter(
    (path) => path.endsWith('.js') && !atStart.has(path) && !inPageSet.has(path),
  );
  const later = sizeOf(onDemand);
  report('bundle.on-demand-chunks.count', onDemand.length, 'files');
  report('bundle.on-demand-chunks.raw', later.raw, 'KiB');
  report('bundle.on-demand-chunks.gzip', later.gzip, 'KiB');

  const worker = await build({
    entryPoints: [`${root}sw/sw.ts`],
    outfile: `${root}.cache/bench-bundle/sw.js`,
    plugins: [standInPlugin(SW_STAND_INS)],
    bundle: true,
    alias: BROWSER_ALIASES,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const sw = worker.outputFiles[0]!.contents;
  report('bundle.sw.js.raw', sw.length / 1024, 'KiB');
  report('bundle.sw.js.gzip', gzipSync(sw, { level: 9 }).length / 1024, 'KiB');
  for (const [group, kib] of largestInputs(
    worker.metafile,
    [outputKey(worker.metafile, /^sw\.js$/)],
    TOP_INPUTS,
  )) {
    report(`bundle.sw.js.input.${group}`, kib, 'KiB raw');
  }
}
