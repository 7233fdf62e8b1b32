// Replies, edits, deletes and reactions between two people in the demo PWA (in-page client, real
// local stack), through <roomkey-room>'s own controls only: Bob replies to Alice and reacts, Alice
// edits one message and deletes another; each shows on the other side as it happens, and again
// after Bob reloads (his history decrypts from JetStream and the events apply the same way). The
// deleted text is nowhere on Bob's page. Screenshots: test/e2e/screenshots/chat-events-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { axeViolations } from './helpers/a11y.ts';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { openRoom, roomWith, SLOW, shown, signUpPair, waitForText } from './helpers/components.ts';
import { type RunningDevStack, startDevStack } from './helpers/dev-stack.ts';
import { snap } from './helpers/screenshots.ts';

const STEP = { timeout: 60_000 };
const PASSWORD = { alice: 'alice chat password 1', bob: 'bob chat password 1' };

/** The history row whose text contains `text`. */
const row = (page: Page, text: string): Locator =>
  page.locator('roomkey-room li.message').filter({ has: page.locator('p.text', { hasText: text }) });

/** Opens a row's actions and presses one of them, by keyboard (as a person without a mouse would). */
async function act(page: Page, text: string, part: string): Promise<void> {
  await row(page, text).locator('[part=actions-button]').press('Enter');
  await row(page, text).locator(`[part=${part}]`).press('Enter');
}

/** Types `text` into the composer and sends it with Enter; waits until the room shows it. */
async function say(page: Page, text: string): Promise<void> {
  const composer = page.locator('roomkey-room textarea[part=composer-input]');
  await composer.fill(text);
  await composer.press('Enter');
  await waitFor(`"${text}" shown`, async () => (await row(page, text).count()) === 1, 15_000);
}

describe('chat events: reply, react, edit, delete between two users, and after a reload', {
  timeout: 240_000,
}, () => {
  let stack: RunningDevStack;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let pageA: Page;
  let pageB: Page;
  let roomId = '';
  const problems: string[] = [];

  before(async () => {
    ensureBuilt();
    stack = await startDevStack();
    [alice, bob] = await Promise.all([launchUser('alice-chat'), launchUser('bob-chat')]);
    [pageA, pageB] = await Promise.all([alice.page(), bob.page()]);
    for (const page of [pageA, pageB]) page.on('pageerror', (error) => problems.push(error.message));
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await stack?.dispose();
  });

  it('Alice and Bob sign up; Alice makes a room with Bob; two messages', { timeout: 120_000 }, async () => {
    await signUpPair([pageA, pageB], stack.urls.web, PASSWORD);
    roomId = await roomWith(pageA, 'Lunch', 'bob');
    await openRoom(pageB, roomId);
    await say(pageA, 'lunch at noon?\nthe usual place');
    await say(pageA, 'my card PIN is 4321');
    await waitForText(pageB, 'my card PIN is 4321');
  });

  it('Bob replies and reacts; Alice sees the quote and the reaction', STEP, async () => {
    await act(pageB, 'lunch at noon?', 'reply-button');
    assert.match(await shown(pageB, 'roomkey-room'), /Replying to\s*alice:\s*lunch at noon\?/);
    await say(pageB, 'yes, see you there');
    await waitForText(pageA, 'yes, see you there');
    const quote = row(pageA, 'yes, see you there').locator('[part=quote]');
    assert.equal(
      await quote.getAttribute('aria-label'),
      'Replying to You: lunch at noon? (show that message)',
    );

    await act(pageB, 'lunch at noon?', 'react-button');
    await row(pageB, 'lunch at noon?').locator('[aria-label="React with 👍"]').press('Enter');
    const chipA = row(pageA, 'lunch at noon?').locator('[part=reaction]');
    await chipA.waitFor({ timeout: 15_000 });
    assert.equal(await chipA.getAttribute('aria-label'), '👍 1: bob');
    await chipA.press('Enter'); // Alice adds hers by pressing the chip
    await waitFor(
      'two 👍 at Bob',
      async () =>
        (await row(pageB, 'lunch at noon?').locator('[part=reaction]').getAttribute('aria-label')) ===
        '👍 2: You, alice',
    );
  });

  it('Alice edits one message and deletes another; Bob sees "(edited)" and "deleted"', STEP, async () => {
    await act(pageA, 'lunch at noon?', 'edit-button');
    const field = pageA.locator('roomkey-room [part=edit-input]');
    await field.fill('lunch at 12:30?\nthe usual place');
    await field.press('Enter');
    await waitFor('edited at Bob', async () => (await row(pageB, 'lunch at 12:30?').count()) === 1, 15_000);
    assert.equal(await row(pageB, 'lunch at 12:30?').locator('[part=edited]').textContent(), '(edited)');

    await act(pageA, 'my card PIN', 'delete-button');
    await pageA.locator('roomkey-room [part=confirm-delete]').press('Enter');
    await waitFor(
      'deleted at Bob',
      async () => !(await shown(pageB, 'roomkey-room')).includes('4321'),
      15_000,
    );
    assert.match(await shown(pageB, 'roomkey-room'), /This message was deleted\./);
    await snap(pageB, 'chat-events-live');
    assert.equal(await axeViolations(pageB), '');
  });

  it('after Bob reloads, his history shows the same: reply, reactions, edit, delete', STEP, async () => {
    await pageB.reload();
    const unlock = pageB.locator('roomkey-sign-in #password');
    await unlock.waitFor();
    await waitFor('the room says locked', async () => /locked/i.test(await shown(pageB, 'roomkey-room')));
    await unlock.fill(PASSWORD.bob);
    await pageB.locator('roomkey-sign-in button[part=submit]').click();
    await waitForText(pageB, 'yes, see you there', SLOW);
    const text = await shown(pageB, 'roomkey-room');
    assert.ok(!text.includes('4321'), 'the deleted text is not shown after the reload');
    assert.ok(!text.includes('lunch at noon'), 'the edit applies after the reload');
    assert.match(text, /This message was deleted\./);
    assert.equal(await row(pageB, 'lunch at 12:30?').locator('[part=edited]').textContent(), '(edited)');
    assert.equal(
      await row(pageB, 'lunch at 12:30?').locator('[part=reaction]').getAttribute('aria-label'),
      '👍 2: You, alice',
    );
    assert.equal(
      await row(pageB, 'yes, see you there').locator('[part=quote]').getAttribute('aria-label'),
      'Replying to alice: lunch at 12:30? (show that message)',
    );
    // The invite is a row of his history too (issue 17 item 9), read back from the signed chain.
    assert.match(
      (await pageB.locator('roomkey-room [part=membership-words]').first().textContent()) ?? '',
      /^\S+ added you$/,
    );
    await snap(pageB, 'chat-events-after-reload');
    assert.deepEqual(problems, []);
  });
});
