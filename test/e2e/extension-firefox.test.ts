// Firefox: the MV2 build lints clean (web-ext lint, no errors), and in headless Firefox ESR
// (driven over WebDriver BiDi, the extension installed temporarily), against the real local stack
// (gateway + nats-server; the background page runs the real SDK), the user signs up in the
// extension's own sign-in window (which the page asks for), the bridge answers an approved
// origin, refuses an unapproved one with NotApprovedError, ignores forged messages, and a sealed
// room renders in a moz-extension iframe the host page cannot read. Skipped without firefox-esr.
// What cannot run here: Firefox's background page is persistent (no worker to stop), and BiDi
// does not reach the background page, so the notification probes of the Chromium tests are out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from './helpers/browser.ts';
import { repoRoot } from './helpers/build.ts';
import {
  buildFirefox,
  type ExtensionStack,
  FIREFOX,
  type FirefoxUser,
  launchFirefoxWithExtension,
  type Origins,
  startExtensionStack,
} from './helpers/extension.ts';

const STEP = { timeout: 60_000 };
const present = existsSync(FIREFOX);
type Outcome = { ok: unknown } | { error: string; code: string; message: string };

/** Starts `window.client[method](...args)` in the page; returns an id to collect the outcome with `settled`. */
const start = (method: string, ...args: unknown[]) => `(() => {
  window.client ??= new window.RK.ExtensionClient({ gateway: location.origin + '/' });
  const key = Math.random().toString(36).slice(2);
  (window.outcomes ??= {})[key] = window.client[${JSON.stringify(method)}](...${JSON.stringify(args)}).then(
    (ok) => ({ ok: ok ?? null }),
    (e) => ({ error: e.name, code: e.code, message: e.message }),
  );
  return key;
})()`;
const settled = (key: string) => `window.outcomes[${JSON.stringify(key)}]`;

describe('extension in Firefox', {
  timeout: 180_000,
  skip: present ? false : `${FIREFOX} is not installed`,
}, () => {
  let stack: ExtensionStack;
  let origins: Origins;
  let firefox: FirefoxUser;
  let app: string;
  let roomId: string;

  const run = async (context: string, method: string, ...args: unknown[]): Promise<Outcome> =>
    firefox.evaluate<Outcome>(
      context,
      settled(await firefox.evaluate<string>(context, start(method, ...args))),
    );

  before(async () => {
    stack = await startExtensionStack();
    origins = stack.origins;
    firefox = await launchFirefoxWithExtension(buildFirefox('e2e'));
  });

  after(async () => {
    await firefox?.close();
    await stack?.close();
  });

  it('the Firefox build (MV2) passes web-ext lint with no errors', STEP, () => {
    const dir = buildFirefox('production');
    const lint = spawnSync(
      join(repoRoot, 'node_modules', '.bin', 'web-ext'),
      ['lint', '--source-dir', dir, '--output', 'json'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const report = JSON.parse(lint.stdout) as { errors: { code: string }[]; summary: { errors: number } };
    assert.equal(report.summary.errors, 0, JSON.stringify(report.errors));
  });

  it('loads: the content script marks pages and answers hello', STEP, async () => {
    app = await firefox.open(`${origins.a}/`);
    assert.equal(
      await firefox.evaluate(app, `document.documentElement.getAttribute('data-roomkey-extension')`),
      '1',
    );
    assert.deepEqual(await firefox.evaluate(app, 'window.RK.detectExtension()'), { versions: [1] });
  });

  it('an approved origin: connect asks, then sign-up, rooms and messages work', STEP, async () => {
    const key = await firefox.evaluate<string>(app, start('connect'));
    assert.match(await firefox.answer('allow'), /wants to use RoomKey/);
    assert.deepEqual(await firefox.evaluate(app, settled(key)), {
      ok: { connection: 'offline', keys: 'signed-out', session: null },
    });
    // The password goes into the extension's own window, which the page may only ask for; the
    // page's gateway is offered there as a suggestion the user takes with a click.
    assert.deepEqual(await run(app, 'openSignIn'), { ok: null });
    const win = await waitFor(
      'the sign-in window',
      async () => (await firefox.contexts()).find((c) => c.url.includes('/sign-in.html'))?.context,
    );
    // "Use this server" takes clicks once the window has been in front for a moment (focus-arm.ts).
    await waitFor('the sign-in form, armed', () =>
      firefox.evaluate<boolean>(
        win,
        `document.querySelector('#sign-in #use-suggestion')?.disabled === false`,
      ),
    );
    await firefox.evaluate(
      win,
      `(() => {
        const form = document.querySelector('#sign-in');
        form.querySelector('#use-suggestion').click();
        form.elements.username.value = 'alice';
        form.elements.password.value = 'correct horse battery staple';
        form.querySelector('button[value=signUp]').click();
        return form.elements.gateway.value;
      })()`,
    );
    await waitFor(
      'alice signed in',
      () => firefox.evaluate<boolean>(app, `window.client.session?.username === 'alice'`),
      30_000,
    );
    roomId = ((await run(app, 'createRoom', 'Fox')) as { ok: { roomId: string } }).ok.roomId;
    await run(app, 'send', roomId, 'hello from Firefox');
    const history = (await run(app, 'history', roomId)) as { ok: { text: string }[] };
    assert.deepEqual(
      history.ok.map((m) => m.text),
      ['hello from Firefox'],
    );
  });

  it('an unapproved origin gets NotApprovedError; forged messages get nothing', STEP, async () => {
    const evil = await firefox.open(`${origins.b}/`);
    for (const method of ['listRooms', 'signOut']) {
      assert.deepEqual(((await run(evil, method)) as { error: string }).error, 'NotApprovedError', method);
    }
    const history = (await run(evil, 'history', roomId)) as { error: string; code: string };
    assert.equal(history.error, 'NotApprovedError');
    const key = await firefox.evaluate<string>(evil, start('connect'));
    await firefox.answer('deny');
    assert.equal(
      ((await firefox.evaluate(evil, settled(key))) as { error: string }).error,
      'NotApprovedError',
    );
    const replies = await firefox.evaluate<{ id: string; kind: string; error?: { code: string } }[]>(
      evil,
      `new Promise((resolve) => {
        const got = [];
        addEventListener('message', (e) => { if (e.data?.from === 'extension') got.push(e.data); });
        const base = { channel: 'roomkey-bridge', version: 1, from: 'page', method: 'listRooms', params: {} };
        postMessage({ ...base, id: 'spoof', origin: ${JSON.stringify(origins.a)} }, '*');
        postMessage({ ...base, id: 'chan', channel: 'roomkey' }, '*');
        setTimeout(() => resolve(got), 800);
      })`,
    );
    assert.deepEqual(
      replies.map((r) => [r.id, r.kind, r.error?.code]),
      [['spoof', 'error', 'malformed']],
    );
  });

  it('sealed mode: the room renders in a moz-extension iframe the host page cannot read', STEP, async () => {
    const asked = await firefox.evaluate<string>(app, start('sealedRoomUrl', roomId));
    // The room was created on this site, so it is already approved for read (which covers sealed).
    const url = ((await firefox.evaluate(app, settled(asked))) as { ok: string }).ok;
    assert.match(url, /^moz-extension:\/\/[0-9a-f-]+\/sealed-room\.html\?room=/);
    await firefox.evaluate(
      app,
      `(() => { const f = document.createElement('iframe'); f.id = 'sealed'; f.src = ${JSON.stringify(url)};
        f.style.cssText = 'width:600px;height:500px'; document.body.append(f); return null; })()`,
    );
    const frame = await waitFor('the sealed frame', async () => {
      const top = (await firefox.contexts()).find((c) => c.context === app);
      return top?.children?.find((c) => c.url.startsWith('moz-extension://'))?.context;
    });
    await waitFor('the message inside the sealed room', () =>
      firefox.evaluate<boolean>(
        frame,
        `document.querySelector('roomkey-room')?.shadowRoot?.textContent?.includes('hello from Firefox') ?? false`,
      ),
    );
    assert.equal(await firefox.evaluate(app, `document.querySelector('#sealed').contentDocument`), null);
  });
});
