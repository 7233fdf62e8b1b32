// The chat basics of <roomkey-room> (issue 17 item 10, and item 2's sticky history): safe links
// and kept line breaks, day separators, grouping, "New since you left", "Show more", "Jump to
// latest", and replies, edits, deletes and reactions sent from each message's actions (by
// keyboard) and applied as they arrive. axe is clean in each state.
import '../../../components/index.ts';
import type { MessageEventInput, SentMessage, StoredMessage } from '../../../components/client/types.ts';
import type { RoomKeyRoom } from '../../../components/room.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, deepActiveElement, fixture, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';
import { press, type } from '../helpers/keys.ts';

/** The fake client with sendEvent: stores the event as this user's message, as the real ones do. */
class ChatClient extends FakeRoomKeyClient {
  readonly events: MessageEventInput[] = [];
  async sendEvent(roomId: string, event: MessageEventInput): Promise<SentMessage> {
    this.events.push(event);
    const text = event.action === 'reply' || event.action === 'edit' ? event.text : '';
    const base = this.makeMessage(roomId, text, {
      status: 'sent',
      senderUserId: this.session!.userId,
      senderUsername: this.session!.username,
      sentAtMs: Date.now(),
    }) as SentMessage;
    const message: SentMessage =
      event.action === 'reply'
        ? { ...base, replyTo: event.replyTo }
        : {
            ...base,
            action: event.action,
            target: event.target,
            ...('reaction' in event ? { reaction: event.reaction } : {}),
          };
    this.histories.get(roomId)?.push(message);
    return message;
  }
}

async function openRoom(setup: (client: ChatClient, roomId: string) => void) {
  const client = new ChatClient();
  client.signedInAs('alice');
  const room = client.addRoom('Chat', ['bob']);
  setup(client, room.roomId);
  const loaded = new Promise<void>((resolve) =>
    document.addEventListener('roomkey-history-loaded', () => resolve(), { once: true }),
  );
  const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
  await loaded;
  await settle(el);
  return { client, el, roomId: room.roomId };
}

const rowOf = (el: RoomKeyRoom, text: string) =>
  $$(el, 'li[data-key]').find((r) => r.querySelector('[part~=text]')?.textContent?.includes(text))!;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 3, 9, 0);

describe('<roomkey-room> chat basics', () => {
  it('links are safe and clickable; line breaks are kept; javascript: stays text', async () => {
    const { el } = await openRoom((client, roomId) => {
      client.histories.set(roomId, [
        client.makeMessage(roomId, 'see https://example.com/a?b=1. and mailto:bob@example.com\nnext line'),
        client.makeMessage(roomId, 'javascript:alert(1) and data:text/html,hi and http://[bad'),
      ]);
    });
    const links = $$<HTMLAnchorElement>(el, 'a[part=link]');
    equal(links.length, 2);
    equal(links[0]!.href, 'https://example.com/a?b=1');
    equal(links[0]!.textContent, 'https://example.com/a?b=1', 'the full stop is not part of it');
    equal(links[0]!.target, '_blank');
    equal(links[0]!.rel, 'noopener noreferrer');
    equal(links[1]!.href, 'mailto:bob@example.com');
    const text = rowOf(el, 'see ').querySelector<HTMLElement>('[part~=text]')!;
    ok(text.textContent!.includes('\nnext line'), 'the line break is in the text');
    equal(getComputedStyle(text).whiteSpace, 'pre-wrap');
    ok(
      text.getBoundingClientRect().height > 1.8 * Number.parseFloat(getComputedStyle(text).lineHeight),
      'two lines',
    );
    equal(rowOf(el, 'javascript:').querySelectorAll('a').length, 0);
    await expectNoAxeViolations(fixture(), 'links');
  });

  it('day separators, grouped senders, and "New since you left" at the first unread message', async () => {
    const { el } = await openRoom((client, roomId) => {
      const list: StoredMessage[] = [
        client.makeMessage(roomId, 'monday one', { sentAtMs: T0 }),
        client.makeMessage(roomId, 'monday two', { sentAtMs: T0 + 60_000 }),
        client.makeMessage(roomId, 'mine', {
          sentAtMs: T0 + 120_000,
          status: 'sent',
          senderUserId: 'user-alice',
          senderUsername: 'alice',
        }),
        client.makeMessage(roomId, 'tuesday one', { sentAtMs: T0 + DAY }),
        client.makeMessage(roomId, 'tuesday two', { sentAtMs: T0 + DAY + 30_000 }),
      ];
      // The first three were read before (the client marks them), the rest are new.
      for (const m of list.slice(0, 2)) Object.assign(m, { read: true });
      client.histories.set(roomId, list);
    });
    const separators = $$(el, '[part=day-separator]').map((s) => s.textContent?.trim());
    equal(separators.length, 2, 'one per day');
    ok(rowOf(el, 'monday one').querySelector('[part=day-separator]'));
    ok(rowOf(el, 'tuesday one').querySelector('[part=day-separator]'));
    ok(!rowOf(el, 'monday one').hasAttribute('data-grouped'));
    ok(rowOf(el, 'monday two').hasAttribute('data-grouped'), 'same sender, a minute later');
    ok(!rowOf(el, 'mine').hasAttribute('data-grouped'), 'another sender');
    ok(!rowOf(el, 'tuesday one').hasAttribute('data-grouped'), 'another day');
    // A grouped row keeps the sender for screen readers (visually hidden).
    equal(rowOf(el, 'monday two').querySelector('[part=sender]')?.textContent, 'bob');
    const markers = $$(el, '[part=unread-marker]');
    equal(markers.length, 1);
    equal(markers[0]!.textContent?.trim(), 'New since you left');
    ok(rowOf(el, 'tuesday one').contains(markers[0]!));
    await expectNoAxeViolations(fixture(), 'days, groups, unread');
  });

  it('a long message starts collapsed; "Show more" opens it and says so', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n');
    const { el } = await openRoom((client, roomId) => {
      client.histories.set(roomId, [client.makeMessage(roomId, long), client.makeMessage(roomId, 'short')]);
    });
    const row = rowOf(el, 'line 1');
    const text = row.querySelector<HTMLElement>('[part~=text]')!;
    const more = row.querySelector<HTMLButtonElement>('[part=show-more]')!;
    equal(more.textContent?.trim(), 'Show more');
    equal(more.getAttribute('aria-expanded'), 'false');
    const collapsed = text.getBoundingClientRect().height;
    more.click();
    await settle(el);
    equal(more.getAttribute('aria-expanded'), 'true');
    equal(more.textContent?.trim(), 'Show less');
    ok(text.getBoundingClientRect().height > collapsed * 1.5, 'opened');
    equal(rowOf(el, 'short').querySelectorAll('[part=show-more]').length, 0);
    await expectNoAxeViolations(fixture(), 'show more');
  });

  it('sticks to the newest message; scrolled up, new messages wait behind "Jump to latest"', async () => {
    const { el, client, roomId } = await openRoom((c, id) => c.seedHistory(id, 300));
    const box = $(el, '[part=history]');
    const atBottom = () => Math.abs(box.scrollHeight - box.scrollTop - box.clientHeight) < 2;
    ok(atBottom());
    equal($$(el, '[part=jump-to-latest]').length, 0);
    client.deliver(client.makeMessage(roomId, 'followed'));
    await until(() => rowOf(el, 'followed'), 'new message');
    await settle(el);
    ok(atBottom(), 'followed at the bottom');

    box.scrollTop = 0;
    const jump = await until(() => $$<HTMLButtonElement>(el, '[part=jump-to-latest]')[0], 'jump button');
    equal(jump.textContent?.trim(), 'Jump to latest');
    client.deliver(client.makeMessage(roomId, 'while away'));
    await until(() => jump.textContent?.includes('1 new message'), 'counts what came');
    ok(box.scrollTop < 50, 'the reader stays where they were');
    await expectNoAxeViolations(fixture(), 'jump to latest');
    jump.click();
    await until(() => atBottom() && $$(el, '[part=jump-to-latest]').length === 0, 'back at the newest');
    ok(rowOf(el, 'while away'));
  });

  it('reply, react, edit and delete by keyboard from a message’s actions', async () => {
    const { el, client } = await openRoom((c, id) => {
      c.histories.set(id, [
        c.makeMessage(id, 'lunch at noon?\nor later'),
        c.makeMessage(id, 'my tpyo', { status: 'sent', senderUserId: 'user-alice', senderUsername: 'alice' }),
      ]);
    });
    const theirs = rowOf(el, 'lunch');
    const toggle = theirs.querySelector<HTMLButtonElement>('[part=actions-button]')!;
    equal(toggle.getAttribute('aria-label'), "Actions for bob's message");
    equal(theirs.querySelectorAll('[part=edit-button]').length, 0, 'no edit on their messages');
    toggle.focus();
    await press('Enter');
    await settle(el);
    equal(toggle.getAttribute('aria-expanded'), 'true');
    equal(deepActiveElement()?.getAttribute('part'), 'reply-button', 'focus moves into the actions');
    equal(theirs.querySelectorAll('[part=edit-button], [part=delete-button]').length, 0);
    await expectNoAxeViolations(fixture(), 'actions open');

    // Reply: the composer says to what; the message goes out as a reply and quotes the original.
    await press('Enter');
    await settle(el);
    ok(textOf(el, '[part=replying-to]').includes('Replying to bob: lunch at noon?'));
    equal(deepActiveElement()?.id, 'composer-input');
    await expectNoAxeViolations(fixture(), 'replying');
    await type('yes');
    await press('Enter');
    await until(() => rowOf(el, 'yes'), 'reply shown');
    await settle(el);
    equal(client.events[0]?.action, 'reply');
    equal($$(el, '[part=replying-to]').length, 0, 'the reply line goes');
    const quote = rowOf(el, 'yes').querySelector<HTMLButtonElement>('[part=quote]')!;
    equal(quote.getAttribute('aria-label'), 'Replying to bob: lunch at noon? (show that message)');

    // React with 👍 from the picker; the chip counts it and a second press takes it back.
    rowOf(el, 'lunch').querySelector<HTMLButtonElement>('[part=actions-button]')!.click();
    await settle(el);
    rowOf(el, 'lunch').querySelector<HTMLButtonElement>('[part=react-button]')!.click();
    await settle(el);
    equal(deepActiveElement()?.getAttribute('aria-label'), 'React with 👍');
    await press('Enter');
    await until(() => rowOf(el, 'lunch').querySelector('[part=reaction]'), 'reaction chip');
    const chip = rowOf(el, 'lunch').querySelector<HTMLButtonElement>('[part=reaction]')!;
    equal(chip.textContent?.replace(/\s+/g, ' ').trim(), '👍 1');
    equal(chip.getAttribute('aria-pressed'), 'true');
    equal(chip.getAttribute('aria-label'), '👍 1: You');
    await expectNoAxeViolations(fixture(), 'reacted');
    chip.click();
    await until(() => !rowOf(el, 'lunch').querySelector('[part=reaction]'), 'reaction taken back');
    equal(client.events.at(-1)?.action, 'unreact');

    // Edit one's own message: Enter saves, the row says "(edited)".
    const mine = rowOf(el, 'my tpyo');
    mine.querySelector<HTMLButtonElement>('[part=actions-button]')!.click();
    await settle(el);
    const edit = mine.querySelector<HTMLButtonElement>('[part=edit-button]')!;
    equal(edit.getAttribute('aria-label'), 'Edit your message');
    edit.click();
    await settle(el);
    const field = deepActiveElement() as HTMLTextAreaElement;
    equal(field.getAttribute('part'), 'edit-input');
    await expectNoAxeViolations(fixture(), 'editing');
    field.select();
    await type('my typo, fixed');
    await press('Enter');
    await until(() => rowOf(el, 'my typo, fixed'), 'edit applied');
    equal(rowOf(el, 'my typo, fixed').querySelector('[part=edited]')?.textContent, '(edited)');
    equal(client.events.at(-1)?.action, 'edit');

    // Delete asks first, then the row says so and keeps no text.
    rowOf(el, 'my typo, fixed').querySelector<HTMLButtonElement>('[part=actions-button]')!.click();
    await settle(el);
    rowOf(el, 'my typo, fixed').querySelector<HTMLButtonElement>('[part=delete-button]')!.click();
    await settle(el);
    equal(deepActiveElement()?.getAttribute('part'), 'confirm-delete');
    await expectNoAxeViolations(fixture(), 'delete question');
    await press('Enter');
    await until(() => $$(el, '[part~=deleted]').length === 1, 'deleted');
    equal(textOf(el, '[part~=deleted]'), 'This message was deleted.');
    ok(!el.messages.some((m) => 'text' in m && m.text.includes('typo')), 'the text is gone from the rows');
    equal(client.events.at(-1)?.action, 'delete');
    await expectNoAxeViolations(fixture(), 'deleted');

    // The quote jumps to its message.
    quote.click();
    await settle(el);
    equal(deepActiveElement()?.getAttribute('data-key'), rowOf(el, 'lunch').dataset['key']);
  });

  it('events from others apply as they arrive: an edit by someone else is ignored', async () => {
    const { el, client, roomId } = await openRoom((c, id) => {
      c.histories.set(id, [
        c.makeMessage(id, 'original by bob'),
        c.makeMessage(id, 'mine', { status: 'sent', senderUserId: 'user-alice', senderUsername: 'alice' }),
      ]);
    });
    const bobs = (el.messages[0] as StoredMessage).messageId;
    const mine = (el.messages[1] as StoredMessage).messageId;
    const event = (text: string, fields: object, sender = 'bob') =>
      ({
        ...client.makeMessage(roomId, text, { senderUserId: `user-${sender}`, senderUsername: sender }),
        ...fields,
      }) as StoredMessage;
    client.deliver(event('hacked', { action: 'edit', target: mine }));
    client.deliver(event('', { action: 'delete', target: mine }));
    client.deliver(event('original by bob, edited', { action: 'edit', target: bobs }));
    client.deliver(event('', { action: 'react', target: mine, reaction: '🎉' }, 'carol'));
    await until(() => rowOf(el, 'original by bob, edited'), 'bob edits his own');
    await settle(el);
    equal(
      rowOf(el, 'mine').querySelector('[part~=text]')?.textContent,
      'mine',
      "bob cannot edit or delete alice's",
    );
    equal($$(el, 'li[data-key]').length, 2, 'events are not rows');
    // A message announced to screen readers and then deleted leaves the announcement too.
    const secret = client.makeMessage(roomId, 'soon deleted: 4321');
    client.deliver(secret);
    await until(() => $(el, '[aria-live]').textContent?.includes('4321'), 'announced');
    client.deliver(event('', { action: 'delete', target: secret.messageId }));
    await until(() => $$(el, '[part~=deleted]').length === 1, 'deleted');
    await settle(el);
    ok(!el.shadowRoot!.textContent!.includes('4321'), 'the deleted text is nowhere in the room');
    equal($(el, '[aria-live]').textContent?.trim(), 'bob deleted a message.');
    equal(rowOf(el, 'mine').querySelector('[part=reaction]')?.getAttribute('aria-label'), '🎉 1: carol');
    await expectNoAxeViolations(fixture(), 'others’ events');
  });
});
