// <roomkey-room>'s contact trust: badges per member, the key-change warning naming the contact,
// the safety-number dialog (digits + QR), checking a pasted code, accepting a key change; axe clean.
import '../../../components/index.ts';
import type { ContactView } from '../../../core/client/contacts.ts';
import { BadSignatureError } from '../../../core/errors.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, fixture, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

const DIGITS = '123451234512345123451234512345678906789067890678906789067890';

/** The fake client with contacts: bob starts as given; verify checks the code like core does. */
class ContactsClient extends FakeRoomKeyClient {
  trust = new Map<string, ContactView>();
  view(userId: string, trust: ContactView['trust']): ContactView {
    const username = userId.replace('user-', '');
    const groups = DIGITS.match(/\d{5}/g) as string[];
    const v = {
      userId,
      username,
      trust,
      safetyNumber: { digits: DIGITS, groups, qrText: `roomkey-safety:v1:${DIGITS}` },
    };
    this.trust.set(userId, v);
    return v;
  }
  async contacts(ids: readonly string[]): Promise<ContactView[]> {
    return ids.map((id) => this.trust.get(id) ?? this.view(id, 'unverified'));
  }
  async verifyContact(userId: string, scanned?: string): Promise<ContactView> {
    if (scanned !== undefined && !scanned.includes(DIGITS))
      throw new BadSignatureError('That is not the safety number of you and bob.');
    return this.view(userId, 'verified');
  }
  async unverifyContact(userId: string): Promise<ContactView> {
    return this.view(userId, 'unverified');
  }
  async acceptKeyChange(userId: string): Promise<ContactView> {
    return this.view(userId, 'unverified');
  }
  changeKey(userId: string): void {
    this.view(userId, 'key-changed');
    this.dispatchEvent(new CustomEvent('contacts', { detail: { userIds: [userId] } }));
  }
}

async function openRoom() {
  const client = new ContactsClient();
  client.signedInAs('alice');
  const room = client.addRoom('Project X', ['bob']);
  const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
  await until(() => el.shadowRoot?.querySelector('[part=trust-badge]'), 'trust badge');
  await settle(el);
  return { client, el };
}

describe('<roomkey-room> contact verification', () => {
  it('shows each other member as not verified, verifies by a pasted code, refuses a wrong one', async () => {
    const { el } = await openRoom();
    equal(textOf(el, '[part=trust-badge]'), 'Not verified');
    equal($$(el, '[part=trust-badge]').length, 1, 'none for oneself');
    $(el, '[part=verify-button]').click();
    await settle(el);
    const dialog = $<HTMLDialogElement>(el, 'dialog.verify');
    ok(dialog.open, 'the dialog opens');
    equal(textOf(el, '#verify-title'), 'Verify bob');
    equal($$(el, '[part=safety-number] span').length, 12);
    ok($(el, '[part=safety-qr] path').getAttribute('d')!.length > 100, 'a QR is drawn');
    await expectNoAxeViolations(fixture(), 'verify dialog');

    $<HTMLInputElement>(el, '#verify-code').value = `roomkey-safety:v1:${'9'.repeat(60)}`;
    $(el, '[part=verify-check]').click();
    await until(() => textOf(el, '#verify-error'), 'the refusal');
    ok(textOf(el, '#verify-error').includes('not the safety number'));
    equal(textOf(el, '[part=trust-badge]'), 'Not verified');

    $<HTMLInputElement>(el, '#verify-code').value = `roomkey-safety:v1:${DIGITS}`;
    $(el, '[part=verify-check]').click();
    await until(() => textOf(el, '[part=trust-badge]') === 'Verified', 'verified badge');
    ok(textOf(el, '[part=verify-status]').includes('verified'));
  });

  it('a key change warns in the room naming the contact; Review shows the change and accepting makes bob not verified', async () => {
    const { client, el } = await openRoom();
    await client.verifyContact('user-bob');
    client.changeKey('user-bob');
    await until(() => el.shadowRoot?.querySelector('[part=key-warning]'), 'the warning');
    await settle(el);
    ok(textOf(el, '[part=key-warning]').includes("bob's safety number changed"));
    equal(textOf(el, '[part=trust-badge]'), 'Key changed');
    await expectNoAxeViolations(fixture(), 'key warning');
    $(el, '[part=review-key-change]').click();
    await settle(el);
    ok(textOf(el, '#verify-title').includes("bob's safety number changed"));
    ok(textOf(el, '[part=key-change-review]').includes('different identity key'));
    await expectNoAxeViolations(fixture(), 'key change review');
    $(el, '[part=accept-key]').click();
    await until(() => textOf(el, '[part=trust-badge]') === 'Not verified', 'not verified after accepting');
    equal($$(el, '[part=key-warning]').length, 0, 'the warning goes');
  });
});

/** The fake client with passkeys: on/off/unavailable as set; unlock without a password. */
class PasskeyClient extends FakeRoomKeyClient {
  passkey: 'on' | 'off' | 'unavailable' = 'off';
  async passkeyStatus() {
    const message = {
      on: 'A passkey unlocks RoomKey.',
      off: 'Add a passkey to unlock.',
      unavailable: 'This browser cannot unlock RoomKey with a passkey.',
    }[this.passkey];
    return { state: this.passkey, message };
  }
  async addPasskey() {
    this.passkey = 'on';
    return this.passkeyStatus();
  }
  async removePasskey() {
    this.passkey = 'off';
    return this.passkeyStatus();
  }
  async unlockWithPasskey() {
    this.setKeys('ready');
  }
}

describe('<roomkey-passkey> (in <roomkey-sign-in>)', () => {
  it('offers a passkey after sign-in, unlocks with it when locked, removes it; says plainly when unavailable', async () => {
    const client = new PasskeyClient();
    client.signedInAs('alice');
    const el = await mount('roomkey-sign-in', { client });
    const passkey = () => $(el, 'roomkey-passkey');
    await until(() => passkey().shadowRoot?.querySelector('[part=add-passkey]'), 'add button');
    await expectNoAxeViolations(fixture(), 'offer');
    $(passkey(), '[part=add-passkey]').click();
    await until(() => passkey().shadowRoot?.querySelector('[part=remove-passkey]'), 'remove button');
    await client.lock();
    await until(() => passkey().shadowRoot?.querySelector('[part=unlock-passkey]'), 'unlock button');
    ok($(el, '#password'), 'the password stays as the fallback');
    await expectNoAxeViolations(fixture(), 'locked');
    $(passkey(), '[part=unlock-passkey]').click();
    await until(
      () => client.keys === 'ready' && passkey().shadowRoot?.querySelector('[part=remove-passkey]'),
      'unlocked',
    );
    $(passkey(), '[part=remove-passkey]').click();
    await until(() => passkey().shadowRoot?.querySelector('[part=add-passkey]'), 'removed');
    client.passkey = 'unavailable';
    await client.lock();
    client.setKeys('ready');
    await until(() => textOf(passkey(), '[part=passkey-status]').includes('cannot'), 'told plainly');
    equal(passkey().shadowRoot!.querySelectorAll('button').length, 0);
  });
});
