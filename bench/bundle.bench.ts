// What a site pays for the one script tag: dist/roomkey.js as `npm run build` makes it
// (esbuild, minified), measured in memory so the bench needs no prior build.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

type Report = (name: string, value: number, unit: string) => void;

export async function bench(report: Report): Promise<void> {
  const root = new URL('..', import.meta.url).pathname;
  const result = await build({
    entryPoints: [`${root}components/script-tag.ts`],
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  report('bundle.roomkey.js.raw', code.length / 1024, 'KiB');
  report('bundle.roomkey.js.gzip', gzipSync(code, { level: 9 }).length / 1024, 'KiB');
}
