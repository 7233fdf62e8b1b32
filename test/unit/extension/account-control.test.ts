// Issue 11, points 1 and 2, in the background: only the extension's own pages sign in, sign up,
// unlock or sign out; a site (its page, or the sealed frame it embeds) gets ExtensionOnlyError,
// approved or not, whatever it sends; it may lock, and may ask for the sign-in window, which opens
// once (then is focused) and carries the site's gateway only as a suggestion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BRIDGE_PORT } from '../../../extension/lib/messages.ts';
import { SignInWindow } from '../../../extension/lib/sign-in-window.ts';
import { OTHER, SITE } from './fakes.ts';
import { createHub, EXT, type Reply } from './hub-harness.ts';

const PW = 'alice password';
const ALICE = { gateway: 'http://127.0.0.1/', username: 'alice', password: PW };
const MALLORY = { gateway: 'https://evil.example/', username: 'mallory', password: 'mallory pw' };

async function setup() {
  const opened: string[] = [];
  const focused: number[] = [];
  let now = 1_000_000;
  const signInWindow = new SignInWindow(
    {
      open: async (path) => {
        opened.push(path);
        return opened.length;
      },
      focus: async (handle) => {
        focused.push(handle);
      },
    },
    { now: () => now },
  );
  const { account, approvals, popup, open, sealedFrame } = await createHub({
    deps: { signInWindow },
    patience: 400,
  });
  const page = (origin: string, tabId: number) =>
    open(BRIDGE_PORT, { id: EXT.id, origin, url: `${origin}/app`, tab: { id: tabId }, frameId: 0 });
  const sealed = sealedFrame(SITE, 1, 'a'.repeat(32));
  await approvals.grantSite(SITE);
  return {
    account,
    approvals,
    popup,
    app: page(SITE, 1),
    sealed,
    stranger: page(OTHER, 2),
    opened,
    focused,
    signInWindow,
    later: (ms: number) => {
      now += ms;
    },
  };
}

function extensionOnly(reply: Reply, what: string): void {
  assert.equal(reply.kind, 'error', `${what}: ${JSON.stringify(reply)}`);
  const { error } = reply as { error: { code: string; extensionOnly?: boolean; message: string } };
  assert.equal(error.code, 'forbidden', what);
  assert.equal(error.extensionOnly, true, what);
  assert.match(error.message, /RoomKey extension/, what);
}

const ok = (reply: Reply, what: string) =>
  assert.equal(reply.kind, 'result', `${what}: ${JSON.stringify(reply)}`);

describe('account control: only the extension’s own pages', () => {
  it('an approved page and a sealed frame cannot sign out, sign in elsewhere, or sign up', async () => {
    const { popup, app, sealed, account, approvals } = await setup();
    ok(await popup.call('signUp', ALICE), 'the popup signs up');
    for (const port of [app, sealed]) {
      extensionOnly(await port.call('signOut'), 'signOut');
      extensionOnly(await port.call('signIn', MALLORY), 'signIn');
      extensionOnly(await port.call('signUp', MALLORY), 'signUp');
    }
    assert.deepEqual(
      [account.state.keys, account.state.session?.username, account.state.gateway],
      ['ready', 'alice', ALICE.gateway],
    );
    ok(await popup.call('signOut'), 'the popup signs out');
    // Sign-out forgets the approvals; the user approves the site again…
    await approvals.grantSite(SITE);
    // …and signed out, the page still cannot pick the account or the gateway (login CSRF).
    for (const port of [app, sealed]) {
      extensionOnly(await port.call('signIn', MALLORY), 'signIn when signed out');
      extensionOnly(await port.call('signUp', MALLORY), 'signUp when signed out');
    }
    assert.deepEqual([account.state.keys, account.state.gateway], ['signed-out', null]);
  });

  it('unlock is no password oracle: wrong and right passwords get the same refusal', async () => {
    const { popup, app, sealed, account } = await setup();
    ok(await popup.call('signUp', ALICE), 'sign up');
    ok(await app.call('lock'), 'a page may lock: it only takes access away');
    assert.equal(account.state.keys, 'locked');
    for (const port of [app, sealed]) {
      const wrong = await port.call('unlock', { password: 'guess' });
      const right = await port.call('unlock', { password: PW });
      extensionOnly(wrong, 'unlock wrong');
      extensionOnly(right, 'unlock right');
      assert.deepEqual(
        (wrong as { error: unknown }).error,
        (right as { error: unknown }).error,
        'indistinguishable',
      );
    }
    assert.equal(account.state.keys, 'locked');
    ok(await popup.call('unlock', { password: PW }), 'the popup unlocks');
    assert.equal(account.state.keys, 'ready');
  });

  it('an unapproved page hears NotApprovedError, as for everything else', async () => {
    const { stranger } = await setup();
    for (const method of ['signOut', 'lock', 'openSignIn']) {
      const reply = await stranger.call(method, method === 'openSignIn' ? { gateway: null } : {});
      assert.equal((reply as { error: { notApproved?: boolean } }).error?.notApproved, true, method);
    }
  });
});

describe('account control: the sign-in window', () => {
  it('a page asks; one window opens with its origin and gateway as a suggestion; asking again focuses it', async () => {
    const { app, sealed, opened, focused, later, account } = await setup();
    ok(await app.call('openSignIn', { gateway: 'https://gw.example/' }), 'openSignIn');
    assert.deepEqual(opened, [
      `/sign-in.html?site=${encodeURIComponent(SITE)}&gateway=${encodeURIComponent('https://gw.example/')}`,
    ]);
    ok(await app.call('openSignIn', { gateway: 'https://other.example/' }), 'again, at once');
    assert.deepEqual(focused, [], 'a burst from one site is one window, not a focus fight');
    later(5000);
    ok(await app.call('openSignIn', { gateway: null }), 'again, later');
    ok(await sealed.call('openSignIn', { gateway: 'https://ignored.example/' }), 'its sealed frame, at once');
    later(5000);
    ok(await sealed.call('openSignIn', { gateway: 'https://ignored.example/' }), 'its sealed frame, later');
    assert.equal(opened.length, 1, 'still one window');
    assert.deepEqual(focused, [1, 1], 'focused twice: the same site is one asker, page or sealed frame');
    assert.equal(account.state.keys, 'signed-out', 'asking changes nothing');
  });

  it('a closed window opens again; signed in and unlocked there is nothing to show', async () => {
    const { app, popup, opened, signInWindow, later } = await setup();
    ok(await app.call('openSignIn', { gateway: null }), 'first');
    signInWindow.closed(1);
    later(5000);
    ok(await app.call('openSignIn', { gateway: null }), 'after the user closed it');
    assert.equal(opened.length, 2);
    assert.equal(opened[1], `/sign-in.html?site=${encodeURIComponent(SITE)}`);
    ok(await popup.call('signUp', ALICE), 'sign up');
    signInWindow.closed(2);
    later(5000);
    ok(await app.call('openSignIn', { gateway: null }), 'when ready');
    assert.equal(opened.length, 2, 'no window when there is nothing to sign in to');
  });

  it('the request carries no credentials and answers nothing', async () => {
    const { app } = await setup();
    const extra = await app.call('openSignIn', { gateway: null, password: 'x' });
    assert.equal((extra as { error: { code: string } }).error.code, 'malformed');
    const bad = await app.call('openSignIn', { gateway: 'javascript:alert(1)' });
    assert.equal((bad as { error: { code: string } }).error.code, 'malformed');
    const reply = await app.call('openSignIn', {});
    assert.deepEqual(reply, { kind: 'result', id: 'q3', result: null });
  });
});
