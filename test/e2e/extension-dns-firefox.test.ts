// The DNS policy in headless Firefox ESR (WebDriver BiDi), against the real local stack: the
// gateway is reached by name (gw.test, which `network.dns.localDomains` sends to loopback), and the
// extension asks Firefox's own `browser.dns.resolve` whether its DNS over HTTPS (TRR) resolved it.
// TRR is off here, so: require refuses with the Firefox settings path, prefer connects and shows
// "not private" in the popup, and RoomKey's own DoH client is never asked on Firefox.
// What cannot run here: the isTRR = true path. Firefox's TRR needs an https:// resolver with a
// certificate it trusts (no plain-http or loopback exception), which this offline machine does not
// have; the unit suite (test/unit/dns/extension-guard.test.ts) covers that branch with a stand-in.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startDohServer, type TestDohServer } from '../helpers/doh-server.ts';
import { waitFor } from './helpers/browser.ts';
import {
  buildFirefox,
  type ExtensionStack,
  FIREFOX,
  type FirefoxUser,
  launchFirefoxWithExtension,
  startExtensionStack,
} from './helpers/extension.ts';

const STEP = { timeout: 90_000 };
const present = existsSync(FIREFOX);
const PASSWORD = 'dns test password, long enough';

describe('extension DNS policy in Firefox', {
  timeout: 240_000,
  skip: present ? false : `${FIREFOX} is not installed`,
}, () => {
  let stack: ExtensionStack;
  let doh: TestDohServer;
  let firefox: FirefoxUser;
  let popup: string;
  let gateway: string;

  const text = (selector: string) =>
    firefox.evaluate<string | null>(
      popup,
      `document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`,
    );
  const choose = (selector: string, value: string) =>
    firefox.evaluate(
      popup,
      `(() => { const s = document.querySelector(${JSON.stringify(selector)}); s.value = ${JSON.stringify(value)}; s.dispatchEvent(new Event('change')); return null; })()`,
    );
  /** Signs up in the popup; resolves to the error it shows, or null once signed in. */
  const signUp = async (username: string): Promise<string | null> => {
    await firefox.evaluate(
      popup,
      `(() => {
        const form = document.querySelector('#sign-in');
        form.querySelector('input[name=gateway]').value = ${JSON.stringify(gateway)};
        form.querySelector('input[name=username]').value = ${JSON.stringify(username)};
        form.querySelector('input[name=password]').value = ${JSON.stringify(PASSWORD)};
        form.querySelector('button[value=signUp]').click();
        return null;
      })()`,
    );
    return waitFor(
      'the sign-up to end',
      async () => {
        if (await text('#username')) return { error: null };
        const error = await text('.error[role=alert]');
        return error ? { error } : undefined;
      },
      60_000,
    ).then((o) => o.error);
  };

  before(async () => {
    stack = await startExtensionStack();
    doh = await startDohServer({ zone: { records: [{ name: 'gw.test', type: 'A', data: '127.0.0.1' }] } });
    gateway = `http://gw.test:${new URL(stack.origins.a).port}/`;
    firefox = await launchFirefoxWithExtension(buildFirefox('e2e'), {
      'network.dns.localDomains': 'gw.test',
      'network.trr.mode': 5, // TRR off by choice, as a user who never turned it on
    });
    // WebDriver BiDi may not open a moz-extension URL itself: an approved page asks for the sign-in
    // window, and that extension page moves on to the popup's page.
    const app = await firefox.open(`${stack.origins.a}/`);
    const connecting = `(window.client = new window.RK.ExtensionClient({ gateway: location.origin + '/' })).connect().then(() => window.client.openSignIn()).then(() => 'ok', (e) => e.message)`;
    const opened = firefox.evaluate<string>(app, connecting);
    await firefox.answer('allow');
    assert.equal(await opened, 'ok');
    popup = await waitFor(
      'the sign-in window',
      async () => (await firefox.contexts()).find((c) => c.url.includes('/sign-in.html'))?.context,
    );
    await firefox.evaluate(popup, `(location.href = '/popup.html', null)`);
    await waitFor('the popup', async () => (await text('#dns-policy')) !== null, 20_000);
  });

  after(async () => {
    await firefox?.close();
    await doh?.close();
    await stack?.close();
  });

  it(
    'require refuses when Firefox did not use DNS over HTTPS, and says where to turn it on',
    STEP,
    async () => {
      await choose('#dns-policy', 'require');
      // One popup action at a time: the resolver's button works again once the policy is saved.
      await waitFor('the policy saved', () =>
        firefox.evaluate<boolean>(popup, `document.querySelector('#dns-resolver-save')?.disabled === false`),
      );
      await firefox.evaluate(
        popup,
        `(() => { const i = document.querySelector('#dns-resolver-url'); i.value = ${JSON.stringify(doh.url)}; document.querySelector('#dns-resolver-save').click(); return null; })()`,
      );
      await waitFor('require saved', async () =>
        firefox.evaluate<boolean>(
          popup,
          `document.querySelector('#dns-resolver').value === 'custom' && document.querySelector('#dns-policy').value === 'require'`,
        ),
      );
      const error = await signUp('fern');
      assert.ok(error, 'the sign-up was refused');
      assert.match(error, /Private DNS is required, so RoomKey did not connect to gw\.test/);
      assert.match(error, /Firefox looked up gw\.test with the ordinary resolver/);
      assert.match(error, /Settings → Privacy & Security → DNS over HTTPS/);
      assert.equal(
        await text('#dns-status strong'),
        'DNS: not private — Firefox is not using DNS over HTTPS',
      );
    },
  );

  it('prefer connects and shows the warning; RoomKey never asked its own DoH resolver', STEP, async () => {
    await choose('#dns-policy', 'prefer');
    await waitFor('prefer saved', () =>
      firefox.evaluate<boolean>(popup, `document.querySelector('#dns-resolver-save')?.disabled === false`),
    );
    assert.equal(await signUp('fern'), null);
    await waitFor('the warning', async () =>
      (await text('#dns-status strong'))?.startsWith('DNS: not private'),
    );
    assert.equal(doh.requests.length, 0, 'Firefox asks its own resolver, not RoomKey DoH');
  });
});
