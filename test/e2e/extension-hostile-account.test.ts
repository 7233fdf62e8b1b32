// Issue 11, points 1 and 2: with the extension installed, a page the user approved (hostile, or
// XSS on a good site) never sees a password and never controls the account. Against the real
// local stack (gateway + nats-server) in Debian's Chromium: the page cannot sign the user out,
// cannot sign the extension in to another account or gateway (login CSRF), cannot use `unlock`
// as a password oracle, and its <roomkey-sign-in> shows no password field, only a button that asks
// the extension to open its own window (one at a time), where the password is typed. Every window
// message the page received is checked for the password. Mallory (the attacker) has a real account.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { SIGN_IN_QUIET_MS } from '../../extension/lib/sign-in-window.ts';
import { waitFor } from './helpers/browser.ts';
import {
  ACCOUNT_MS,
  type CallResult,
  call,
  type ExtensionStack,
  type ExtensionUser,
  enterInPopup,
  inBackground,
  launchWithExtension,
  type Origins,
  openApproved,
  pageBundle,
  signInWindow,
  signOutInPopup,
  startExtensionStack,
  value,
} from './helpers/extension.ts';

const STEP = { timeout: 90_000 };
const PASSWORD = 'alice: correct horse battery staple';
const MALLORY_PASSWORD = 'mallory owns this account';

interface Probe {
  roomkeyE2E: {
    account: { state: { keys: string; gateway: string | null; session: { username: string } | null } };
  };
}

/** The page's call was refused because only the extension's own UI may do that. */
function extensionOnly(result: CallResult, what: string): void {
  assert.equal(result.ok, false, `${what}: expected a refusal, got ${JSON.stringify(result)}`);
  const { name, code, message } = result as { name: string; code: string; message: string };
  assert.equal(code, 'forbidden', `${what}: ${name} ${message}`);
  assert.equal(name, 'ExtensionOnlyError', `${what}: ${message}`);
  assert.match(message, /RoomKey extension/, what);
}

/** Posts one raw bridge request in the page (as hostile script would) and returns the reply. */
async function forge(page: Page, id: string, method: string, params: unknown): Promise<unknown> {
  return page.evaluate(
    ({ id, method, params }) =>
      new Promise((resolve) => {
        const listen = (e: MessageEvent) => {
          const d = e.data as { from?: string; id?: string } | null;
          if (d?.from !== 'extension' || d.id !== id) return;
          window.removeEventListener('message', listen);
          resolve(d);
        };
        window.addEventListener('message', listen);
        window.postMessage({ channel: 'roomkey-bridge', version: 1, from: 'page', id, method, params }, '*');
        setTimeout(() => resolve('no reply'), 5_000);
      }),
    { id, method, params },
  );
}

function refusedOnTheWire(reply: unknown, what: string): void {
  const r = reply as { kind?: string; error?: { code: string; extensionOnly?: boolean } };
  assert.equal(r.kind, 'error', `${what}: ${JSON.stringify(reply)}`);
  assert.equal(r.error?.code, 'forbidden', `${what}: ${JSON.stringify(reply)}`);
  assert.equal(r.error?.extensionOnly, true, `${what}: ${JSON.stringify(reply)}`);
}

describe('extension: an approved hostile page and the account', { timeout: 360_000 }, () => {
  let stack: ExtensionStack;
  let origins: Origins;
  let alice: ExtensionUser;
  let evil: Page;
  /** The attacker's gateway: the hostile origin serves a deployment config too. */
  let evilGateway: string;
  let aliceGateway: string;

  const account = () =>
    inBackground(alice, () => (globalThis as unknown as Probe).roomkeyE2E.account.state, null);

  before(async () => {
    stack = await startExtensionStack();
    origins = stack.origins;
    aliceGateway = `${origins.a}/`;
    evilGateway = `${origins.b}/`;
    [alice] = await Promise.all([
      launchWithExtension('alice-hostile-account'),
      stack.nodeUser('mallory', MALLORY_PASSWORD),
    ]);
    // Alice signs up where a password belongs: the extension's own page.
    await enterInPopup(alice, 'signUp', aliceGateway, 'alice', PASSWORD);
    // She approves a site that turns out to be hostile.
    evil = await openApproved(alice, `${origins.b}/?title=hostile`);
  });

  after(async () => {
    await alice?.close();
    await stack?.close();
  });

  it('cannot sign the user out (which would wipe her keys)', STEP, async () => {
    assert.equal((await account()).keys, 'ready');
    extensionOnly(await call(evil, 'signOut'), 'signOut');
    refusedOnTheWire(await forge(evil, 'out1', 'signOut', {}), 'a forged signOut');
    const state = await account();
    assert.equal(state.keys, 'ready', 'still signed in');
    assert.equal(state.session?.username, 'alice');
  });

  it('cannot sign the extension in to another account or gateway (login CSRF)', STEP, async () => {
    // While Alice is signed in…
    extensionOnly(await call(evil, 'signIn', 'mallory', MALLORY_PASSWORD), 'signIn');
    refusedOnTheWire(
      await forge(evil, 'in1', 'signIn', {
        gateway: evilGateway,
        username: 'mallory',
        password: MALLORY_PASSWORD,
      }),
      'a forged signIn with its own gateway',
    );
    // …and after she signed out in the extension: the page still cannot put her in Mallory's account.
    await signOutInPopup(alice);
    assert.equal((await account()).keys, 'signed-out');
    // Sign-out forgets every approval; she approves the site again.
    const connecting = call(evil, 'connect');
    await alice.answer('allow');
    value(await connecting);
    extensionOnly(await call(evil, 'signIn', 'mallory', MALLORY_PASSWORD), 'signIn when signed out');
    extensionOnly(await call(evil, 'signUp', 'alice2', MALLORY_PASSWORD), 'signUp when signed out');
    refusedOnTheWire(
      await forge(evil, 'in2', 'signIn', {
        gateway: evilGateway,
        username: 'mallory',
        password: MALLORY_PASSWORD,
      }),
      'a forged signIn when signed out',
    );
    refusedOnTheWire(
      await forge(evil, 'up2', 'signUp', {
        gateway: evilGateway,
        username: 'victim',
        password: MALLORY_PASSWORD,
      }),
      'a forged signUp when signed out',
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      { keys: (await account()).keys, gateway: (await account()).gateway },
      { keys: 'signed-out', gateway: null },
      'nobody is signed in',
    );

    // The page may only ask the extension to show its sign-in window; its gateway is a suggestion.
    value(await call(evil, 'openSignIn'));
    const win = await signInWindow(alice);
    const suggestion = (await win.locator('#suggestion').textContent()) ?? '';
    assert.match(suggestion, new RegExp(`${origins.b}.*${evilGateway}`), 'says which site suggests what');
    assert.equal(
      await win.locator('input[name=gateway]').inputValue(),
      aliceGateway,
      'the server field keeps the server the extension used, not the site’s',
    );
    await win.locator('input[name=username]').fill('alice');
    await win.locator('input[name=password]').fill(PASSWORD);
    const closed = win.waitForEvent('close', { timeout: ACCOUNT_MS });
    await win.locator('button[value=signIn]').click();
    await closed;
    const state = await account();
    assert.deepEqual(
      { keys: state.keys, user: state.session?.username, gateway: state.gateway },
      { keys: 'ready', user: 'alice', gateway: aliceGateway },
    );
  });

  it(
    'cannot obtain a password: no field in the page, no unlock oracle, the window is the extension’s',
    STEP,
    async () => {
      value(await call(evil, 'lock')); // allowed: it only takes access away
      await waitFor('locked', async () => (await account()).keys === 'locked');

      // The unlock oracle: a wrong and a right password get the same refusal, and nothing unlocks.
      extensionOnly(await call(evil, 'unlock', 'wrong guess'), 'unlock (wrong password)');
      extensionOnly(await call(evil, 'unlock', PASSWORD), 'unlock (right password)');
      refusedOnTheWire(await forge(evil, 'un1', 'unlock', { password: 'another guess' }), 'a forged unlock');
      assert.equal((await account()).keys, 'locked');

      // <roomkey-sign-in> on the page: no password field, before and after its client arrives.
      // The components (every element, no auto-wiring): the page already has `window.client`.
      const components = await pageBundle("import './components/index.ts';");
      await evil.addScriptTag({ content: components, type: 'module' });
      await evil.evaluate(() => customElements.whenDefined('roomkey-sign-in'));
      await evil.evaluate(() => document.body.append(document.createElement('roomkey-sign-in')));
      const inputs = () =>
        evil.evaluate(
          () => document.querySelector('roomkey-sign-in')!.shadowRoot!.querySelectorAll('input').length,
        );
      await evil.locator('roomkey-sign-in [part=open-extension]').waitFor();
      assert.equal(await inputs(), 0, 'no input before the client arrives (the extension marked the page)');
      await evil.evaluate(() => {
        const el = document.querySelector('roomkey-sign-in') as HTMLElement & { client: unknown };
        el.client = (window as unknown as { client: unknown }).client;
      });
      const button = evil.locator('roomkey-sign-in [part=open-extension]');
      await waitFor('the unlock button', async () =>
        /Unlock in RoomKey/.test((await button.textContent()) ?? ''),
      );
      assert.equal(await inputs(), 0, 'no input with the extension client');

      // A page asking again and again gets one window, not many. (The previous step's ask may be
      // within the per-site quiet period, which would rightly ignore this one: wait it out.)
      await new Promise((r) => setTimeout(r, SIGN_IN_QUIET_MS + 100));
      await Promise.all([button.click(), call(evil, 'openSignIn'), call(evil, 'openSignIn')]);
      const win = await signInWindow(alice);
      await new Promise((r) => setTimeout(r, 500));
      const windows = alice.context.pages().filter((p) => p.url().includes('/sign-in.html') && !p.isClosed());
      assert.equal(windows.length, 1, 'one sign-in window');
      assert.equal(
        evil.frames().filter((f) => f.url().startsWith('chrome-extension://')).length,
        0,
        'the window is not framed by the page',
      );
      await win.locator('#unlock input[name=password]').fill(PASSWORD);
      const closed = win.waitForEvent('close', { timeout: ACCOUNT_MS });
      await win.locator('#unlock button[type=submit]').click();
      await closed;
      await waitFor('the page element follows', async () =>
        /Signed in as alice/.test(
          await evil.evaluate(() => document.querySelector('roomkey-sign-in')!.shadowRoot!.textContent ?? ''),
        ),
      );
      assert.equal(await inputs(), 0);

      // Everything the page ever received from the extension, and its whole DOM: no password.
      const seen = JSON.stringify(await evil.evaluate(() => (window as unknown as { seen: unknown[] }).seen));
      assert.ok(seen.includes('"keys"'), 'the page did hear the key state change');
      assert.ok(!seen.includes(PASSWORD), 'no password in any message the page received');
      const dom = await evil.evaluate(
        () =>
          document.documentElement.outerHTML +
          (document.querySelector('roomkey-sign-in')!.shadowRoot!.innerHTML ?? ''),
      );
      assert.ok(!dom.includes(PASSWORD));
    },
  );
});
