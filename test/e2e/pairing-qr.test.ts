// Adding a device by QR code, through <roomkey-devices> on the demo page (in-page client), against
// the real local stack. The NEW device (a signed-out profile) shows its code; the test draws that
// code into a .y4m file that the OLD device's Chromium plays as its camera; the old device scans it
// (getUserMedia + jsQR), and both screens show the same confirmation code. A "doesn't match"
// transfers nothing; a confirmed pairing signs the new device in, and it reads the room's history
// and sends. Steps build on each other, in order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { SLOW, send, shown, signUp, texts, waitForText } from './helpers/components.ts';
import { type RunningDevStack, startDevStack } from './helpers/dev-stack.ts';
import { fakeCameraArgs, writeQrVideo } from './helpers/pairing-camera.ts';

const STEP = { timeout: 120_000 };
const PASSWORD = 'olga password 1';

describe('pairing by QR code with the in-page client', { timeout: 480_000 }, () => {
  let stack: RunningDevStack;
  let oldUser: BrowserUser;
  let newUser: BrowserUser;
  let oldPage: Page;
  let newPage: Page;
  let dir = '';
  let video = '';
  const problems: string[] = [];

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'roomkey-pairing-'));
    video = join(dir, 'camera.y4m');
    writeQrVideo(video, null); // a blank camera until the new device shows its code
    stack = await startDevStack();
    [oldUser, newUser] = await Promise.all([
      launchUser('pair-old', { args: fakeCameraArgs(video) }),
      launchUser('pair-new'),
    ]);
    [oldPage, newPage] = await Promise.all([oldUser.page(), newUser.page()]);
    for (const [name, page] of [
      ['old', oldPage],
      ['new', newPage],
    ] as const) {
      page.on('pageerror', (error) => problems.push(`${name}: uncaught ${error.message}`));
    }
  });

  after(async () => {
    await oldUser?.close();
    await newUser?.close();
    await stack?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The new device shows a fresh code; the test turns it into the old device's camera. */
  async function newDeviceShowsCode(): Promise<void> {
    await newPage.locator('roomkey-devices input[part=password]').fill(PASSWORD);
    await newPage.locator('roomkey-devices button[part=show-code]').click();
    const qrText = await waitFor('the new device shows its code', async () => {
      const text = (
        await newPage
          .locator('roomkey-devices [part=qr-text]')
          .textContent()
          .catch(() => null)
      )?.trim();
      return text?.startsWith('roomkey-pair:v1:') ? text : undefined;
    });
    assert.equal(await newPage.locator('roomkey-devices svg[part=qr]').count(), 1, 'a QR code is drawn');
    writeQrVideo(video, qrText);
  }

  /** The old device scans with its camera; returns the codes both screens show. */
  async function scanOnOldDevice(): Promise<{ oldCode: string; newCode: string }> {
    await oldPage.locator('roomkey-devices button[part=add-device]').click();
    const oldCode = await waitFor(
      'the old device read the code with its camera',
      async () =>
        (
          await oldPage
            .locator('roomkey-devices [part=code]')
            .textContent()
            .catch(() => null)
        )?.trim() || undefined,
      30_000,
    );
    const newCode = await waitFor(
      'the new device shows the confirmation code',
      async () =>
        (
          await newPage
            .locator('roomkey-devices [part=code]')
            .textContent()
            .catch(() => null)
        )?.trim() || undefined,
    );
    return { oldCode, newCode };
  }

  async function deviceCount(page: Page): Promise<number> {
    return page.locator('roomkey-devices li[part=device]').count();
  }

  it('the old device signs up, makes a room and writes in it', STEP, async () => {
    await signUp(oldPage, stack.urls.web, 'olga', PASSWORD);
    await oldPage.locator('roomkey-rooms button[part=create-button]').click();
    await oldPage.locator('roomkey-rooms #room-name').fill('Olga’s notes');
    await oldPage.locator('roomkey-rooms button[part=submit]').click();
    await oldPage.locator('roomkey-room textarea[part=composer-input]').waitFor({ timeout: SLOW });
    await send(oldPage, 'written before pairing');
    await waitFor('the device list shows this device', async () => (await deviceCount(oldPage)) === 1);
  });

  it('"It doesn’t match" on the old device transfers nothing', STEP, async () => {
    await newPage.goto(stack.urls.web);
    await newDeviceShowsCode();
    const { oldCode, newCode } = await scanOnOldDevice();
    assert.match(oldCode, /^\d{3} \d{3}$/);
    assert.equal(newCode, oldCode, 'both screens show the same code');
    await oldPage.locator('roomkey-devices button[part=cancel]').click();
    await waitFor('the new device says the pairing was cancelled', async () =>
      /cancelled/i.test(await shown(newPage, 'roomkey-devices')),
    );
    assert.doesNotMatch(await shown(newPage, 'roomkey-sign-in'), /Signed in as/);
    await newPage.waitForTimeout(1000);
    assert.doesNotMatch(await shown(newPage, 'roomkey-sign-in'), /Signed in as/, 'still signed out');
    assert.equal(await deviceCount(oldPage), 1, 'no device was added');
  });

  it('a confirmed pairing signs the new device in; it reads the history and sends', STEP, async () => {
    await newDeviceShowsCode();
    const { oldCode, newCode } = await scanOnOldDevice();
    assert.equal(newCode, oldCode, 'both screens show the same code');
    await oldPage.locator('roomkey-devices button[part=confirm]').click();
    await waitFor(
      'the new device is signed in',
      async () => /Signed in as\s*olga/.test(await shown(newPage, 'roomkey-sign-in')),
      60_000,
    );
    assert.match(await shown(newPage, 'roomkey-devices'), /Paired: signed in as olga/);
    const entry = newPage.locator('roomkey-rooms button.room');
    await entry.first().waitFor({ timeout: SLOW });
    await entry.first().click();
    await waitForText(newPage, 'written before pairing', SLOW);
    await send(newPage, 'sent from the paired device');
    await waitForText(oldPage, 'sent from the paired device', SLOW);
    assert.deepEqual(
      (await texts(oldPage)).map((t) => t.trim()),
      ['written before pairing', 'sent from the paired device'],
    );
    await waitFor('the old device lists two devices', async () => (await deviceCount(oldPage)) === 2, SLOW);
    assert.match(await shown(oldPage, 'roomkey-devices'), /The new device was added/);
    assert.deepEqual(problems, []);
  });
});
