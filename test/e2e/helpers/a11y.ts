// axe-core on a whole page in an e2e browser (the browser layer checks each element alone; this
// checks them together in a real page, with its landmarks and colours).
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Every axe violation on the page, one line each ('' when none). */
export async function axeViolations(page: Page): Promise<string> {
  await page.addScriptTag({ path: axePath });
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
