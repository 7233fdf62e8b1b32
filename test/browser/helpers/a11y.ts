/**
 * axe-core in the page: fails with every violation listed (rule, impact, target, summary).
 * Finite CSS animations (a toast fading in) are let finish first, so colours are measured as a
 * person sees them once things settle.
 * @example await expectNoAxeViolations(fixture());
 */
import axe from 'axe-core';
import { AssertionError } from '../../helpers/assert.ts';

export async function expectNoAxeViolations(context: Element, label = ''): Promise<void> {
  const finite = animationsIn(context).filter((a) =>
    Number.isFinite(Number(a.effect?.getComputedTiming().endTime ?? Number.POSITIVE_INFINITY)),
  );
  await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
  const result = await axe.run(context, { resultTypes: ['violations'] });
  if (result.violations.length === 0) return;
  const lines = result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`),
  );
  throw new AssertionError(
    `axe${label ? ` [${label}]` : ''}: ${lines.length} violation(s)\n${lines.join('\n')}`,
  );
}

/** Animations running in the document and in every open shadow root at or under `root`. */
function animationsIn(root: Element): Animation[] {
  const found = [...document.getAnimations()];
  const visit = (host: Element): void => {
    if (!host.shadowRoot) return;
    found.push(...host.shadowRoot.getAnimations());
    for (const inner of host.shadowRoot.querySelectorAll('*')) visit(inner);
  };
  visit(root);
  for (const element of root.querySelectorAll('*')) visit(element);
  return [...new Set(found)];
}
