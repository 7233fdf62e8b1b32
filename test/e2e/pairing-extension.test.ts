// Adding a device from the extension's popup (issue 15): the user's extension holds the identity;
// a new device (a page with the in-page client and <roomkey-devices>, no extension) shows its
// pairing code, the user pastes its text into the popup, both show the same confirmation code,
// and only "It matches" sends the identity: the new device signs in as the same user. "It doesn't
// match" first sends nothing. The popup lists the new device with when it was last seen.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { SLOW, shown } from './helpers/components.ts';
import {
  type ExtensionStack,
  type ExtensionUser,
  ensureExtensionBuilt,
  enterInPopup,
  launchWithExtension,
  startExtensionStack,
} from './helpers/extension.ts';
import { fakeCameraArgs, writeQrVideo } from './helpers/pairing-camera.ts';

const STEP = { timeout: 120_000 };

const PASSWORD = 'ines password, long enough';

describe('pairing from the extension popup', { timeout: 420_000 }, () => {
  let stack: ExtensionStack;
  let ines: ExtensionUser;
  let tablet: BrowserUser;
  let page: Page;
  /** Ines's camera (a fake one playing this file: blank until a new device shows its code). */
  let dir: string;
  let video: string;

  before(async () => {
    ensureBuilt();
    ensureExtensionBuilt();
    dir = mkdtempSync(join(tmpdir(), 'roomkey-pairing-ext-'));
    video = join(dir, 'camera.y4m');
    writeQrVideo(video, null);
    stack = await startExtensionStack();
    [ines, tablet] = await Promise.all([
      launchWithExtension('ines', { args: fakeCameraArgs(video) }),
      launchUser('ines-tablet'),
    ]);
    page = await tablet.page();
  });

  after(async () => {
    await ines?.close();
    await tablet?.close();
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function newDeviceCode(): Promise<string> {
    await page.locator('roomkey-devices input[part=password]').fill(PASSWORD);
    await page.locator('roomkey-devices button[part=show-code]').click();
    return waitFor('the new device shows its code', async () => {
      const text = (
        await page
          .locator('roomkey-devices [part=qr-text]')
          .textContent()
          .catch(() => null)
      )?.trim();
      return text?.startsWith('roomkey-pair:v1:') ? text : undefined;
    });
  }

  async function pasteInPopup(text: string): Promise<{ popup: Page; code: string }> {
    const popup = await ines.extensionPage('popup.html');
    await popup.locator('#pairing-text').fill(text);
    await popup.locator('#pairing-read').click();
    const code = await waitFor(
      'the popup shows the code',
      async () =>
        (
          (await popup
            .locator('#pairing-code')
            .textContent()
            .catch(() => null)) ?? ''
        ).trim() || undefined,
    );
    return { popup, code };
  }

  const tabletCode = () =>
    waitFor(
      'the new device shows the confirmation code',
      async () =>
        (
          (await page
            .locator('roomkey-devices [part=code]')
            .textContent()
            .catch(() => null)) ?? ''
        ).trim() || undefined,
    );

  it('the extension signs up; "It doesn’t match" sends nothing', STEP, async () => {
    await enterInPopup(ines, 'signUp', `${stack.origins.a}/`, 'ines', PASSWORD);
    await page.goto(stack.stack.urls.web);
    const { popup, code } = await pasteInPopup(await newDeviceCode());
    assert.match(code, /^\d{3} \d{3}$/);
    assert.equal(await tabletCode(), code, 'both screens show the same code');
    await popup.locator('#pairing-cancel').click();
    await waitFor('the new device hears it was cancelled', async () =>
      /cancelled/i.test(await shown(page, 'roomkey-devices')),
    );
    assert.doesNotMatch(await shown(page, 'roomkey-sign-in'), /Signed in as/);
    await popup.close();
  });

  it('"It matches" signs the new device in as the same user; the popup lists it', STEP, async () => {
    const { popup, code } = await pasteInPopup(await newDeviceCode());
    assert.equal(await tabletCode(), code);
    await popup.locator('#pairing-confirm').click();
    await waitFor(
      'the new device is signed in',
      async () => /Signed in as\s*ines/.test(await shown(page, 'roomkey-sign-in')),
      SLOW * 2,
    );
    await popup.reload();
    await waitFor(
      'the popup lists two devices',
      async () => (await popup.locator('#devices > li').count()) === 2,
      SLOW,
    );
    assert.match((await popup.locator('#devices').textContent()) ?? '', /active now|seen|not seen lately/);
    await popup.close();
  });

  // The popup as the NEW device once hung before its code showed: the popup's reload asked the
  // background for the store's passkeys, which queued behind the pairing's own account operation
  // (held while the person walks to the other device). A signed-out account has no passkeys.
  it('the extension as the NEW device: its popup shows the code; the paired page adds it', STEP, async () => {
    const second = await launchWithExtension('ines-2');
    try {
      const popup = await second.extensionPage('popup.html');
      await popup.locator('#pair-new-form input[name=gateway]').fill(`${stack.origins.a}/`);
      await popup.locator('#pair-new-form input[name=password]').fill(PASSWORD);
      await popup.locator('#pair-new-start').click();
      const text = await waitFor(
        'the popup shows its pairing code',
        async () =>
          (
            (await popup
              .locator('#pair-new-text')
              .textContent()
              .catch(() => null)) ?? ''
          ).trim() || undefined,
      );
      assert.equal(await popup.locator('#pair-new-qr').count(), 1, 'and its QR');
      // The page signed in by pairing above is now the old device: it reads the popup's code.
      await page.locator('roomkey-devices button[part=add-device]').click();
      await page.locator('roomkey-devices textarea[part=paste]').fill(text);
      await page.locator('roomkey-devices button[part=read-code]').click();
      const pageCode = await waitFor(
        'the page shows the code',
        async () =>
          (
            (await page
              .locator('roomkey-devices [part=code]')
              .textContent()
              .catch(() => null)) ?? ''
          ).trim() || undefined,
      );
      const popupCode = await waitFor(
        'the popup shows the code',
        async () =>
          (
            (await popup
              .locator('#pair-new-code')
              .textContent()
              .catch(() => null)) ?? ''
          ).trim() || undefined,
      );
      assert.equal(popupCode, pageCode, 'both screens show the same code');
      await page.locator('roomkey-devices button[part=confirm]').click();
      await waitFor(
        'the second extension is signed in as ines',
        async () =>
          ((await popup
            .locator('#username')
            .textContent()
            .catch(() => null)) ?? '') === 'ines',
        SLOW * 2,
      );
      await popup.close();
    } finally {
      await second.close();
    }
  });

  it(
    '"Scan with the camera" opens the extension’s own tab, which reads the new device’s QR',
    STEP,
    async () => {
      const phone = await launchUser('ines-phone');
      try {
        const phonePage = await phone.page();
        await phonePage.goto(stack.stack.urls.web);
        await phonePage.locator('roomkey-devices input[part=password]').fill(PASSWORD);
        await phonePage.locator('roomkey-devices button[part=show-code]').click();
        const qrText = await waitFor('the phone shows its code', async () => {
          const text = (
            await phonePage
              .locator('roomkey-devices [part=qr-text]')
              .textContent()
              .catch(() => null)
          )?.trim();
          return text?.startsWith('roomkey-pair:v1:') ? text : undefined;
        });
        writeQrVideo(video, qrText);
        const popup = await ines.extensionPage('popup.html');
        const [scanner] = await Promise.all([
          ines.context.waitForEvent('page'),
          popup.locator('#pairing-scan').click(),
        ]);
        assert.match(scanner.url(), /^chrome-extension:\/\/[a-z]+\/pair\.html$/);
        const code = await waitFor(
          'the extension’s tab read the code with the camera',
          async () =>
            (
              (await scanner
                .locator('#pair-code')
                .textContent()
                .catch(() => null)) ?? ''
            ).trim() || undefined,
          30_000,
        );
        const phoneCode = await waitFor(
          'the phone shows the confirmation code',
          async () =>
            (
              (await phonePage
                .locator('roomkey-devices [part=code]')
                .textContent()
                .catch(() => null)) ?? ''
            ).trim() || undefined,
        );
        assert.equal(code, phoneCode, 'both screens show the same code');
        await scanner.locator('#pair-confirm').click();
        await waitFor(
          'the phone is signed in',
          async () => /Signed in as\s*ines/.test(await shown(phonePage, 'roomkey-sign-in')),
          SLOW * 2,
        );
        await scanner.locator('#pair-done').waitFor();
        await popup.close();
      } finally {
        await phone.close();
      }
    },
  );
});
