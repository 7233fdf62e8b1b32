// A page waiting for the user's approval can bring the approval window forward by asking again:
// the same question shares the one window and answer (no second window, nothing granted), and its
// window is focused. The popup counts waiting questions by site, the same count it names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessGate } from '../../../extension/lib/access.ts';
import { ApprovalPrompts } from '../../../extension/lib/approval-prompts.ts';
import { ApprovalStore } from '../../../extension/lib/approvals.ts';
import type { Caller } from '../../../extension/lib/origin.ts';
import { FakeArea, FakeWindow, OTHER, SITE, tick } from './fakes.ts';

class FocusWindow extends FakeWindow {
  readonly focused: number[] = [];
  async focus(handle: number): Promise<void> {
    this.focused.push(handle);
  }
}

const page = (origin: string): Caller => ({ kind: 'site', origin, frame: 'page' });

describe('approval window focus', () => {
  it('asking again brings the waiting window forward and opens no other', async () => {
    const approvals = await ApprovalStore.load(new FakeArea());
    const window = new FocusWindow();
    const prompts = new ApprovalPrompts(window);
    const gate = new AccessGate({ approvals, prompts, roomName: async () => null });
    const first = gate.site(page(SITE));
    for (let i = 0; i < 20 && window.opened.length === 0; i++) await tick();
    assert.equal(window.opened.length, 1);
    const again = gate.site(page(SITE));
    for (let i = 0; i < 20 && window.focused.length === 0; i++) await tick();
    assert.deepEqual(window.focused, [1], 'the one window is focused');
    assert.equal(window.opened.length, 1, 'no second window');
    assert.equal(approvals.site(SITE), undefined, 'asking again granted nothing');

    const other = gate.site(page(OTHER)).catch(() => undefined);
    for (let i = 0; i < 20 && window.opened.length < 2; i++) await tick();
    assert.deepEqual(prompts.origins().sort(), [OTHER, SITE].sort());
    assert.equal(prompts.focusAll(), true);

    assert.ok(prompts.answer(window.opened[0]!, 'allow'));
    await Promise.all([first, again]);
    assert.equal(approvals.site(SITE), 'granted');
    assert.ok(prompts.answer(window.opened[1]!, 'deny'));
    await other;
    assert.deepEqual(prompts.origins(), []);
    assert.equal(prompts.focusAll(), false);
  });
});
