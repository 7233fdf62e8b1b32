// <roomkey-rooms> hides a room on this device (issue 17 §7): Hide on its row, Undo right away (focus
// on it), the room listed apart under "Hidden rooms (N)" with its unread count (a hidden room still
// receives messages and stays hidden), Show brings it back; keyboard only; axe clean in each state.
// A client without hidden rooms shows no Hide button.
import '../../../components/index.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, deepActiveElement, fixture, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';
import { press } from '../helpers/keys.ts';

async function withRooms() {
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const a = client.addRoom('Alpha', ['bob'], { unread: 3 });
  const b = client.addRoom('Beta', []);
  const el = await mount('roomkey-rooms', { client });
  await until(() => $$(el, 'button.room').length === 2, 'rooms listed');
  return { client, el, a, b };
}

const names = (el: Element, list: string) =>
  $$(el, `${list} [part~=room-name]`).map((n) => n.textContent?.trim());

describe('<roomkey-rooms> hidden rooms', () => {
  it('Hide, Undo, the hidden section with unread counts, Show — by keyboard, axe clean', async () => {
    const { client, el, a } = await withRooms();
    const hide = $<HTMLButtonElement>(el, '[part~=hide-button]');
    equal(hide.getAttribute('aria-label'), 'Hide Alpha');
    hide.focus();
    await press('Enter');
    await until(() => client.hidden.has(a.roomId), 'hidden through the client');
    await settle(el);
    equal(names(el, '[part=list]').join(), 'Beta', 'gone from the list');
    equal(textOf(el, '[part~=hidden-note]').replace(/\s+/g, ' '), '“Alpha” is hidden. Undo');
    equal(deepActiveElement(), $(el, '[part~=undo-hide]'), 'focus on Undo');
    const summary = $(el, '[part~=hidden-rooms] summary');
    equal(summary.textContent?.trim(), 'Hidden rooms (1), 3 unread');
    await expectNoAxeViolations(fixture(), 'just hidden');

    await press('Enter'); // Undo
    await until(() => !client.hidden.has(a.roomId), 'shown again');
    await settle(el);
    equal(names(el, '[part=list]').join(), 'Alpha,Beta');
    ok(!el.shadowRoot!.querySelector('[part~=hidden-rooms]'), 'no hidden section');
    equal(deepActiveElement(), $(el, `button.room[data-room-id="${a.roomId}"]`), 'focus back on the room');

    await client.setRoomHidden(a.roomId, true); // hidden elsewhere (another element, the popup)
    await settle(el);
    equal(names(el, '[part=list]').join(), 'Beta', 'the hidden event updates the list');
    // A new message: the room stays hidden, its count grows in the hidden section.
    client.updateRoom(a.roomId, { unread: 4 });
    await settle(el);
    equal($(el, '[part~=hidden-rooms] summary').textContent?.trim(), 'Hidden rooms (1), 4 unread');
    (summary as HTMLElement).focus();
    $(el, '[part~=hidden-rooms] summary').click();
    await settle(el);
    equal(names(el, '[part~=hidden-list]').join(), 'Alpha');
    ok(textOf(el, '[part~=hidden-list]').includes('4 unread'));
    await expectNoAxeViolations(fixture(), 'hidden section open');
    const show = $<HTMLButtonElement>(el, '[part~=unhide-button]');
    equal(show.getAttribute('aria-label'), 'Show Alpha in your rooms again');
    show.focus();
    await press('Enter');
    await until(() => !client.hidden.has(a.roomId), 'shown again');
    await settle(el);
    equal(names(el, '[part=list]').join(), 'Alpha,Beta');
  });

  it('all rooms hidden: says so; a reload keeps them hidden (the client keeps the preference)', async () => {
    const { client, el, a, b } = await withRooms();
    await client.setRoomHidden(a.roomId, true);
    await client.setRoomHidden(b.roomId, true);
    await settle(el);
    ok(textOf(el, '[part~=message]').includes('All your rooms are hidden'));
    const again = await mount('roomkey-rooms', { client });
    await until(() => !!again.shadowRoot!.querySelector('[part~=hidden-rooms]'), 'hidden section');
    equal($(again, '[part~=hidden-rooms] summary').textContent?.trim(), 'Hidden rooms (2), 3 unread');
    await expectNoAxeViolations(fixture(), 'all hidden');
  });

  it('a client without hidden rooms shows no Hide button', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    client.addRoom('Alpha', []);
    Object.defineProperty(client, 'setRoomHidden', { value: undefined });
    Object.defineProperty(client, 'hiddenRooms', { value: undefined });
    const el = await mount('roomkey-rooms', { client });
    await until(() => $$(el, 'button.room').length === 1, 'listed');
    equal($$(el, '[part~=hide-button]').length, 0);
  });
});

describe('<roomkey-room> Hide from my rooms', () => {
  it('hides the open room and shows it again; the list follows; axe clean', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const a = client.addRoom('Alpha', ['bob']);
    const room = await mount('roomkey-room', { client, roomId: a.roomId });
    const list = document.createElement('roomkey-rooms');
    list.client = client;
    fixture().append(list);
    await until(() => !!room.shadowRoot!.querySelector('[part~=hide-room]'), 'the Hide button');
    const button = () => $<HTMLButtonElement>(room, '[part~=hide-room]');
    equal(button().textContent?.trim(), 'Hide from my rooms');
    button().focus();
    await press('Enter');
    await until(() => client.hidden.has(a.roomId), 'hidden');
    await settle(room);
    equal(button().textContent?.trim(), 'Show in my rooms', 'undo at once');
    await settle(list);
    equal($(list, '[part~=hidden-rooms] summary').textContent?.trim(), 'Hidden rooms (1)');
    await expectNoAxeViolations(fixture(), 'room hidden');
    button().click();
    await until(() => !client.hidden.has(a.roomId), 'shown again');
    await settle(room);
    equal(button().textContent?.trim(), 'Hide from my rooms');
  });
});
