// The DNS policy in the extension, in Debian's Chromium against the real local stack: the gateway
// is reached by name (gw.test, which `--host-resolver-rules` maps to 127.0.0.1 for Chromium's own
// resolver), RoomKey's DoH client asks the local DoH server (test/helpers/doh-server.ts), and the
// extension compares its answer with the address webRequest saw for a fetch to the gateway host.
// Everything is set and read in the popup, as a person would: require with matching answers
// connects (sign-up); require with a spoofed system answer (the DoH zone says another address)
// refuses with the tampering message; off connects and the DoH server sees no lookup; require with
// the DoH server down refuses; prefer with it down connects and shows the warning, in the popup
// and in an approved page's element (its status line's `dns-status` part).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startDohServer, type TestDohServer } from '../helpers/doh-server.ts';
import { waitFor } from './helpers/browser.ts';
import {
  ACCOUNT_MS,
  type ExtensionStack,
  type ExtensionUser,
  launchWithExtension,
  openApproved,
  pageBundle,
  startExtensionStack,
} from './helpers/extension.ts';

const STEP = { timeout: 90_000 };
const PASSWORD = 'dns test password, long enough';

describe('extension DNS policy in Chromium', { timeout: 300_000 }, () => {
  let stack: ExtensionStack;
  let doh: TestDohServer;
  let user: ExtensionUser;
  let popup: Page;
  let gateway: string;

  const lookups = () => doh.requests.filter((r) => r.name === 'gw.test').length;
  const dnsStatus = async () => ({
    text: (await popup.locator('#dns-status strong').textContent()) ?? '',
    detail: (await popup.locator('#dns-detail').textContent()) ?? '',
    private: await popup.locator('#dns-status').getAttribute('data-private'),
  });
  const setPolicy = async (policy: string) => {
    await popup.locator('#dns-policy').selectOption(policy);
    await waitFor(`policy ${policy} saved`, async () =>
      popup.evaluate(async (p) => {
        type Area = { get(key: string): Promise<Record<string, unknown>> };
        const area = (globalThis as unknown as { chrome: { storage: { local: Area } } }).chrome.storage.local;
        const stored = (await area.get('roomkey:settings'))['roomkey:settings'] as { dnsPolicy?: string };
        return stored?.dnsPolicy === p;
      }, policy),
    );
  };
  /** Unlocks in the popup; resolves to the error the popup shows, or null once unlocked. */
  const unlock = async (): Promise<string | null> => {
    await popup.locator('#unlock input[name=password]').fill(PASSWORD);
    await popup.locator('#unlock button[type=submit]').click();
    const outcome = await Promise.race([
      popup
        .locator('#username')
        .waitFor({ timeout: ACCOUNT_MS })
        .then(() => null),
      popup
        .locator('.error[role=alert]')
        .waitFor({ timeout: ACCOUNT_MS })
        .then(async () => (await popup.locator('.error[role=alert]').textContent()) ?? ''),
    ]);
    return outcome;
  };
  const lock = async () => {
    await popup.locator('#lock').click();
    await popup.locator('#unlock').waitFor();
  };

  before(async () => {
    stack = await startExtensionStack();
    doh = await startDohServer({
      zone: {
        records: [{ name: 'gw.test', type: 'A', data: '127.0.0.1' }],
        soa: { zone: 'test', ttl: 60, minimum: 60 },
      },
    });
    gateway = `http://gw.test:${new URL(stack.origins.a).port}/`;
    user = await launchWithExtension('dns', { args: ['--host-resolver-rules=MAP *.test 127.0.0.1'] });
    popup = await user.extensionPage('popup.html');
    await popup.locator('#dns-policy').waitFor();
  });

  after(async () => {
    await user?.close();
    await doh?.close();
    await stack?.close();
  });

  it('offers prefer by default; require with matching answers connects', STEP, async () => {
    assert.equal(await popup.locator('#dns-policy').inputValue(), 'prefer');
    await setPolicy('require');
    await popup.locator('#dns-resolver-url').fill(doh.url);
    await popup.locator('#dns-resolver-save').click();
    await waitFor(
      'the resolver saved',
      async () => (await popup.locator('#dns-resolver').inputValue()) === 'custom',
    );

    await popup.locator('#sign-in input[name=gateway]').fill(gateway);
    await popup.locator('#sign-in input[name=username]').fill('dora');
    await popup.locator('#sign-in input[name=password]').fill(PASSWORD);
    await popup.locator('#sign-in button[value=signUp]').click();
    await popup.locator('#username').waitFor({ timeout: ACCOUNT_MS });
    assert.ok(lookups() >= 1, 'RoomKey asked its DoH resolver for gw.test');
    await waitFor('the DNS status', async () => (await dnsStatus()).private === 'true');
    const status = await dnsStatus();
    assert.equal(status.text, 'DNS: private');
    assert.match(status.detail, /reached gw\.test at 127\.0\.0\.1/);
  });

  it('require with a mismatch (a spoofed system answer) refuses with the message', STEP, async () => {
    await lock();
    doh.zone.records[0]!.data = '192.0.2.55';
    const error = await unlock();
    assert.ok(error, 'the unlock was refused');
    assert.match(error, /Private DNS is required, so RoomKey did not connect to gw\.test/);
    assert.match(error, /reached gw\.test at 127\.0\.0\.1, but DNS over HTTPS says 192\.0\.2\.55/);
    assert.match(error, /Possible DNS tampering/);
    assert.match(error, /Use secure DNS/);
    assert.equal(await popup.locator('#unlock').count(), 1, 'still locked');
    const status = await dnsStatus();
    assert.equal(status.private, 'false');
    assert.equal(status.text, 'DNS: not private — possible DNS tampering');
  });

  it('off connects without a single DoH lookup (the DoH server saw none)', STEP, async () => {
    await setPolicy('off');
    const before = doh.requests.length;
    assert.equal(await unlock(), null);
    assert.equal(doh.requests.length, before, 'no DoH request under off');
    await waitFor('the DNS status', async () => (await dnsStatus()).text === 'DNS: not checked');
    await lock();
  });

  it('require with the DoH server down refuses', STEP, async () => {
    doh.zone.records[0]!.data = '127.0.0.1';
    await doh.close();
    await setPolicy('require');
    const error = await unlock();
    assert.ok(error, 'the unlock was refused');
    assert.match(error, /Private DNS is required/);
    assert.match(error, /could not look up gw\.test over DNS over HTTPS/);
    assert.equal(await popup.locator('#unlock').count(), 1, 'still locked');
    assert.equal((await dnsStatus()).text, 'DNS: not private — the private lookup failed');
  });

  it(
    'prefer with the DoH server down connects and shows the warning, in a page element too',
    STEP,
    async () => {
      // An approved site's <roomkey-sign-in>, there before the connection: its status line follows.
      const site = await openApproved(user, `${stack.origins.a}/`);
      await site.addScriptTag({
        content: await pageBundle("import './components/index.ts';"),
        type: 'module',
      });
      await site.evaluate(async () => {
        await customElements.whenDefined('roomkey-sign-in');
        const el = document.createElement('roomkey-sign-in') as HTMLElement & { client: unknown };
        el.client = (window as unknown as { client: unknown }).client;
        document.body.append(el);
      });
      const line = site.locator('roomkey-sign-in [part=dns-status]');
      await setPolicy('prefer');
      assert.equal(await unlock(), null);
      await line.waitFor();
      assert.equal(await line.textContent(), 'DNS: not private — the private lookup failed');
      assert.equal(await line.getAttribute('data-private'), 'false');
      await waitFor('the warning', async () => (await dnsStatus()).private === 'false');
      const status = await dnsStatus();
      assert.equal(status.text, 'DNS: not private — the private lookup failed');
      assert.match(status.detail, /Use secure DNS/);
    },
  );

  it(
    'require checks a NATS WebSocket host of another name: refused while it differs, connects once it matches',
    STEP,
    async () => {
      await lock();
      const other = await startDohServer({
        zone: {
          records: [
            { name: 'gw.test', type: 'A', data: '127.0.0.1' },
            { name: 'nats.test', type: 'A', data: '192.0.2.77' },
          ],
          soa: { zone: 'test', ttl: 60, minimum: 60 },
        },
      });
      try {
        const nats = new URL(stack.config.natsWebSocketUrl);
        stack.config.natsWebSocketUrl = `ws://nats.test:${nats.port}`; // the config the gateway host serves
        await setPolicy('require');
        await popup.locator('#dns-resolver-url').fill(other.url);
        await popup.locator('#dns-resolver-save').click();
        await waitFor(
          'the resolver saved',
          async () => (await popup.locator('#dns-resolver-url').inputValue()) === other.url,
        );
        const error = await unlock();
        assert.ok(error, 'the unlock was refused');
        assert.match(error, /did not connect to nats\.test/);
        assert.match(error, /reached nats\.test at 127\.0\.0\.1, but DNS over HTTPS says 192\.0\.2\.77/);
        other.zone.records[1]!.data = '127.0.0.1';
        assert.equal(await unlock(), null, 'the WebSocket by name connects once both names match');
        await waitFor('the DNS status', async () => (await dnsStatus()).text === 'DNS: private');
        assert.deepEqual(new Set(other.requests.map((r) => r.name)), new Set(['gw.test', 'nats.test']));
      } finally {
        await other.close();
      }
    },
  );
});
