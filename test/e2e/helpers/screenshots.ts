// Screenshots of the main views, taken by the e2e run so a reviewer can see them without running
// anything: test/e2e/screenshots/<name>.png (git-ignored). A failed screenshot never fails a test:
// the picture is for people, the assertions are the test's.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from './build.ts';

/** Where the pictures go (ROOMKEY_SCREENSHOTS moves it, e.g. into a CI artifact folder). */
export const SCREENSHOT_DIR =
  process.env['ROOMKEY_SCREENSHOTS'] ?? join(repoRoot, 'test', 'e2e', 'screenshots');

/**
 * Saves what `page` shows as `<name>.png` (letters, digits and dashes only; a full page).
 * @example await snap(page, 'embed-room');
 */
export async function snap(page: Page, name: string): Promise<void> {
  const file = join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  try {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 10_000 });
  } catch (error) {
    process.stderr.write(`screenshot ${name} not saved: ${(error as Error).message}\n`);
  }
}
