// Contact trust under a client that may not change it (a page under the RoomKey extension: it has
// `contacts` and `openVerifyContact`, no `verifyContact`): the members panel and the key-change
// warning as in-page, the dialog shows the number and "Verify in RoomKey" (no way to mark verified
// or accept from the page), and the verdict arriving as a `contacts` event updates badge and
// dialog. `<roomkey-verify-contact>` (the extension's verify window) over a client that may.
import '../../../components/index.ts';
import type { ContactView } from '../../../core/client/contacts.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, fixture, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

const DIGITS = '123451234512345123451234512345678906789067890678906789067890';

/** A page's client under the extension: reads trust, asks for the extension's window. */
class AskingClient extends FakeRoomKeyClient {
  trust = new Map<string, ContactView>();
  asked: string[] = [];
  set(userId: string, trust: ContactView['trust']): ContactView {
    const groups = DIGITS.match(/\d{5}/g) as string[];
    const v = {
      userId,
      username: userId.replace('user-', ''),
      trust,
      safetyNumber: { digits: DIGITS, groups, qrText: `roomkey-safety:v1:${DIGITS}` },
    };
    this.trust.set(userId, v);
    return v;
  }
  async contacts(ids: readonly string[]): Promise<ContactView[]> {
    return ids.map((id) => this.trust.get(id) ?? this.set(id, 'unverified'));
  }
  async openVerifyContact(userId: string): Promise<void> {
    this.asked.push(userId);
  }
  /** What the extension's window did, as the page hears it. */
  decided(userId: string, trust: ContactView['trust']): void {
    this.set(userId, trust);
    this.dispatchEvent(new CustomEvent('contacts', { detail: { userIds: [userId] } }));
  }
}

/** The extension's own client: may verify. */
class DecidingClient extends AskingClient {
  async verifyContact(userId: string): Promise<ContactView> {
    return this.set(userId, 'verified');
  }
  async acceptKeyChange(userId: string): Promise<ContactView> {
    return this.set(userId, 'unverified');
  }
  async unverifyContact(userId: string): Promise<ContactView> {
    return this.set(userId, 'unverified');
  }
}

describe('<roomkey-room> contact trust under the extension', () => {
  it('asks the extension to verify; the verdict comes back as an event', async () => {
    const client = new AskingClient();
    client.signedInAs('alice');
    const room = client.addRoom('Project X', ['bob']);
    const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
    await until(() => el.shadowRoot?.querySelector('[part=trust-badge]'), 'trust badge');
    equal(textOf(el, '[part=trust-badge]'), 'Not verified');
    $(el, '[part=verify-button]').click();
    await settle(el);
    ok($<HTMLDialogElement>(el, 'dialog.verify').open, 'the dialog opens');
    equal($$(el, '[part=safety-number] span').length, 12, 'the number is shown');
    equal(
      $$(el, '[part=verify-match], [part=verify-check], [part=accept-key]').length,
      0,
      'nothing to mark here',
    );
    await expectNoAxeViolations(fixture(), 'asking dialog');
    $(el, '[part=verify-in-extension]').click();
    await until(() => client.asked.length === 1, 'asked');
    equal(client.asked[0], 'user-bob');
    client.decided('user-bob', 'verified');
    await until(() => textOf(el, '[part=trust-badge]') === 'Verified', 'verified badge');
  });

  it('a key change warns naming the contact; Review asks the extension', async () => {
    const client = new AskingClient();
    client.signedInAs('alice');
    const room = client.addRoom('Project X', ['bob']);
    const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
    await until(() => el.shadowRoot?.querySelector('[part=trust-badge]'), 'trust badge');
    client.decided('user-bob', 'key-changed');
    await until(() => el.shadowRoot?.querySelector('[part=key-warning]'), 'the warning');
    ok(textOf(el, '[part=key-warning]').includes("bob's safety number changed"));
    $(el, '[part=review-key-change]').click();
    await settle(el);
    equal(textOf(el, '[part=verify-in-extension]'), 'Review in RoomKey');
    $(el, '[part=verify-in-extension]').click();
    await until(() => client.asked.length === 1, 'asked');
    client.decided('user-bob', 'unverified');
    await until(() => $$(el, '[part=key-warning]').length === 0, 'the warning goes');
  });
});

describe('<roomkey-verify-contact>', () => {
  it('opens the dialog for its contact and marks it verified with a client that may', async () => {
    const client = new DecidingClient();
    client.signedInAs('alice');
    const el = await mount('roomkey-verify-contact', { client }, { 'user-id': 'user-bob' });
    await until(() => el.shadowRoot?.querySelector<HTMLDialogElement>('dialog.verify')?.open, 'dialog open');
    equal(textOf(el, '#verify-title'), 'Verify bob');
    await expectNoAxeViolations(fixture(), 'verify window');
    $(el, '[part=verify-match]').click();
    await until(() => textOf(el, '[part=verify-status]').includes('marked verified'), 'verified');
    equal(client.trust.get('user-bob')?.trust, 'verified');
  });
});
