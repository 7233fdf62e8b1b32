// The DNS policy holds on reconnects too (issue 16 follow-up), in Debian's Chromium against the
// real local stack: the gateway is reached by name (gw.test, mapped to 127.0.0.1 for Chromium's
// own resolver by `--host-resolver-rules`) and RoomKey's DoH client asks the local DoH server.
// Connected under require with matching answers, then the DoH server starts lying and the
// nats-server is killed (the dev stack starts it again on its ports, the extension's NATS client
// reconnects by itself): the background checks again and, under require, closes the connection
// and locks, and the popup and an approved page say why (the tampering message). Under prefer the
// same reconnect keeps the connection and shows the warning; switching to require while connected
// checks at once and refuses.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startDohServer, type TestDohServer } from '../helpers/doh-server.ts';
import { waitFor } from './helpers/browser.ts';
import {
  ACCOUNT_MS,
  type ExtensionStack,
  type ExtensionUser,
  inBackground,
  launchWithExtension,
  openApproved,
  pageBundle,
  startExtensionStack,
} from './helpers/extension.ts';

const STEP = { timeout: 120_000 };
const PASSWORD = 'dns reconnect password, long enough';
/** The re-check waits at most its rate limit (5 s) after a reconnect; the restart takes a moment. */
const RECHECK_MS = 30_000;

describe('extension DNS policy on reconnects in Chromium', { timeout: 400_000 }, () => {
  let stack: ExtensionStack;
  let doh: TestDohServer;
  let user: ExtensionUser;
  let popup: Page;
  let gateway: string;

  const lookups = () => doh.requests.filter((r) => r.name === 'gw.test').length;
  const dnsStatus = async () => ({
    text: (await popup.locator('#dns-status strong').textContent()) ?? '',
    detail: (await popup.locator('#dns-detail').textContent()) ?? '',
    refused: (await popup.locator('#dns-refused').count())
      ? ((await popup.locator('#dns-refused').textContent()) ?? '')
      : null,
  });
  const backgroundState = () =>
    inBackground(
      user,
      () => {
        const { account } = (globalThis as unknown as { roomkeyE2E: { account: { state: unknown } } })
          .roomkeyE2E;
        return account.state as { keys: string; connection: string };
      },
      undefined,
    );
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
  /** The stack's nats-server as it runs now (its config lives in the stack's data dir). */
  const brokerPid = (): number | undefined => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (cmd.includes('nats-server') && cmd.includes(`${stack.stack.dataDir}/`)) return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
    return undefined;
  };
  /** Kills the stack's nats-server (-9); the dev stack starts it again on the same ports. */
  const killBroker = async () => {
    const pid = brokerPid();
    assert.ok(pid, 'the stack runs a nats-server');
    process.kill(pid, 'SIGKILL');
    await waitFor(
      'the nats-server back',
      async () => {
        const now = brokerPid();
        return now !== undefined && now !== pid;
      },
      20_000,
    );
  };
  const unlock = async () => {
    await popup.locator('#unlock input[name=password]').fill(PASSWORD);
    await popup.locator('#unlock button[type=submit]').click();
    await popup.locator('#username').waitFor({ timeout: ACCOUNT_MS });
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
    user = await launchWithExtension('dns-reconnect', {
      args: ['--host-resolver-rules=MAP *.test 127.0.0.1'],
    });
    popup = await user.extensionPage('popup.html');
    await popup.locator('#dns-policy').waitFor();
  });

  after(async () => {
    await user?.close();
    await doh?.close();
    await stack?.close();
  });

  it(
    'require: the DoH server starts lying and the broker restarts → the connection is refused with the tampering message',
    STEP,
    async () => {
      await setPolicy('require');
      await popup.locator('#dns-resolver-url').fill(doh.url);
      await popup.locator('#dns-resolver-save').click();
      await waitFor(
        'the resolver saved',
        async () => (await popup.locator('#dns-resolver').inputValue()) === 'custom',
      );
      await popup.locator('#sign-in input[name=gateway]').fill(gateway);
      await popup.locator('#sign-in input[name=username]').fill('rhea');
      await popup.locator('#sign-in input[name=password]').fill(PASSWORD);
      await popup.locator('#sign-in button[value=signUp]').click();
      await popup.locator('#username').waitFor({ timeout: ACCOUNT_MS });
      await waitFor('DNS: private', async () => (await dnsStatus()).text === 'DNS: private');
      assert.equal((await backgroundState()).keys, 'ready');

      // An approved site's element, there before the reconnect: its status line follows the next check.
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

      const before = lookups();
      doh.zone.records[0]!.data = '192.0.2.55';
      await killBroker();
      await waitFor(
        'the refusal after the reconnect',
        async () => (await backgroundState()).keys === 'locked',
        RECHECK_MS,
      );
      assert.ok(lookups() > before, 'the reconnect was checked with the DoH resolver');
      assert.equal((await backgroundState()).connection, 'offline', 'the connection is closed');
      await popup.locator('#unlock').waitFor();
      await waitFor(
        'the tampering status',
        async () => (await dnsStatus()).text === 'DNS: not private — possible DNS tampering',
      );
      const status = await dnsStatus();
      assert.match(status.detail, /reached gw\.test at 127\.0\.0\.1, but DNS over HTTPS says 192\.0\.2\.55/);
      assert.match(status.detail, /Use secure DNS/);
      assert.match(status.refused ?? '', /RoomKey is not connected: Private DNS is required/);
      await line.waitFor();
      await waitFor(
        'the page shows the tampering status',
        async () => (await line.textContent()) === 'DNS: not private — possible DNS tampering',
      );
      assert.equal(await line.getAttribute('data-private'), 'false');
      await site.close();
    },
  );

  it('prefer: the same reconnect stays connected and shows the warning', STEP, async () => {
    doh.zone.records[0]!.data = '127.0.0.1';
    await setPolicy('prefer');
    await unlock();
    await waitFor('DNS: private', async () => (await dnsStatus()).text === 'DNS: private');

    doh.zone.records[0]!.data = '192.0.2.56';
    const before = lookups();
    await killBroker();
    await waitFor(
      'the warning after the reconnect',
      async () => (await dnsStatus()).text === 'DNS: not private — possible DNS tampering',
      RECHECK_MS,
    );
    assert.ok(lookups() > before);
    assert.match((await dnsStatus()).detail, /DNS over HTTPS says 192\.0\.2\.56/);
    assert.equal((await dnsStatus()).refused, null, 'no refusal under prefer');
    await waitFor('online again', async () => (await backgroundState()).connection === 'online', ACCOUNT_MS);
    assert.equal((await backgroundState()).keys, 'ready');
  });

  it('switching to require while connected checks at once and refuses', STEP, async () => {
    const before = lookups();
    await setPolicy('require');
    await waitFor('the refusal', async () => (await backgroundState()).keys === 'locked', RECHECK_MS);
    assert.ok(lookups() > before, 'the switch was checked with the DoH resolver');
    await popup.locator('#unlock').waitFor();
    await waitFor('the refusal in the popup', async () =>
      /Private DNS is required/.test((await dnsStatus()).refused ?? ''),
    );
    assert.equal((await dnsStatus()).text, 'DNS: not private — possible DNS tampering');
  });
});
