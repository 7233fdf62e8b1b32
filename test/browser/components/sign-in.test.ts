import '../../../components/index.ts';
import { reportDefaultClientFailure, setDefaultClient } from '../../../components/client/default.ts';
import { NotApprovedError } from '../../../core/bridge/index.ts';
import { RateLimitedError, WrongPassphraseError } from '../../../core/errors.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import {
  $,
  $$,
  deepActiveElement,
  fixture,
  mount,
  recordEvents,
  settle,
  textOf,
  until,
} from '../helpers/dom.ts';
import { FakeExtensionClient, FakeRoomKeyClient } from '../helpers/fake-client.ts';
import { press, type } from '../helpers/keys.ts';

function input(el: Element, id: string): HTMLInputElement {
  return $<HTMLInputElement>(el, `#${id}`);
}

function fill(el: Element, values: Record<string, string>): void {
  for (const [id, value] of Object.entries(values)) {
    const field = input(el, id);
    field.value = value;
    field.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }
}

async function submit(el: HTMLElement): Promise<void> {
  $<HTMLButtonElement>(el, 'button[type=submit]').click();
  await settle(el);
}

describe('<roomkey-sign-in>', () => {
  it('renders the sign-in form with labelled fields and the status line', async () => {
    const client = new FakeRoomKeyClient();
    const el = await mount('roomkey-sign-in', { client });
    equal(textOf(el, 'h2'), 'Sign in to RoomKey');
    equal(input(el, 'username').autocomplete, 'username');
    equal(input(el, 'password').autocomplete, 'current-password');
    equal(input(el, 'username').labels?.[0]?.textContent?.trim(), 'Username');
    ok(textOf(el, '[part=status]').includes('Online'));
    ok(textOf(el, '[part=status]').includes('Signed out'));
    await expectNoAxeViolations(fixture(), 'sign-in');
  });

  it('shows validation messages and focuses the first invalid field', async () => {
    const client = new FakeRoomKeyClient();
    const el = await mount('roomkey-sign-in', { client });
    await submit(el);
    equal(textOf(el, '#username-error'), 'Enter your username.');
    equal(textOf(el, '#password-error'), 'Enter your password.');
    equal(input(el, 'username').getAttribute('aria-invalid'), 'true');
    ok(input(el, 'username').getAttribute('aria-describedby')?.includes('username-error'));
    equal(deepActiveElement(), input(el, 'username'));
    equal(client.calls.length, 0, 'no client call for an invalid form');
    await expectNoAxeViolations(fixture(), 'validation');
    fill(el, { username: 'alice' });
    await settle(el);
    equal(textOf(el, '#username-error'), '', 'typing clears the field error');
  });

  it('signs in and fires roomkey-signed-in, then shows the signed-in view', async () => {
    const client = new FakeRoomKeyClient();
    client.addAccount('alice', 'correct horse battery');
    const el = await mount('roomkey-sign-in', { client });
    const events = recordEvents(el, 'roomkey-signed-in');
    fill(el, { username: 'alice', password: 'correct horse battery' });
    await submit(el);
    await until(() => events.length === 1, 'roomkey-signed-in');
    const detail = events[0]!.detail as { session: { username: string }; created: boolean };
    equal(detail.session.username, 'alice');
    equal(detail.created, false);
    await settle(el);
    ok(textOf(el).includes('Signed in as alice'));
    ok($(el, '[part=lock]'));
    ok(textOf(el, '[part=status]').includes('Unlocked'));
    await expectNoAxeViolations(fixture(), 'ready');
  });

  it('wrong password: the error is shown in an alert and the form stays', async () => {
    const client = new FakeRoomKeyClient();
    client.addAccount('alice', 'correct horse battery');
    const el = await mount('roomkey-sign-in', { client });
    const errors = recordEvents(el, 'roomkey-error');
    fill(el, { username: 'alice', password: 'wrong password' });
    await submit(el);
    await until(() => textOf(el, '[part=error]'), 'error text');
    const alert = $(el, '[part=error]');
    equal(alert.getAttribute('role'), 'alert');
    equal(alert.textContent?.trim(), 'Wrong username or password.');
    equal(errors.length, 1);
    equal((errors[0]!.detail as { action: string }).action, 'sign-in');
    ok(input(el, 'username'), 'form still shown');
    await expectNoAxeViolations(fixture(), 'error');
  });

  it('shows a typed error message as written (rate limit)', async () => {
    const client = new FakeRoomKeyClient();
    client.addAccount('alice', 'pw-123456');
    client.failNext('signIn', new RateLimitedError(Date.now() + 30_000));
    const el = await mount('roomkey-sign-in', { client });
    fill(el, { username: 'alice', password: 'pw-123456' });
    await submit(el);
    await until(() => textOf(el, '[part=error]').startsWith('Too many attempts'), 'rate limit message');
  });

  it('is busy while the request runs: attribute, aria-busy, button text, no double submit', async () => {
    const client = new FakeRoomKeyClient();
    client.addAccount('alice', 'correct horse battery');
    const gate = client.gate('signIn');
    const el = await mount('roomkey-sign-in', { client });
    fill(el, { username: 'alice', password: 'correct horse battery' });
    await submit(el);
    await gate.reached;
    await settle(el);
    ok(el.hasAttribute('busy'));
    equal($(el, 'form').getAttribute('aria-busy'), 'true');
    equal(textOf(el, 'button[type=submit]'), 'Signing in…');
    equal(input(el, 'password').readOnly, true);
    await submit(el);
    equal(client.calls.filter((c) => c.method === 'signIn').length, 1);
    gate.release();
    await until(() => !el.hasAttribute('busy'), 'not busy');
  });

  it('signs up with confirmation; mismatched passwords and a bad username are explained', async () => {
    const client = new FakeRoomKeyClient();
    const el = await mount('roomkey-sign-in', { client }, { mode: 'sign-up' });
    equal(textOf(el, 'h2'), 'Create a RoomKey account');
    equal(input(el, 'password').autocomplete, 'new-password');
    fill(el, { username: 'a!', password: 'short', confirm: 'short' });
    await submit(el);
    ok(textOf(el, '#username-error').startsWith('Username:'));
    equal(textOf(el, '#password-error'), 'Choose a password of at least 8 characters.');
    fill(el, { username: 'carol', password: 'long enough pw', confirm: 'different pw' });
    await submit(el);
    equal(textOf(el, '#confirm-error'), "The two passwords don't match.");
    await expectNoAxeViolations(fixture(), 'sign-up errors');
    const events = recordEvents(el, 'roomkey-signed-in');
    fill(el, { confirm: 'long enough pw' });
    await submit(el);
    await until(() => events.length === 1, 'signed-in event');
    equal((events[0]!.detail as { created: boolean }).created, true);
    equal(client.session?.username, 'carol');
  });

  it('switches between sign-in and sign-up', async () => {
    const client = new FakeRoomKeyClient();
    const el = await mount('roomkey-sign-in', { client });
    $<HTMLButtonElement>(el, '[part=switch]').click();
    await settle(el);
    equal(el.getAttribute('mode'), 'sign-up');
    ok(input(el, 'confirm'));
  });

  it('locks and unlocks; a wrong password on unlock is announced', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice', 'correct horse battery');
    const el = await mount('roomkey-sign-in', { client });
    const locked = recordEvents(el, 'roomkey-locked');
    $<HTMLButtonElement>(el, '[part=lock]').click();
    await until(() => locked.length === 1, 'locked event');
    await settle(el);
    equal(textOf(el, 'h2'), 'Unlock RoomKey');
    ok(textOf(el, '[part=status]').includes('Locked'));
    ok(textOf(el).includes('Signed in as alice'));
    await expectNoAxeViolations(fixture(), 'locked');
    // The element shows the client's own words (a fake keeping the contract says BadCredentialsError).
    client.failNext('unlock', new WrongPassphraseError());
    fill(el, { password: 'nope' });
    await submit(el);
    await until(() => textOf(el, '[part=error]').startsWith('Wrong passphrase'), 'unlock error');
    equal($(el, '[part=error]').getAttribute('role'), 'alert');
    const unlocked = recordEvents(el, 'roomkey-unlocked');
    fill(el, { password: 'correct horse battery' });
    await submit(el);
    await until(() => unlocked.length === 1, 'unlocked event');
    await settle(el);
    ok(textOf(el).includes('Signed in as alice'));
  });

  it('signs out', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const el = await mount('roomkey-sign-in', { client });
    const out = recordEvents(el, 'roomkey-signed-out');
    $<HTMLButtonElement>(el, '[part=sign-out]').click();
    await until(() => out.length === 1, 'signed-out event');
    await settle(el);
    equal(textOf(el, 'h2'), 'Sign in to RoomKey');
  });

  it('shows every connection state in words', async () => {
    const client = new FakeRoomKeyClient();
    // Signed in: signed out (or locked), RoomKey is not connected on purpose and says so instead.
    client.signedInAs('alice');
    const el = await mount('roomkey-sign-in', { client });
    const words: Record<string, string> = {
      connecting: 'Connecting',
      online: 'Online',
      offline: "Offline: can't reach the RoomKey server",
      reconnecting: 'Connection lost, reconnecting',
    };
    for (const [state, text] of Object.entries(words)) {
      client.setConnection(state as 'online');
      await settle(el);
      ok(textOf(el, '[part=status]').includes(text), `${state}: ${textOf(el, '[part=status]')}`);
      equal($(el, '[part=status]').dataset['connection'], state);
    }
    await expectNoAxeViolations(fixture(), 'reconnecting');
  });

  it('uses the default client when no client property is set, and follows changes', async () => {
    setDefaultClient(undefined);
    const el = await mount('roomkey-sign-in');
    ok(textOf(el, '[part=status]').includes('Not connected'));
    const client = new FakeRoomKeyClient();
    client.signedInAs('dora');
    setDefaultClient(client);
    await settle(el);
    ok(textOf(el).includes('Signed in as dora'));
    const other = new FakeRoomKeyClient();
    el.client = other;
    await settle(el);
    equal(textOf(el, 'h2'), 'Sign in to RoomKey', 'own client wins over the default');
    setDefaultClient(undefined);
  });

  it('a submit before the page has a client waits for it instead of failing', async () => {
    setDefaultClient(undefined);
    const el = await mount('roomkey-sign-in');
    fill(el, { username: 'erin', password: 'correct horse battery' });
    await submit(el);
    ok(el.busy, 'busy while waiting for the client');
    equal(textOf(el, '[part=error]'), '', 'no error while the client is on its way');
    const client = new FakeRoomKeyClient();
    client.addAccount('erin', 'correct horse battery');
    setDefaultClient(client);
    await until(() => textOf(el).includes('Signed in as erin'), 'signed in once the client came');
    equal(client.calls.filter((c) => c.method === 'signIn').length, 1);
    setDefaultClient(undefined);
  });

  it('a password typed before the client came unlocks the store the client turns out to hold', async () => {
    // Until the client says what this device holds, the form is the sign-in one; a person (or a
    // password manager) fills the password and submits. The client then reports a locked store:
    // the submit must unlock it, not fail "enter your username" and vanish as the view changes.
    setDefaultClient(undefined);
    const el = await mount('roomkey-sign-in');
    fill(el, { password: 'correct horse battery' });
    await submit(el);
    ok(el.busy, 'waiting for the client, not refused');
    equal(
      textOf(el, '[part=field-error]'),
      '',
      'no "enter your username" for a form that is not the final one',
    );
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice', 'correct horse battery');
    client.keys = 'locked';
    const unlocked = recordEvents(el, 'roomkey-unlocked');
    setDefaultClient(client);
    await until(() => unlocked.length === 1, 'unlocked with the password typed early');
    await settle(el);
    ok(textOf(el).includes('Signed in as alice'));
    equal(client.calls.filter((c) => c.method === 'unlock').length, 1);
    setDefaultClient(undefined);
  });

  it('a sign-in form submitted early still asks for the username when the device holds no account', async () => {
    setDefaultClient(undefined);
    const el = await mount('roomkey-sign-in');
    fill(el, { password: 'correct horse battery' });
    await submit(el);
    setDefaultClient(new FakeRoomKeyClient());
    await until(() => !el.busy, 'done waiting');
    await settle(el);
    equal(textOf(el, '#username-error'), 'Enter your username.');
    equal(deepActiveElement()?.id, 'username', 'focus on the field to fix');
    setDefaultClient(undefined);
  });

  it('says so when the page client could not start; a waiting submit stops waiting', async () => {
    setDefaultClient(undefined);
    const el = await mount('roomkey-sign-in');
    fill(el, { username: 'erin', password: 'correct horse battery' });
    await submit(el);
    ok(el.busy, 'waiting for the client');
    reportDefaultClientFailure('the RoomKey server did not answer');
    await until(() => !el.busy, 'the submit stopped waiting');
    const why = 'RoomKey could not start: the RoomKey server did not answer. Reload the page to try again.';
    equal(textOf(el, '[part=error]'), why);
    equal(textOf(el, '[part=connection-status]'), why);
    equal($(el, '[part=status]').dataset['connection'], 'failed');
    await expectNoAxeViolations(fixture(), 'client failed');
    const client = new FakeRoomKeyClient();
    setDefaultClient(client);
    await settle(el);
    equal(textOf(el, '[part=connection-status]'), 'Online', 'a client clears the failure');
    setDefaultClient(undefined);
  });

  it('keyboard: Tab order username → password → submit, Enter submits', async () => {
    const client = new FakeRoomKeyClient();
    client.addAccount('alice', 'correct horse battery');
    const el = await mount('roomkey-sign-in', { client });
    const events = recordEvents(el, 'roomkey-signed-in');
    input(el, 'username').focus();
    await type('alice');
    await press('Tab');
    equal(deepActiveElement(), input(el, 'password'));
    await type('correct horse battery');
    await press('Tab');
    equal(deepActiveElement(), $(el, 'button[type=submit]'));
    equal(getComputedStyle(deepActiveElement()!).outlineStyle, 'solid', 'keyboard focus is visible');
    await press('Shift+Tab');
    await press('Enter');
    await until(() => events.length === 1, 'signed in by Enter');
    await settle(el);
    equal(deepActiveElement(), $(el, '#heading'), 'focus moves to the new view, not to <body>');
    ok($$(el, 'button').length >= 2);
  });
});

describe('<roomkey-sign-in> with the RoomKey extension', () => {
  const MARK = 'data-roomkey-extension';
  const openButton = (el: Element) => $<HTMLButtonElement>(el, '[part=open-extension]');

  it('signed out: no password field, a labelled button that asks the extension for its window', async () => {
    const client = new FakeExtensionClient();
    const el = await mount('roomkey-sign-in', { client });
    equal(textOf(el, 'h2'), 'Sign in to RoomKey');
    equal($$(el, 'input').length, 0, 'no input at all');
    equal(openButton(el).textContent?.trim(), 'Sign in with the RoomKey extension');
    ok(textOf(el, '[part=hint]').includes("RoomKey extension's own window"));
    ok(textOf(el, '[part=status]').includes('Signed out'));
    await expectNoAxeViolations(fixture(), 'extension signed out');
    openButton(el).click();
    await until(() => client.opened === 1, 'openSignIn');
    equal(client.calls.filter((c) => c.method !== 'openSignIn').length, 0, 'nothing else was called');
  });

  it('sign-up mode names what the extension window will do', async () => {
    const el = await mount('roomkey-sign-in', { client: new FakeExtensionClient() }, { mode: 'sign-up' });
    equal(textOf(el, 'h2'), 'Create a RoomKey account');
    equal($$(el, 'input').length, 0);
    equal(openButton(el).textContent?.trim(), 'Create an account with the RoomKey extension');
  });

  it('follows the extension: signed in there → roomkey-signed-in, Lock but no Sign out', async () => {
    const client = new FakeExtensionClient();
    const el = await mount('roomkey-sign-in', { client });
    const signedIn = recordEvents(el, 'roomkey-signed-in');
    client.userSignsIn('alice');
    await until(() => signedIn.length === 1, 'roomkey-signed-in');
    const detail = signedIn[0]!.detail as { session: { username: string }; created: boolean };
    equal(detail.session.username, 'alice');
    equal(detail.created, false);
    await settle(el);
    ok(textOf(el).includes('Signed in as alice'));
    ok($(el, '[part=lock]'));
    equal($$(el, '[part=sign-out]').length, 0, 'signing out is the extension’s');
    ok(textOf(el, '[part=hint]').includes('toolbar button'));
    await expectNoAxeViolations(fixture(), 'extension ready');
    const out = recordEvents(el, 'roomkey-signed-out');
    client.userSignsOut();
    await until(() => out.length === 1, 'roomkey-signed-out');
  });

  it('locked: "Unlock in RoomKey"; Lock and the unlock in the extension are reported once each', async () => {
    const client = new FakeExtensionClient();
    client.signedInAs('alice');
    const el = await mount('roomkey-sign-in', { client });
    const locked = recordEvents(el, 'roomkey-locked');
    $<HTMLButtonElement>(el, '[part=lock]').click();
    await until(() => locked.length === 1, 'locked event');
    await settle(el);
    equal(locked.length, 1, 'once');
    equal(textOf(el, 'h2'), 'Unlock RoomKey');
    ok(textOf(el).includes('Signed in as alice'));
    equal($$(el, 'input').length, 0);
    equal(openButton(el).textContent?.trim(), 'Unlock in RoomKey');
    await expectNoAxeViolations(fixture(), 'extension locked');
    const unlocked = recordEvents(el, 'roomkey-unlocked');
    openButton(el).click();
    await until(() => client.opened === 1, 'asked for the window');
    client.userUnlocks();
    await until(() => unlocked.length === 1, 'roomkey-unlocked');
    equal(client.calls.filter((c) => c.method === 'unlock').length, 0, 'no password went through the page');
  });

  it('a refusal (site not approved) is shown in an alert', async () => {
    const client = new FakeExtensionClient();
    client.openError = new NotApprovedError('RoomKey: this site is not approved.');
    const el = await mount('roomkey-sign-in', { client });
    const errors = recordEvents(el, 'roomkey-error');
    openButton(el).click();
    await until(() => textOf(el, '[part=error]'), 'error text');
    equal($(el, '[part=error]').getAttribute('role'), 'alert');
    equal(textOf(el, '[part=error]'), 'RoomKey: this site is not approved.');
    equal((errors[0]!.detail as { action: string }).action, 'sign-in');
  });

  it('before the client arrives, a page the extension marked shows no password field either', async () => {
    setDefaultClient(undefined);
    document.documentElement.setAttribute(MARK, '1');
    try {
      const el = await mount('roomkey-sign-in');
      equal($$(el, 'input').length, 0, 'no field a password could be typed into');
      openButton(el).click();
      await settle(el);
      ok(el.busy, 'waits for the client');
      const client = new FakeExtensionClient();
      setDefaultClient(client);
      await until(() => client.opened === 1, 'asked once the client came');
      await until(() => !el.busy, 'done');
    } finally {
      document.documentElement.removeAttribute(MARK);
      setDefaultClient(undefined);
    }
  });

  it('a marked page whose client turns out to be in-page shows the form (in-page mode is unchanged)', async () => {
    setDefaultClient(undefined);
    document.documentElement.setAttribute(MARK, '1');
    try {
      const el = await mount('roomkey-sign-in');
      equal($$(el, 'input').length, 0);
      setDefaultClient(new FakeRoomKeyClient());
      await settle(el);
      ok(input(el, 'username'));
      ok(input(el, 'password'));
    } finally {
      document.documentElement.removeAttribute(MARK);
      setDefaultClient(undefined);
    }
  });
});
