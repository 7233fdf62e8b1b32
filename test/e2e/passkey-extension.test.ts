// Passkey unlock with the extension: only the extension's own pages show the passkey prompt (rp id
// = the extension's id), and only the PRF output travels, to the background that holds the store.
// Chromium's virtual authenticator (CDP WebAuthn, hasPrf) on the popup page: add a passkey when
// signed in, lock, reload the popup, "Unlock with a passkey" (no password typed), remove it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  ACCOUNT_MS,
  type ExtensionStack,
  type ExtensionUser,
  enterInPopup,
  launchWithExtension,
  startExtensionStack,
} from './helpers/extension.ts';

const STEP = { timeout: 90_000 };

describe('passkey unlock in the extension', { timeout: 300_000 }, () => {
  let stack: ExtensionStack;
  let dana: ExtensionUser;
  let popup: Page;

  before(async () => {
    stack = await startExtensionStack();
    dana = await launchWithExtension('dana');
    await enterInPopup(dana, 'signUp', `${stack.origins.a}/`, 'dana', 'dana password pk');
    popup = await dana.extensionPage('popup.html');
    const cdp = await dana.context.newCDPSession(popup);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        ctap2Version: 'ctap2_1',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        hasPrf: true,
        automaticPresenceSimulation: true,
      },
    } as never);
  });

  after(async () => {
    await dana?.close();
    await stack?.close();
  });

  it('signed in, the popup offers a passkey and adds it', STEP, async () => {
    await popup.locator('#add-passkey').click();
    await popup.locator('#remove-passkey').waitFor({ timeout: ACCOUNT_MS });
    assert.match((await popup.locator('#passkey-status').textContent()) ?? '', /passkey unlocks RoomKey/);
  });

  it(
    'locked, after a reload the passkey unlocks with no password typed; removed, only the password is left',
    STEP,
    async () => {
      await popup.locator('#lock').click();
      await popup.locator('#unlock').waitFor({ timeout: ACCOUNT_MS });
      await popup.reload();
      await popup.locator('#unlock-passkey').waitFor({ timeout: ACCOUNT_MS });
      assert.equal(await popup.locator('#unlock input[name=password]').inputValue(), '');
      await popup.locator('#unlock-passkey').click();
      await popup.locator('#username').waitFor({ timeout: ACCOUNT_MS });
      assert.match((await popup.locator('#status').textContent()) ?? '', /Signed in as .* · Unlocked/);
      await popup.locator('#remove-passkey').click();
      await popup.locator('#add-passkey').waitFor({ timeout: ACCOUNT_MS });
      await popup.locator('#lock').click();
      await popup.locator('#unlock').waitFor({ timeout: ACCOUNT_MS });
      assert.equal(await popup.locator('#unlock-passkey').count(), 0);
    },
  );
});
