// Contacts' trust for a page under the RoomKey extension, in Chromium with the e2e build against
// the real local stack. Alice's site page shows <roomkey-room> over the ExtensionClient with Bob
// (a Node user) as a member: his badge says "Not verified"; the page cannot mark him verified (a
// forged request is refused) nor read a stranger's trust; "Verify in RoomKey" opens the
// extension's verify window, where confirming marks Bob verified in the page's member list (a
// `contacts` event). Then the server serves Bob under new keys: the page warns naming Bob, his
// badge says "Key changed", and only the review in the extension's window clears it (then not verified).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Kvm } from '@nats-io/kv';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import type { Page } from 'playwright-core';
import { readStack } from '../../gateway/data-dir.ts';
import { swapUserKeys } from '../helpers/key-change-swap.ts';
import { waitFor } from './helpers/browser.ts';
import {
  type CallResult,
  call,
  callConfirmed,
  type ExtensionStack,
  type ExtensionUser,
  enterInPopup,
  installClient,
  launchWithExtension,
  type NodeUser,
  openApproved,
  pageBundle,
  startExtensionStack,
  value,
} from './helpers/extension.ts';

const STEP = { timeout: 60_000 };
const SLOW = 20_000;

describe('verifying contacts from a page under the extension', { timeout: 240_000 }, () => {
  let stack: ExtensionStack;
  let alice: ExtensionUser;
  let bob: NodeUser;
  let page: Page;
  let carol = '';
  let roomId = '';
  let components = '';

  before(async () => {
    stack = await startExtensionStack();
    [alice, bob, components] = await Promise.all([
      launchWithExtension('alice-contacts'),
      stack.nodeUser('bob'),
      pageBundle("import './components/index.ts';"),
    ]);
    carol = (await stack.nodeUser('carol')).session.userId; // known to the gateway, in none of Alice's rooms
    await enterInPopup(alice, 'signUp', `${stack.origins.a}/`, 'alice', 'alice password, long enough');
  });

  after(async () => {
    await alice?.close();
    await stack?.close();
  });

  /** The room element in the page, over the page's ExtensionClient. */
  const mountRoom = async (): Promise<void> => {
    await page.addScriptTag({ content: components, type: 'module' });
    await page.evaluate(async (id) => {
      await customElements.whenDefined('roomkey-room');
      const el = document.createElement('roomkey-room') as HTMLElement & { client: unknown };
      el.client = (window as unknown as { client: unknown }).client;
      el.setAttribute('room-id', id);
      document.body.append(el);
    }, roomId);
  };
  const badge = async () => (await page.locator('roomkey-room [part=trust-badge]').textContent())?.trim();
  /** Opens the page's dialog, asks for the verify window; resolves with it and the number the page showed. */
  const askExtension = async (button: string): Promise<{ win: Page; shown: string }> => {
    await page.locator(`roomkey-room [part=${button}]`).click();
    const number = page.locator('roomkey-room [part=safety-number]');
    await number.waitFor({ timeout: SLOW });
    const shown = ((await number.textContent()) ?? '').replace(/\s+/g, '');
    await page.locator('roomkey-room [part=verify-in-extension]').click();
    const win = await waitFor(
      'the RoomKey verify window',
      async () =>
        alice.context
          .pages()
          .find(
            (p) => !p.isClosed() && p.url().startsWith(`chrome-extension://${alice.extensionId}/verify.html`),
          ),
      SLOW,
    );
    await win.waitForLoadState();
    return { win, shown };
  };

  it('the page shows Bob not verified, and cannot verify him or read a stranger itself', STEP, async () => {
    page = await openApproved(alice, `${stack.origins.a}/`);
    roomId = value<{ roomId: string }>(await call(page, 'createRoom', 'Keys')).roomId;
    value(await callConfirmed(alice, page, 'invite', roomId, 'bob'));
    await bob.joined(roomId);
    await mountRoom();
    await waitFor('Bob not verified', async () => (await badge()) === 'Not verified', SLOW);

    const forged = (await call(page, 'request', 'verifyContact', {
      userId: bob.session.userId,
      scanned: null,
    })) as Extract<CallResult, { ok: false }>;
    assert.equal(forged.ok, false, 'a page cannot mark a contact verified');
    assert.equal(forged.code, 'forbidden');
    assert.match(forged.message, /own window/);
    const accept = await call(page, 'request', 'acceptKeyChange', { userId: bob.session.userId });
    assert.equal(accept.ok, false, 'nor accept a key change');
    const stranger = await call(page, 'contacts', [carol]);
    assert.equal(stranger.ok, false, 'no trust of someone outside its rooms');
    assert.match((stranger as { message: string }).message, /not approved/);
    assert.equal(await badge(), 'Not verified', 'nothing changed');
  });

  it(
    '"Verify in RoomKey" opens the extension window; confirming there marks Bob verified in the page',
    STEP,
    async () => {
      const { win, shown } = await askExtension('verify-button');
      assert.match(shown, /^\d{60}$/);
      const number = win.locator('roomkey-verify-contact [part=safety-number]');
      await number.waitFor({ timeout: SLOW });
      assert.match(
        (await win.locator('#asker').textContent()) ?? '',
        new RegExp(stack.origins.a.replace(/\./g, '\\.')),
      );
      assert.equal(((await number.textContent()) ?? '').replace(/\s+/g, ''), shown, 'the same number');
      await win.locator('roomkey-verify-contact [part=verify-match]').click();
      await waitFor('Bob verified in the page', async () => (await badge()) === 'Verified', SLOW);
      await win.close();
    },
  );

  it(
    'Bob’s key changes: the page warns naming him; only the review in the extension clears it',
    STEP,
    async () => {
      const nc = await wsconnect({
        servers: stack.stack.urls.natsWebSocket,
        authenticator: credsAuthenticator(readFileSync(stack.stack.paths.gatewayCreds)),
      });
      try {
        const serverSecret = readStack(stack.stack.dataDir).secrets.serverSecret;
        await swapUserKeys(await new Kvm(nc).open('rk_users'), serverSecret, bob.session.userId);
      } finally {
        await nc.close();
      }
      // Alice opens the room again: the extension asks the gateway for Bob's keys and finds new ones.
      await page.reload();
      await page.waitForFunction(() => 'RK' in window);
      await installClient(page);
      value(await call(page, 'connect'));
      await mountRoom();
      const warning = page.locator('roomkey-room [part=key-warning]');
      await warning.waitFor({ timeout: SLOW });
      assert.match((await warning.textContent()) ?? '', /bob's safety number changed/);
      assert.equal(await badge(), 'Key changed', 'verified no more');

      const { win } = await askExtension('review-key-change');
      await win.locator('roomkey-verify-contact [part=key-change-review]').waitFor({ timeout: SLOW });
      await win.locator('roomkey-verify-contact [part=accept-key]').click();
      await waitFor('Bob not verified in the page', async () => (await badge()) === 'Not verified', SLOW);
      assert.equal(await warning.count(), 0, 'the warning goes');
      await win.close();
    },
  );
});
