// The crypto figures in Chromium (Debian's, headless), where issue 19's targets are set: HPKE seal and
// open of 1 KB on WebCrypto X25519 and on noble, and store unlock with the production Argon2id costs
// in WebAssembly, the 1,000-member rotation and the primitive ceiling per core beside a room's
// receiveMany, each next to its anchor measured in the same page (_hpke-figures.ts,
// _unlock-figures.ts, _rotation-figures.ts, _ceiling-figures.ts). The page is bundled with esbuild and served from 127.0.0.1 (a secure context,
// so WebCrypto is there). Rows are prefixed `chromium.`. Starts and stops its own server and browser.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { launchUser } from '../test/e2e/helpers/browser.ts';
import type { Report } from './_rate.ts';

const PAGE_TIMEOUT_MS = 180_000;

/**
 * Reports every row of _chromium-page.ts with the prefix `chromium.`.
 * @example await bench(report);
 */
export async function bench(report: Report): Promise<void> {
  const bundle = await build({
    entryPoints: [new URL('_chromium-page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.contents;
  const html =
    '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="/bench.js"></script>';
  const server = createServer((request, response) => {
    if (request.url === '/bench.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const user = await launchUser('bench-crypto');
  try {
    const page = await user.page();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    // ROOMKEY_BENCH_ROWS=hpke,unlock: only those figure modules (also rotation, ceiling).
    const only = process.env['ROOMKEY_BENCH_ROWS'];
    await page.goto(`http://127.0.0.1:${port}/${only ? `?only=${encodeURIComponent(only)}` : ''}`);
    await page.waitForFunction(() => 'roomkeyBench' in globalThis);
    const rows = await page.evaluate(() =>
      (globalThis as unknown as { roomkeyBench(): Promise<Array<[string, number, string]>> }).roomkeyBench(),
    );
    for (const [name, value, unit] of rows) report(`chromium.${name}`, value, `${unit}, in Chromium`);
  } finally {
    await user.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
