// Membership rows in <roomkey-room>'s history (issue 17 item 9): "alice added bob", "alice removed
// bob", "bob left", "alice renamed the room to …" in stream order among the messages, from the
// history and live (said to screen readers too); axe clean.
import '../../../components/index.ts';
import type { MembershipRow, StoredMessage } from '../../../components/client/types.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $$, fixture, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

const T0 = Date.UTC(2025, 2, 3, 9, 0);
const user = (name: string) => ({ userId: `user-${name}`, username: name });

/** A row as core/client makes it (core/client/membership-rows.ts). */
function row(
  roomId: string,
  seq: number,
  fields: Pick<MembershipRow, 'change' | 'byUserId' | 'byUsername' | 'users'> & {
    name?: string;
    own?: boolean;
  },
): MembershipRow {
  return {
    status: 'membership',
    own: fields.own ?? false,
    roomId,
    messageId: `commit-${seq}`,
    epoch: seq,
    seq,
    storedAtMs: T0 + seq * 1000,
    ...fields,
  };
}

const rowTexts = (el: Element) =>
  $$(el, 'li[data-key]').map((li) =>
    li.dataset['status'] === 'membership'
      ? `* ${li.querySelector('[part=membership-words]')?.textContent?.trim()}`
      : (li.querySelector('[part~=text]')?.textContent?.trim() ?? ''),
  );

describe('<roomkey-room> membership rows', () => {
  it('shows who added, removed, left and renamed, in stream order among messages, and live', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const room = client.addRoom('Launch', ['bob', 'carol', 'dave']);
    const id = room.roomId;
    const at = (seq: number) => ({ sentAtMs: T0 + seq * 1000 });
    const message = (text: string, seq: number, by = 'bob'): StoredMessage => ({
      ...client.makeMessage(id, text, { ...at(seq), senderUserId: `user-${by}`, senderUsername: by }),
      seq,
      storedAtMs: T0 + seq * 1000,
    });
    client.histories.set(id, [
      row(id, 1, {
        change: 'added',
        own: true,
        byUserId: 'user-alice',
        byUsername: 'alice',
        users: [user('bob'), user('carol')],
      }),
      message('hello all', 2),
      row(id, 3, { change: 'removed', byUserId: 'user-bob', byUsername: 'bob', users: [user('carol')] }),
      row(id, 4, { change: 'left', byUserId: 'user-dave', byUsername: 'dave', users: [] }),
      row(id, 5, {
        change: 'renamed',
        byUserId: 'user-bob',
        byUsername: 'bob',
        users: [],
        name: 'Launch 🚀',
      }),
      message('new name!', 6),
    ]);
    const loaded = new Promise<void>((resolve) =>
      document.addEventListener('roomkey-history-loaded', () => resolve(), { once: true }),
    );
    const el = await mount('roomkey-room', { client }, { 'room-id': id });
    await loaded;
    await settle(el);
    equal(
      rowTexts(el).join(' | '),
      [
        '* You added bob and carol',
        'hello all',
        '* bob removed carol',
        '* dave left',
        '* bob renamed the room to “Launch 🚀”',
        'new name!',
      ].join(' | '),
    );
    const first = $$(el, 'li[data-status=membership]')[0]!;
    ok(first.querySelector('time')?.getAttribute('datetime'), 'the time JetStream stored the change');
    equal(
      $$(el, 'li[data-status=membership] [part~=actions], li[data-status=membership] button').length,
      0,
      'no message actions on a membership row',
    );
    await expectNoAxeViolations(fixture(), 'membership rows');

    client.deliver(
      row(id, 7, { change: 'removed', byUserId: 'user-bob', byUsername: 'bob', users: [user('alice')] }),
    );
    await until(() => rowTexts(el).at(-1) === '* bob removed you', 'the live row, last');
    await until(() => textOf(el, '[aria-live=polite]') === 'bob removed you', 'said to screen readers');
    await expectNoAxeViolations(fixture(), 'live membership row');
  });
});
