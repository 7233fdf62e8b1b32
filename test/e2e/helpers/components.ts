// Driving the components' UI (the demo page with the in-page client or the extension) as a user
// would: sign up through <roomkey-sign-in>, open a room from <roomkey-rooms>, send through
// <roomkey-room>'s composer, read what <roomkey-room> renders.
import type { Page } from 'playwright-core';
import { waitFor } from './browser.ts';

/** Argon2id (64 MiB) in the page, on a shared 2-core machine. */
export const SLOW = 30_000;

/** Opens `web` and signs up through <roomkey-sign-in>; resolves once signed in. */
export async function signUp(page: Page, web: string, username: string, password: string): Promise<void> {
  await page.goto(web);
  await page.locator('roomkey-sign-in button[part=switch]').click();
  await page.locator('roomkey-sign-in #username').fill(username);
  await page.locator('roomkey-sign-in #password').fill(password);
  await page.locator('roomkey-sign-in #confirm').fill(password);
  await page.locator('roomkey-sign-in button[part=submit]').click();
  await page
    .locator('roomkey-sign-in button[part=lock]')
    .waitFor({ timeout: SLOW })
    .catch(async (error: Error) => {
      throw new Error(
        `${username} is not signed in: ${error.message}; the sign-in shows: ${(await shown(page, 'roomkey-sign-in')).replace(/\s+/g, ' ')}`,
      );
    });
}

/**
 * Alice and Bob sign up side by side, each in their own page (chat-events, outbox, pwa-rooms).
 * @example await signUpPair([pageA, pageB], stack.urls.web, PASSWORD);
 */
export async function signUpPair(
  [pageA, pageB]: [Page, Page],
  web: string,
  password: { alice: string; bob: string },
): Promise<void> {
  await Promise.all([signUp(pageA, web, 'alice', password.alice), signUp(pageB, web, 'bob', password.bob)]);
}

/**
 * Creates a room named `name` from `page`'s <roomkey-rooms>, invites `username` from the room's
 * member panel and waits until they are a member; resolves with the room id (from the URL).
 * @example const roomId = await roomWith(pageA, 'Lunch', 'bob');
 */
export async function roomWith(page: Page, name: string, username: string): Promise<string> {
  await page.locator('roomkey-rooms button[part=create-button]').click();
  await page.locator('roomkey-rooms #room-name').fill(name);
  await page.locator('roomkey-rooms button[part=submit]').click();
  const roomId = await waitFor(
    'the room opened',
    async () => new URLSearchParams(new URL(page.url()).hash.slice(1)).get('room') ?? undefined,
  );
  await page.locator('roomkey-room #invite-username').fill(username);
  await page.locator('roomkey-room button[part=invite-button]').click();
  await waitFor(`${username} a member`, async () =>
    /Members \(2\)/.test((await page.locator('roomkey-room #members-title').textContent()) ?? ''),
  );
  return roomId;
}

/** The text an element renders (its shadow root's). */
export function shown(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (e) => e.shadowRoot?.textContent ?? '');
}

/** The message texts <roomkey-room> renders. */
export function texts(page: Page): Promise<string[]> {
  return page.locator('roomkey-room li.message p.text').allTextContents();
}

export async function waitForText(page: Page, text: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    `"${text}" rendered`,
    async () => (await texts(page)).some((t) => t.trim() === text),
    timeoutMs,
  );
}

/** Sends `text` through the composer and waits until the room renders it. */
export async function send(page: Page, text: string, timeoutMs = 15_000): Promise<void> {
  const composer = page.locator('roomkey-room textarea[part=composer-input]');
  await composer.fill(text);
  // fill() types into whatever has focus: behind a modal dialog (inert) the text would be lost.
  const typed = await composer.inputValue();
  if (typed !== text)
    throw new Error(`the composer holds ${JSON.stringify(typed)} after typing: is a dialog open?`);
  await page.locator('roomkey-room button[part=send]').click();
  await waitForText(page, text, timeoutMs).catch(async (error: Error) => {
    throw new Error(
      `${error.message}; the room shows: ${(await shown(page, 'roomkey-room')).replace(/\s+/g, ' ')}`,
    );
  });
}

/** Waits until `roomId` is in <roomkey-rooms> (after an invite), opens it; returns the entry's text. */
export async function openRoom(page: Page, roomId: string, timeoutMs = 20_000): Promise<string> {
  const entry = page.locator(`roomkey-rooms button.room[data-room-id="${roomId}"]`);
  await entry.waitFor({ timeout: timeoutMs });
  const text = (await entry.textContent()) ?? '';
  await entry.click();
  await waitFor('the room opened', async () => page.url().endsWith(`#room=${roomId}`));
  return text;
}
