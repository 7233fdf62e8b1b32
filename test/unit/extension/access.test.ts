// The approval gate and its questions: when the user is asked, what is remembered, and that an
// unapproved caller gets NotApprovedError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotApprovedError } from '../../../core/bridge/index.ts';
import { AccessGate } from '../../../extension/lib/access.ts';
import { ApprovalPrompts } from '../../../extension/lib/approval-prompts.ts';
import { ApprovalStore } from '../../../extension/lib/approvals.ts';
import type { Caller } from '../../../extension/lib/origin.ts';
import { FakeArea, FakeWindow, ROOM_A, ROOM_B, SITE, tick } from './fakes.ts';

async function setup(timeoutMs = 60_000) {
  const approvals = await ApprovalStore.load(new FakeArea());
  const window = new FakeWindow();
  const prompts = new ApprovalPrompts(window, { timeoutMs });
  const gate = new AccessGate({
    approvals,
    prompts,
    roomName: async (id) => (id === ROOM_A ? 'Project A' : null),
  });
  /** Answers the question opened last, once it is open. */
  const answer = async (decision: 'allow' | 'deny' | 'block' | 'dismiss') => {
    for (let i = 0; i < 20 && window.opened.length === 0; i++) await tick();
    const id = window.opened.at(-1)!;
    assert.ok(prompts.answer(id, decision), 'the question was pending');
    window.opened.length = 0;
  };
  return { approvals, window, prompts, gate, answer };
}

const page: Caller = { kind: 'site', origin: SITE, frame: 'page' };
const sealed: Caller = { kind: 'site', origin: SITE, frame: 'sealed' };

describe('access gate', () => {
  it('connect asks once; allow is remembered', async () => {
    const { gate, answer, window, approvals } = await setup();
    const connecting = gate.site(page);
    await answer('allow');
    await connecting;
    assert.equal(approvals.site(SITE), 'granted');
    await gate.site(page);
    assert.equal(window.opened.length, 0, 'not asked again');
  });

  it('deny on the site question blocks the site; later requests fail at once', async () => {
    const { gate, answer, window } = await setup();
    const connecting = gate.site(page);
    await answer('deny');
    await assert.rejects(connecting, NotApprovedError);
    await assert.rejects(gate.site(page), NotApprovedError);
    await assert.rejects(gate.room(page, ROOM_A, 'read'), NotApprovedError);
    assert.equal(window.opened.length, 0);
  });

  it('a closed question is not remembered: the site may ask again', async () => {
    const { gate, answer, approvals } = await setup();
    const connecting = gate.site(page);
    await answer('dismiss');
    await assert.rejects(connecting, NotApprovedError);
    assert.equal(approvals.site(SITE), undefined);
  });

  it('a page must connect before any room question; the extension itself needs none', async () => {
    const { gate, window } = await setup();
    await assert.rejects(gate.room(page, ROOM_A, 'read'), /connect first/);
    assert.throws(() => gate.requireSite(page), NotApprovedError);
    assert.equal(window.opened.length, 0);
    assert.equal(await gate.room({ kind: 'extension', admin: false }, ROOM_A, 'read'), 'read');
    assert.equal(gate.accessOf({ kind: 'extension', admin: false }, ROOM_A), 'all');
  });

  it('"site X wants room Y": asked per room with the room name, answers remembered per room', async () => {
    const { gate, answer, approvals, prompts, window } = await setup();
    await approvals.grantSite(SITE);
    const reading = gate.room(page, ROOM_A, 'read');
    for (let i = 0; i < 20 && window.opened.length === 0; i++) await tick();
    assert.deepEqual(prompts.view(window.opened[0]!), {
      id: window.opened[0],
      origin: SITE,
      roomId: ROOM_A,
      access: 'read',
      roomName: 'Project A',
    });
    await answer('allow');
    assert.equal(await reading, 'read');
    const other = gate.room(page, ROOM_B, 'read');
    await answer('deny');
    await assert.rejects(other, NotApprovedError);
    await assert.rejects(gate.room(page, ROOM_B, 'read'), NotApprovedError);
    assert.equal(gate.accessOf(page, ROOM_A), 'read');
    assert.equal(gate.accessOf(page, ROOM_B), undefined);
  });

  it('a page with sealed access must ask again to read; a sealed frame needs no more', async () => {
    const { gate, answer, approvals } = await setup();
    await approvals.grantSite(SITE);
    await approvals.grantRoom(SITE, ROOM_A, 'sealed');
    assert.equal(await gate.room(sealed, ROOM_A, 'sealed'), 'sealed');
    assert.equal(await gate.room(page, ROOM_A, 'sealed'), 'sealed');
    const declined = gate.room(page, ROOM_A, 'read');
    await answer('deny');
    await assert.rejects(declined, NotApprovedError);
    assert.equal(gate.accessOf(page, ROOM_A), 'sealed', 'still shown sealed');
    await assert.rejects(gate.room(page, ROOM_A, 'read'), NotApprovedError); // not asked again
    await approvals.revokeRoom(SITE, ROOM_A);
    await approvals.grantRoom(SITE, ROOM_A, 'sealed');
    const upgrade = gate.room(page, ROOM_A, 'read');
    await answer('allow');
    assert.equal(await upgrade, 'read');
  });

  it('a sealed frame asks for its room before the site was approved; allow approves that room only', async () => {
    const { gate, answer, approvals, window } = await setup();
    const showing = gate.room(sealed, ROOM_A, 'sealed');
    await answer('allow');
    assert.equal(await showing, 'sealed');
    assert.equal(approvals.site(SITE), undefined, 'a sealed grant is not a site grant');
    assert.equal(gate.accessOf(sealed, ROOM_A), 'sealed');
    assert.equal(gate.siteGranted(sealed), true, 'the frame (extension UI) hears the account state');
    // The site's page gets nothing: no state, no room, not even the sealed one, and no question.
    assert.equal(gate.siteGranted(page), false);
    assert.equal(gate.accessOf(page, ROOM_A), undefined);
    assert.throws(() => gate.requireSite(page), NotApprovedError);
    await assert.rejects(gate.room(page, ROOM_A, 'sealed'), /connect first/);
    await assert.rejects(gate.room(page, ROOM_A, 'read'), /connect first/);
    assert.equal(window.opened.length, 0);
    // Declining a room of a site never asked does not approve the site either.
    const other = gate.room(sealed, ROOM_B, 'sealed');
    await answer('deny');
    await assert.rejects(other, NotApprovedError);
    assert.equal(approvals.site(SITE), undefined);
  });

  it('a blocked site’s sealed frames hear nothing', async () => {
    const { gate, approvals } = await setup();
    await approvals.grantRoom(SITE, ROOM_A, 'sealed');
    await approvals.denySite(SITE);
    assert.equal(gate.siteGranted(sealed), false);
    assert.equal(gate.accessOf(sealed, ROOM_A), undefined);
  });

  it('"block this site" from a room question blocks every room', async () => {
    const { gate, answer, approvals } = await setup();
    await approvals.grantSite(SITE);
    const reading = gate.room(page, ROOM_A, 'read');
    await answer('block');
    await assert.rejects(reading, NotApprovedError);
    assert.equal(approvals.site(SITE), 'denied');
    await assert.rejects(gate.site(page), NotApprovedError);
  });

  it('the same question from many requests opens one window; one site asks one question at a time', async () => {
    const { gate, answer, approvals, window } = await setup();
    await approvals.grantSite(SITE);
    const first = gate.room(page, ROOM_A, 'read');
    const second = gate.room(page, ROOM_A, 'read');
    const third = gate.room(page, ROOM_B, 'read');
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(window.opened.length, 1, 'only one window at a time for one site');
    await answer('block');
    await assert.rejects(first, NotApprovedError);
    await assert.rejects(second, NotApprovedError);
    await assert.rejects(third, NotApprovedError);
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(window.opened.length, 0, 'the blocked site’s queued question never opened');
  });

  it('a membership change is confirmed act by act: asked every time, never remembered', async () => {
    const { gate, answer, approvals, prompts, window } = await setup();
    await approvals.grantRoom(SITE, ROOM_A, 'read');
    const act = { kind: 'invite', username: 'bob', shareHistory: true } as const;
    const first = gate.confirm(page, ROOM_A, act);
    for (let i = 0; i < 20 && window.opened.length === 0; i++) await tick();
    assert.deepEqual(prompts.view(window.opened[0]!), {
      id: window.opened[0],
      origin: SITE,
      roomId: ROOM_A,
      access: null,
      roomName: 'Project A',
      act,
      frame: 'page',
    });
    await answer('allow');
    await first;
    const second = gate.confirm(page, ROOM_A, act);
    await answer('deny');
    await assert.rejects(second, /adding bob to this room was not confirmed/);
    const closed = gate.confirm(sealed, ROOM_A, { kind: 'remove', userId: 'u1', username: 'carol' });
    await answer('dismiss');
    await assert.rejects(closed, NotApprovedError);
    assert.equal(approvals.roomAccess(SITE, ROOM_A), 'read', 'no answer changed a grant');
    await gate.confirm({ kind: 'extension', admin: false }, ROOM_A, act);
    assert.equal(window.opened.length, 0, 'the extension’s own pages are not asked');
  });

  it('two requests for the same change are two questions; a block ends the queued one unasked', async () => {
    const { gate, answer, approvals, window } = await setup();
    await approvals.grantRoom(SITE, ROOM_A, 'read');
    const act = { kind: 'invite', username: 'mallory', shareHistory: false } as const;
    const one = gate.confirm(page, ROOM_A, act);
    const two = gate.confirm(page, ROOM_A, act);
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(window.opened.length, 1, 'one window at a time, and not shared');
    await answer('block');
    await assert.rejects(one, NotApprovedError);
    await assert.rejects(two, NotApprovedError);
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(window.opened.length, 0);
    assert.equal(approvals.site(SITE), 'denied');
    await assert.rejects(gate.confirm(page, ROOM_A, act), NotApprovedError);
  });

  it('an unanswered question times out as dismissed and its window is closed', async () => {
    const { gate, window } = await setup(20);
    await assert.rejects(gate.site(page), NotApprovedError);
    assert.deepEqual(window.closed, [1]);
  });

  it('closing the window dismisses the question', async () => {
    const { gate, prompts, window } = await setup();
    const connecting = gate.site(page);
    for (let i = 0; i < 20 && window.opened.length === 0; i++) await tick();
    prompts.windowClosed(1);
    await assert.rejects(connecting, NotApprovedError);
    assert.equal(prompts.size, 0);
    assert.equal(prompts.answer(window.opened[0]!, 'allow'), false, 'too late to answer');
  });
});
