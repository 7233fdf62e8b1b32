import '../../../components/index.ts';
import { setDefaultClient } from '../../../components/client/default.ts';
import { ForbiddenError, UnavailableError } from '../../../core/errors.ts';
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
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';
import { press, type } from '../helpers/keys.ts';

async function withRooms() {
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const a = client.addRoom('Alpha', ['bob'], { unread: 3 });
  const b = client.addRoom('Beta', []);
  const c = client.addRoom('', [], { status: 'removed' });
  const el = await mount('roomkey-rooms', { client });
  await until(() => $$(el, 'button.room').length === 3, 'rooms listed');
  return { client, el, a, b, c };
}

describe('<roomkey-rooms>', () => {
  it('lists the rooms with unread counts and notes', async () => {
    const { el } = await withRooms();
    const buttons = $$(el, 'button.room');
    equal(buttons[0]!.textContent?.replace(/\s+/g, ' ').trim(), 'Alpha 3, 3 unread');
    equal(textOf(el, '[part~=room-name]'), 'Alpha');
    ok(buttons[2]!.textContent!.includes('Unnamed room'));
    ok(buttons[2]!.textContent!.includes('Removed'));
    equal($(el, 'ul').getAttribute('aria-label'), 'Your rooms');
    await expectNoAxeViolations(fixture(), 'rooms');
  });

  it('selecting a room fires roomkey-room-select and marks it current', async () => {
    const { el, b } = await withRooms();
    const selects = recordEvents<{ roomId: string }>(el, 'roomkey-room-select');
    $$<HTMLButtonElement>(el, 'button.room')[1]!.click();
    await settle(el);
    equal(selects.length, 1);
    equal(selects[0]!.detail.roomId, b.roomId);
    equal(el.selected, b.roomId);
    equal(el.getAttribute('selected'), b.roomId);
    equal($$(el, 'button.room')[1]!.getAttribute('aria-current'), 'true');
    ok($$(el, 'button.room')[1]!.part.contains('room-selected'));
    await expectNoAxeViolations(fixture(), 'selected');
  });

  it('keyboard: arrows, Home and End move between rooms; Enter selects', async () => {
    const { el, c } = await withRooms();
    const selects = recordEvents<{ roomId: string }>(el, 'roomkey-room-select');
    const buttons = $$<HTMLButtonElement>(el, 'button.room');
    buttons[0]!.focus();
    await press('ArrowDown');
    equal(deepActiveElement(), buttons[1]);
    await press('End');
    equal(deepActiveElement(), buttons[2]);
    await press('ArrowDown');
    equal(deepActiveElement(), buttons[2], 'stays on the last');
    await press('Home');
    equal(deepActiveElement(), buttons[0]);
    await press('ArrowUp');
    equal(deepActiveElement(), buttons[0]);
    await press('End');
    await press('Enter');
    equal(selects.at(-1)?.detail.roomId, c.roomId);
  });

  it('creates a room in a dialog (keyboard only); Escape closes it', async () => {
    const { el, client } = await withRooms();
    const created = recordEvents<{ room: { name: string } }>(el, 'roomkey-room-created');
    const selects = recordEvents<{ roomId: string }>(el, 'roomkey-room-select');
    const dialog = $<HTMLDialogElement>(el, 'dialog');
    $(el, '[part=create-button]').focus();
    await press('Enter');
    await until(() => dialog.open, 'dialog open');
    equal(deepActiveElement(), $(el, '#room-name'));
    await expectNoAxeViolations(fixture(), 'create dialog');
    await press('Escape');
    await until(() => !dialog.open, 'closed by Escape');
    equal(deepActiveElement(), $(el, '[part=create-button]'), 'focus returns to New room');

    await press('Enter');
    await until(() => dialog.open, 'dialog open again');
    await press('Enter');
    await settle(el);
    equal(textOf(el, '#room-name-error'), 'Give the room a name.');
    equal($(el, '#room-name').getAttribute('aria-invalid'), 'true');
    await type('Gamma');
    await press('Enter');
    await until(() => created.length === 1, 'created event');
    equal(created[0]!.detail.room.name, 'Gamma');
    await settle(el);
    ok(!dialog.open);
    const newId = [...client.rooms.values()].find((r) => r.name === 'Gamma')!.roomId;
    equal(selects.at(-1)?.detail.roomId, newId);
    equal(el.selected, newId);
    equal((deepActiveElement() as HTMLElement).dataset['roomId'], newId, 'focus on the new room');
  });

  it('shows a create error inside the dialog, announced', async () => {
    const { el, client } = await withRooms();
    client.failNext(
      'createRoom',
      new ForbiddenError('Your organisation does not allow you to create rooms.'),
    );
    $<HTMLButtonElement>(el, '[part=create-button]').click();
    const input = $<HTMLInputElement>(el, '#room-name');
    input.value = 'Delta';
    $<HTMLButtonElement>(el, 'dialog [part=submit]').click();
    await until(() => textOf(el, 'dialog [part=error]'), 'create error');
    equal(textOf(el, 'dialog [part=error]'), 'Your organisation does not allow you to create rooms.');
    equal($(el, 'dialog [part=error]').getAttribute('role'), 'alert');
    ok($<HTMLDialogElement>(el, 'dialog').open, 'dialog stays open');
    await expectNoAxeViolations(fixture(), 'create error');
  });

  it('follows the client rooms event', async () => {
    const { el, client } = await withRooms();
    client.addRoom('Epsilon');
    await settle(el);
    equal($$(el, 'button.room').length, 4);
  });

  it('signed out / locked: says what to do, New room disabled', async () => {
    const client = new FakeRoomKeyClient();
    const el = await mount('roomkey-rooms', { client });
    equal(textOf(el, '[part=message]'), 'Sign in to see your rooms.');
    equal($<HTMLButtonElement>(el, '[part=create-button]').disabled, true);
    await expectNoAxeViolations(fixture(), 'signed out');
    client.signedInAs('alice');
    client.setKeys('locked');
    await settle(el);
    equal(textOf(el, '[part=message]'), 'Unlock RoomKey to see your rooms.');
    ok(textOf(el, '[part=status]').includes('Locked'));
    client.addRoom('Zeta');
    client.setKeys('ready');
    await until(() => $$(el, 'button.room').length === 1, 'listed after unlock');
  });

  it('uses the default client when none is given', async () => {
    setDefaultClient(undefined);
    const el = await mount('roomkey-rooms');
    ok(textOf(el, '[part=status]').includes('Not connected'));
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    client.addRoom('Default room');
    setDefaultClient(client);
    await until(() => $$(el, 'button.room').length === 1, 'listed from the default client');
    setDefaultClient(undefined);
    await settle(el);
    equal($$(el, 'button.room').length, 0);
  });

  it('empty list and list errors', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    client.failNext(
      'listRooms',
      new UnavailableError('Your rooms could not be loaded: the server did not answer.'),
    );
    const el = await mount('roomkey-rooms', { client });
    await until(() => textOf(el, '[part=error]'), 'list error');
    equal(textOf(el, '[part=error]'), 'Your rooms could not be loaded: the server did not answer.');
    await el.refresh();
    await settle(el);
    equal(textOf(el, '[part=error]'), '');
    equal(textOf(el, '[part=message]'), 'No rooms yet. Create one with “New room”.');
    client.setConnection('offline');
    await settle(el);
    ok(textOf(el, '[part=status]').includes('Offline'));
    await expectNoAxeViolations(fixture(), 'empty offline');
  });
});
