// core/dns in Debian's Chromium against the local DoH server (test/helpers/doh-server.ts): the
// resolver bundled by esbuild as a site's bundler would, loaded by a page on another loopback port
// (so every DoH request is cross-origin: CORS, a preflight for POST), resolving over GET and POST,
// and refusing a hostile answer with the same typed error as in Node. Here rather than in
// test/browser: @web/test-runner's shared config starts no server a page could ask.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { startDohServer, type TestDohServer } from '../helpers/doh-server.ts';
import { type BrowserUser, launchUser } from './helpers/browser.ts';
import { repoRoot } from './helpers/build.ts';

type Outcome = { addresses?: string[]; error?: { name: string; code: string; message: string } };

/** Runs one resolve in the page; errors come back as their name, code and message. */
function resolveInPage(page: Page, url: string, name: string, type: 'A' | 'AAAA', method: 'GET' | 'POST') {
  return page.evaluate(
    async ({ url, name, type, method }) => {
      const dns = (globalThis as unknown as { roomkeyDns: typeof import('../../core/dns/index.ts') })
        .roomkeyDns;
      try {
        return { addresses: (await new dns.DohResolver({ url, method }).resolve(name, type)).addresses };
      } catch (e) {
        const error = e as Error & { code?: string };
        return { error: { name: error.name, code: error.code ?? '', message: error.message } };
      }
    },
    { url, name, type, method },
  ) as Promise<Outcome>;
}

describe('core/dns in Chromium', { timeout: 120_000 }, () => {
  let doh: TestDohServer;
  let site: Server;
  let browser: BrowserUser;
  let page: Page;

  before(async () => {
    doh = await startDohServer({
      zone: {
        records: [
          { name: 'gw.test', type: 'A', data: '192.0.2.10' },
          { name: 'gw.test', type: 'AAAA', data: '2001:db8::10' },
          { name: 'www.test', type: 'CNAME', data: 'gw.test' },
        ],
        soa: { zone: 'test', ttl: 300, minimum: 60 },
      },
    });
    const bundle = await build({
      stdin: {
        contents: "import * as dns from './core/dns/index.ts'; globalThis.roomkeyDns = dns;",
        resolveDir: repoRoot,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      write: false,
      logLevel: 'warning',
    });
    const script = bundle.outputFiles[0]!.contents;
    site = createServer((req, res) => {
      if (req.url === '/dns.js')
        return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>core/dns</title><script type="module" src="/dns.js"></script>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    browser = await launchUser('dns');
    page = await browser.page();
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'roomkeyDns' in globalThis);
  });

  after(async () => {
    await browser?.close();
    site?.closeAllConnections();
    await new Promise((resolve) => site?.close(resolve));
    await doh?.close();
  });

  it('resolves A over GET and AAAA over POST, cross-origin, with padded queries', async () => {
    assert.deepEqual(await resolveInPage(page, doh.url, 'gw.test', 'A', 'GET'), {
      addresses: ['192.0.2.10'],
    });
    assert.deepEqual(await resolveInPage(page, doh.url, 'www.test', 'AAAA', 'POST'), {
      addresses: ['2001:db8::10'],
    });
    assert.deepEqual(
      doh.requests.map((r) => [r.method, r.name, r.type, r.queryBytes % 128]),
      [
        ['GET', 'gw.test', 'A', 0],
        ['POST', 'www.test', 'AAAA', 0],
      ],
    );
    for (const request of doh.requests) {
      assert.match(request.userAgent ?? '', /Chrome/, 'asked by Chromium');
      assert.equal(request.origin, page.url().replace(/\/$/, ''), 'from the page, another origin');
    }
  });

  it('says NXDOMAIN with NameNotFoundError and refuses a hostile answer as in Node', async () => {
    const missing = await resolveInPage(page, doh.url, 'missing.test', 'A', 'GET');
    assert.equal(missing.error?.name, 'NameNotFoundError');
    assert.equal(missing.error?.code, 'not-found');
    doh.behave({ mode: 'lie', lie: 'truncated' });
    const cut = await resolveInPage(page, doh.url, 'gw.test', 'A', 'POST');
    assert.equal(cut.error?.name, 'MalformedError');
    assert.match(cut.error?.message ?? '', /cut off|runs past the end/);
    doh.behave({ mode: 'lie', lie: 'oversized' });
    assert.equal((await resolveInPage(page, doh.url, 'gw.test', 'A', 'GET')).error?.name, 'TooLargeError');
  });
});
