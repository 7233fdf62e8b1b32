// The README's script tag on a page of another site: the page is served from http://localhost:<p>
// by a server of its own, the bundle and the configuration come from the local stack at
// http://127.0.0.1:<q> (another origin and another site). The elements register, a new user signs
// up, creates a room that opens beside the list (`<roomkey-rooms for>`) and writes in it; a page
// whose data-gateway leads to no RoomKey configuration says so in the elements and the console.
// Then the demo page itself: its two-line introduction, the extension offered (none installed),
// a page that does not grow with the history, and the 390 px layout.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations } from './helpers/a11y.ts';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { SLOW, send, shown, signUp } from './helpers/components.ts';
import { type RunningDevStack, startDevStack } from './helpers/dev-stack.ts';
import { snap } from './helpers/screenshots.ts';

const ELEMENTS = ['roomkey-sign-in', 'roomkey-rooms', 'roomkey-room', 'roomkey-app'];
const STEP = { timeout: 60_000 };

/** The README's embedding, on a page of its own: `src` and `data-gateway` as a site would write them. */
function hostPage(bundle: string, gateway: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A site that embeds RoomKey</title>
<script type="module" src="${bundle}" data-gateway="${gateway}"></script>
<style>body{margin:0;font:1rem system-ui}h1{margin:0;padding:0 1rem;font-size:1.25rem}main{display:grid;grid-template-columns:18rem 1fr;gap:1rem;height:calc(100vh - 2rem);padding:1rem;box-sizing:border-box}</style>
</head><body><header><h1>A site with rooms</h1></header><main>
<div><roomkey-sign-in></roomkey-sign-in><nav aria-label="Rooms"><roomkey-rooms for="room"></roomkey-rooms></nav></div>
<roomkey-room id="room"></roomkey-room>
</main></body></html>`;
}

describe('embedding from another origin', { timeout: 180_000 }, () => {
  let stack: RunningDevStack;
  let site: Server;
  let siteUrl: string;
  let carol: BrowserUser;
  let page: Page;
  const consoleLines: string[] = [];

  before(async () => {
    ensureBuilt();
    stack = await startDevStack();
    const bundle = `${stack.urls.web}dist/roomkey.js`;
    site = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const html = { 'Content-Type': 'text/html; charset=utf-8' };
      if (path === '/') res.writeHead(200, html).end(hostPage(bundle, stack.urls.web));
      // data-gateway names this site, whose /broken/roomkey-config.json is an HTML page.
      else if (path === '/broken/') res.writeHead(200, html).end(hostPage(bundle, `${siteUrl}broken/`));
      else if (path === '/broken/roomkey-config.json')
        res.writeHead(200, { ...html, 'Access-Control-Allow-Origin': '*' }).end('<h1>Welcome</h1>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
    // localhost, not 127.0.0.1: another site than the stack's, not just another port.
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/`;
    carol = await launchUser('carol');
    page = await carol.page();
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  });

  after(async () => {
    await carol?.close();
    await new Promise<void>((done) => (site ? site.close(() => done()) : done()));
    await stack?.dispose();
  });

  it('the bundle loads from the other origin and every element registers', STEP, async () => {
    assert.notEqual(new URL(siteUrl).origin, stack.origin);
    const bundle = page.waitForResponse((r) => r.url().endsWith('/dist/roomkey.js'));
    await page.goto(siteUrl);
    assert.equal((await bundle).headers()['access-control-allow-origin'], '*');
    await waitFor(
      'the elements registered',
      () => page.evaluate((tags) => tags.every((t) => customElements.get(t)), ELEMENTS),
      15_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; console:\n${consoleLines.join('\n')}`);
    });
    // The configuration: the page reads it with a plain GET, no credentials (no preflight, no cookies)…
    const keys = await page.evaluate(async (url) => {
      const response = await fetch(url, { credentials: 'omit' });
      return Object.keys(await response.json()).sort();
    }, stack.urls.config);
    assert.deepEqual(
      keys.filter(
        (k) => !['version', 'natsWebSocketUrl', 'loginJwt', 'vapidPublicKey', 'dohUrl'].includes(k),
      ),
      [],
      'the configuration holds only what every client may know',
    );
    // …and the server allows any origin, never with credentials (CORS headers are not visible to the page).
    const answer = await fetch(stack.urls.config, { headers: { Origin: new URL(siteUrl).origin } });
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    assert.equal(answer.headers.get('access-control-allow-credentials'), null);
    await page.locator('roomkey-sign-in #username').waitFor();
    await snap(page, 'embed-sign-in');
  });

  it('a new user signs up, creates a room that opens beside the list, and writes in it', STEP, async () => {
    await signUp(page, siteUrl, 'carol', 'embed-passphrase-1');
    await page.locator('roomkey-rooms button[part=create-button]').click();
    await page.locator('roomkey-rooms #room-name').fill('Garden club');
    await page.locator('roomkey-rooms button[part=submit]').click();
    await waitFor(
      'the room open beside the list',
      async () => (await page.locator('roomkey-room h2').textContent())?.trim() === 'Garden club',
      SLOW,
    );
    await snap(page, 'embed-room-list');
    await send(page, 'Hello from another site');
    await send(page, 'The tomatoes are in');
    assert.equal(await axeViolations(page), '', 'no axe violations on the embedding page');
    await snap(page, 'embed-room-messages');
  });

  it(
    'a data-gateway without a RoomKey configuration is named in the elements and the console',
    STEP,
    async () => {
      consoleLines.length = 0;
      const other = await carol.page();
      const lines: string[] = [];
      other.on('console', (message) => lines.push(message.text()));
      await other.goto(`${siteUrl}broken/`);
      await waitFor(
        'the sign-in says RoomKey could not start',
        async () =>
          /RoomKey could not start: .*RoomKey's settings/.test(await shown(other, 'roomkey-sign-in')),
        15_000,
      );
      const said = await shown(other, 'roomkey-sign-in');
      assert.ok(said.includes(`${siteUrl}broken/roomkey-config.json`), said);
      assert.ok(said.includes('data-gateway'), 'it says what to check');
      assert.ok(
        lines.some((l) => l.startsWith('RoomKey: could not connect:')),
        `console: ${lines.join('\n')}`,
      );
      await snap(other, 'embed-broken-config');
      await other.close();
    },
  );

  it(
    'the demo says what RoomKey is, offers the extension, and does not grow with history, also at 390 px',
    STEP,
    async () => {
      const demo = await carol.page();
      await signUp(demo, stack.urls.web, 'dave', 'demo-passphrase-1');
      assert.match((await demo.locator('.intro').textContent()) ?? '', /end-to-end encrypted/);
      await demo.locator('#get-extension summary').waitFor({ state: 'visible' });
      await demo.locator('roomkey-rooms button[part=create-button]').click();
      await demo.locator('roomkey-rooms #room-name').fill('Long talk');
      await demo.locator('roomkey-rooms button[part=submit]').click();
      await demo.locator('roomkey-room textarea[part=composer-input]').waitFor();
      const pageHeight = () => demo.evaluate(() => document.scrollingElement!.scrollHeight);
      const before = await pageHeight();
      for (let i = 1; i <= 8; i++) await send(demo, `Message ${i}: ${'a few more words '.repeat(20).trim()}`);
      assert.equal(await pageHeight(), before, 'the page is as tall with eight long messages as with none');
      const overflows = await demo.evaluate(() => {
        const history = document.querySelector('roomkey-room')!.shadowRoot!.querySelector('[part=history]')!;
        return history.scrollHeight > history.clientHeight;
      });
      assert.ok(overflows, 'the history scrolls inside the room');
      await snap(demo, 'demo-room');
      await demo.setViewportSize({ width: 390, height: 844 });
      const phone = await demo.evaluate(() => {
        const root = document.scrollingElement!;
        const room = document.querySelector('roomkey-room')!;
        const send = room.shadowRoot!.querySelector('[part=send]')!.getBoundingClientRect();
        const box = room.getBoundingClientRect();
        return {
          scrollWidth: root.scrollWidth,
          width: root.clientWidth,
          sendRight: send.right,
          inRoom: send.bottom <= box.bottom,
        };
      });
      assert.ok(phone.scrollWidth <= phone.width, `no sideways scroll at 390 px (${phone.scrollWidth})`);
      assert.ok(phone.sendRight <= 390 && phone.inRoom, 'Send fits and stays in the room');
      await snap(demo, 'demo-room-390');
      await demo.close();
    },
  );
});
