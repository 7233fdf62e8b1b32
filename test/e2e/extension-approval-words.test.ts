// The extension's approval, in words a person understands (issue 17 §6), in Debian's Chromium
// against the real local stack: the demo page (the script tag) waits for the site's approval and
// says so once, with a button that brings the approval window forward (no second window, nothing
// granted); the approval window says which site asks and what each answer does (axe-clean); the
// popup says the account state in words and names the waiting site instead of "No site has asked
// yet"; after Allow the page shows the true state ("Signed out"), not "offline" or "still starting".
// Screenshots: extension-approval, extension-popup-waiting-site, extension-page-after-allow.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import {
  type ExtensionStack,
  type ExtensionUser,
  launchWithExtension,
  startExtensionStack,
} from './helpers/extension.ts';
import { snap } from './helpers/screenshots.ts';

const STEP = { timeout: 45_000 };

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Every axe violation on an extension page, one per line ('' when none). Its CSP refuses the
 * inline script tag helpers/a11y.ts adds, so axe goes in through the DevTools protocol.
 */
async function axeViolations(page: Page): Promise<string> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: typeof import('axe-core') }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .flatMap((v) =>
        v.nodes.map((n) => `${v.id} (${v.impact}): ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`),
      )
      .join('\n');
  });
}

/** The text of the page's body, shadow roots included (the elements draw in theirs). */
function shownText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const walk = (node: Node): string => {
      if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
      if (node instanceof HTMLStyleElement || node instanceof HTMLScriptElement) return '';
      const shadow = node instanceof Element && node.shadowRoot ? walk(node.shadowRoot) : '';
      return shadow + [...node.childNodes].map(walk).join(' ');
    };
    return walk(document.body).replace(/\s+/g, ' ');
  });
}
const WAITING = 'Waiting for your approval in the RoomKey window.';

describe('extension approval words', { timeout: 240_000 }, () => {
  let stack: ExtensionStack;
  let alice: ExtensionUser;
  let site: Page;
  let origin: string;

  const approvalWindows = () =>
    alice.context.pages().filter((p) => p.url().includes('/approve.html') && !p.isClosed());

  before(async () => {
    ensureBuilt(); // dist/roomkey.js, which the stack's demo page loads
    stack = await startExtensionStack();
    alice = await launchWithExtension('alice');
    await alice.worker();
  });

  after(async () => {
    await alice?.close();
    await stack?.close();
  });

  it('the page says it waits for approval, once, and can bring the window forward', STEP, async () => {
    site = await alice.context.newPage();
    await site.goto(stack.stack.urls.web);
    origin = new URL(stack.stack.urls.web).origin;
    await waitFor('the approval window', async () => approvalWindows()[0], 15_000);
    const waiting = site.getByText(WAITING, { exact: true });
    await waitFor('the waiting words', async () => (await waiting.count()) > 0, 15_000);
    assert.equal(await waiting.count(), 1, 'said once on the page, not by every element');
    assert.doesNotMatch(
      await shownText(site),
      /still starting|not a member|Offline/,
      'nothing untrue meanwhile',
    );

    await site.getByRole('button', { name: 'Show the RoomKey window' }).click();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(approvalWindows().length, 1, 'the same window, not a second one');
    assert.equal(await waiting.count(), 1, 'still waiting: the button granted nothing');
  });

  it('the approval window says who asks for what, and what each answer does', STEP, async () => {
    const approval = approvalWindows()[0]!;
    await waitFor('its buttons', () => approval.locator('#allow').isEnabled(), 10_000);
    const main = ((await approval.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
    assert.match(main, new RegExp(`${origin.replace(/[.]/g, '\\.')} wants to use RoomKey`));
    assert.match(main, /What each answer does/);
    assert.match(main, /Allow The site can do what is listed above/);
    assert.match(main, /Deny The site gets nothing, and RoomKey remembers your answer/);
    assert.match(main, /Block this site The site gets nothing more from RoomKey/);
    assert.equal(await approval.locator('#allow').getAttribute('aria-describedby'), 'means-allow');
    assert.equal(await axeViolations(approval), '');
    await snap(approval, 'extension-approval');
  });

  it('the popup says the state in words and names the waiting site', STEP, async () => {
    const popup = await alice.extensionPage('popup.html');
    const status = popup.locator('#status');
    await status.waitFor({ timeout: 10_000 });
    await waitFor('the status', async () => ((await status.textContent()) ?? '').includes('Not signed in'));
    assert.doesNotMatch((await status.textContent()) ?? '', /signed-out|Keys:/);
    await waitFor('the waiting site', async () =>
      popup
        .locator('#pending')
        .isVisible()
        .catch(() => false),
    );
    assert.match((await popup.locator('#pending').textContent()) ?? '', new RegExp(`${origin} is waiting`));
    assert.doesNotMatch((await popup.locator('main').textContent()) ?? '', /No site has asked yet/);
    assert.equal(await axeViolations(popup), '');
    await snap(popup, 'extension-popup-waiting-site');
    await popup.close();
  });

  it('after Allow the page shows the true state: signed out, not offline', STEP, async () => {
    assert.match(await alice.answer('allow'), /wants to use RoomKey/);
    const signedOut = site.getByText('Signed out', { exact: true });
    await waitFor('the true state', async () => (await signedOut.count()) > 0, 15_000);
    assert.doesNotMatch(await shownText(site), /Waiting for your approval|still starting|Offline/);
    await snap(site, 'extension-page-after-allow');
  });
});
