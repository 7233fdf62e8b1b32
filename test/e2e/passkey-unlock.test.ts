// Passkey unlock in the demo PWA (in-page client, real local stack) with Chromium's virtual
// authenticator (CDP WebAuthn, hasPrf: the PRF output is the same for the same salt on every get;
// rp id localhost, so the page is served as http://localhost). Carol signs up, is offered a passkey
// and adds it; after a reload her keys are locked and "Unlock with a passkey" opens them without a
// password typed (her room's history decrypts); she removes it and after another reload only the
// password unlocks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { SLOW, send, signUp, waitForText } from './helpers/components.ts';
import { type RunningDevStack, startDevStack } from './helpers/dev-stack.ts';

const PASSWORD = 'carol password pk';
const STEP = { timeout: 120_000 };

describe('unlock with a passkey (WebAuthn PRF)', { timeout: 360_000 }, () => {
  let stack: RunningDevStack;
  let carol: BrowserUser;
  let page: Page;
  let web = '';
  const passkey = (part: string) => page.locator(`roomkey-sign-in roomkey-passkey [part=${part}]`);

  before(async () => {
    ensureBuilt();
    stack = await startDevStack();
    web = stack.urls.web.replace('127.0.0.1', 'localhost');
    carol = await launchUser('carol');
    page = await carol.page();
    const cdp = await carol.context.newCDPSession(page);
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
    await carol?.close();
    await stack?.dispose();
  });

  it('after sign-up a passkey is offered and added', STEP, async () => {
    await signUp(page, web, 'carol', PASSWORD);
    await passkey('add-passkey').waitFor({ timeout: SLOW });
    await passkey('add-passkey').click();
    await passkey('remove-passkey').waitFor({ timeout: SLOW });
    assert.match((await passkey('passkey-status').textContent()) ?? '', /passkey unlocks RoomKey/);
    await page.locator('roomkey-rooms button[part=create-button]').click();
    await page.locator('roomkey-rooms #room-name').fill('Diary');
    await page.locator('roomkey-rooms button[part=submit]').click();
    await waitFor('the room opened', async () => page.url().includes('#room='));
    await send(page, 'written before the reload');
  });

  it('after a reload the passkey unlocks without a password, and the history decrypts', STEP, async () => {
    await page.reload();
    await passkey('unlock-passkey').waitFor({ timeout: SLOW });
    assert.equal(await page.locator('roomkey-sign-in #password').inputValue(), '', 'nothing typed');
    // The element alone is checked by axe in test/browser/components/verify-contact.test.ts; this whole
    // page has a landmark-unique finding of the demo's own (two "Room" regions while locked).
    await passkey('unlock-passkey').click();
    await page.locator('roomkey-sign-in button[part=lock]').waitFor({ timeout: SLOW });
    await waitForText(page, 'written before the reload', SLOW);
  });

  it('removed, it is offered no more; the password still unlocks', STEP, async () => {
    await passkey('remove-passkey').click();
    await passkey('add-passkey').waitFor({ timeout: SLOW });
    await page.reload();
    await page.locator('roomkey-sign-in #password').waitFor({ timeout: SLOW });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await passkey('unlock-passkey').count(), 0);
    await page.locator('roomkey-sign-in #password').fill(PASSWORD);
    await page.locator('roomkey-sign-in button[part=submit]').click();
    await page.locator('roomkey-sign-in button[part=lock]').waitFor({ timeout: SLOW });
  });
});
