// Contacts' trust through the extension's hub: a site's page reads the trust and safety number of
// members of rooms approved for it and nobody else's (NotApprovedError, no data); it may ask for
// the extension's verify window for those members only; it can never verify, take back or accept
// a key change itself, even with a request forged past the content script; the extension's own
// pages can, and each page hears of a change only for contacts it may see.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContactView, RoomSummary } from '../../../core/client/index.ts';
import { VerifyWindow } from '../../../extension/lib/verify-window.ts';
import { OTHER, SITE, tick } from './fakes.ts';
import { assertNotApproved, type Reply, resultOf, startHub } from './hub-harness.ts';
import { probe } from './loopback-sdk.ts';

function assertExtensionOnly(reply: Reply, what: string): void {
  assert.equal(reply.kind, 'error', `${what}: ${JSON.stringify(reply)}`);
  const { error } = reply as { error: { code: string; extensionOnly?: boolean; message: string } };
  assert.equal(error.code, 'forbidden', what);
  assert.equal(error.extensionOnly, true, what);
  assert.match(error.message, /own window/, what);
}

async function setUp() {
  const windows: string[] = [];
  const verifyWindow = new VerifyWindow(
    {
      open: async (path) => {
        windows.push(path);
        return windows.length;
      },
      focus: async () => undefined,
      close: async () => undefined,
    },
    { quietMs: 0 },
  );
  const h = await startHub({ deps: { verifyWindow } });
  const page = h.site(SITE, 1);
  const connecting = page.call('connect');
  await h.answerNext('allow');
  resultOf(await connecting);
  // The site's room, with Bob; and a room of the user's that the site was never given, with Carol.
  const { roomId } = resultOf<RoomSummary>(await page.call('createRoom', { name: 'Team' }));
  const team = resultOf<RoomSummary>(
    await h.popup.call('invite', { roomId, username: 'bob', shareHistory: false }),
  );
  const bob = team.members.find((m) => m.username === 'bob')!.userId;
  const secret = resultOf<RoomSummary>(await h.popup.call('createRoom', { name: 'Private' }));
  const withCarol = resultOf<RoomSummary>(
    await h.popup.call('invite', { roomId: secret.roomId, username: 'carol', shareHistory: false }),
  );
  const carol = withCarol.members.find((m) => m.username === 'carol')!.userId;
  return { ...h, page, bob, carol, windows };
}

describe('contacts through the hub', () => {
  it('a page reads the trust of its rooms’ members only', async () => {
    const { page, bob, carol, popup } = await setUp();
    const [view] = resultOf<ContactView[]>(await page.call('contacts', { userIds: [bob] }));
    assert.equal(view?.userId, bob);
    assert.equal(view?.trust, 'unverified');
    assert.match(view?.safetyNumber?.qrText ?? '', /^roomkey-safety:v1:\d{60}$/);
    assertNotApproved(await page.call('contacts', { userIds: [carol] }), 'a member of a room not approved');
    assertNotApproved(await page.call('contacts', { userIds: [bob, carol] }), 'one outside is enough');
    assertNotApproved(await page.call('contacts', { userIds: ['unode'] }), 'a stranger');
    // The extension's own pages see everyone.
    assert.equal(resultOf<ContactView[]>(await popup.call('contacts', { userIds: [bob, carol] })).length, 2);
  });

  it('a site never approved gets NotApprovedError and no data', async () => {
    const h = await setUp();
    const other = h.site(OTHER, 2);
    assertNotApproved(await other.call('contacts', { userIds: [h.bob] }), 'unapproved site');
    assertNotApproved(await other.call('openVerifyContact', { userId: h.bob }), 'unapproved site asks');
    assert.deepEqual(h.windows, []);
  });

  it('a page cannot set verified or accept a key change, even past the content script', async () => {
    const { page, bob, sealedFrame, popup } = await setUp();
    for (const [method, params] of [
      ['verifyContact', { userId: bob, scanned: null }],
      ['unverifyContact', { userId: bob }],
      ['acceptKeyChange', { userId: bob }],
    ] as const) {
      assertExtensionOnly(await page.call(method, params), `page ${method}`);
    }
    const [still] = resultOf<ContactView[]>(await page.call('contacts', { userIds: [bob] }));
    assert.equal(still?.trust, 'unverified', 'nothing was marked');
    // A sealed frame is the extension's UI, but inside the site's page (which could clickjack it).
    resultOf(await popup.call('connect'));
    const sealed = sealedFrame(SITE, 1, 'a'.repeat(32));
    assertExtensionOnly(await sealed.call('verifyContact', { userId: bob }), 'sealed verifyContact');
  });

  it('a page may ask for the verify window for its rooms’ members; the extension’s verdict reaches it as an event', async () => {
    const { page, bob, carol, popup, windows } = await setUp();
    assertNotApproved(await page.call('openVerifyContact', { userId: carol }), 'not its member');
    assert.deepEqual(windows, []);
    resultOf(await page.call('openVerifyContact', { userId: bob }));
    assert.equal(windows.length, 1);
    const url = new URL(windows[0]!, 'chrome-extension://ext');
    assert.equal(url.pathname, '/verify.html');
    assert.equal(url.searchParams.get('user'), bob);
    assert.equal(url.searchParams.get('site'), SITE);

    const verified = resultOf<ContactView>(await popup.call('verifyContact', { userId: bob }));
    assert.equal(verified.trust, 'verified');
    for (let i = 0; i < 50 && page.events('contacts').length === 0; i++) await tick();
    assert.deepEqual(page.events('contacts'), [{ type: 'contacts', detail: { userIds: [bob] } }]);
    const [now] = resultOf<ContactView[]>(await page.call('contacts', { userIds: [bob] }));
    assert.equal(now?.trust, 'verified');

    // Carol's key changes: the page may not see her, so it hears nothing.
    await probe.keyChange(carol);
    await probe.keyChange(bob);
    for (let i = 0; i < 50 && page.events('contacts').length < 2; i++) await tick();
    assert.deepEqual(page.events('contacts').at(-1), { type: 'contacts', detail: { userIds: [bob] } });
    assert.equal(page.events('contacts').length, 2, 'nothing about Carol');
  });
});
