// States of <roomkey-room> that must be true and say one thing (issue 17 §7, §9): roles in the
// member list, management offered only to owners and admins, leaving, the invite note that goes
// with its member, the removed view, the composer's hint when signed out, and connection and key
// state shown once per page. Each state is axe-clean.
import '../../../components/index.ts';
import type { MemberSummary } from '../../../core/client/index.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, fixture, mount, recordEvents, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

async function openRoom(others = ['bob', 'carol'], roles?: Record<string, MemberSummary['role']>) {
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const room = client.addRoom('Project X', others, { epoch: 2 });
  if (roles) {
    client.updateRoom(room.roomId, {
      members: room.members.map((m) => ({ ...m, role: roles[m.username] ?? 'member' })),
    });
  }
  const loaded = new Promise<void>((resolve) =>
    document.addEventListener('roomkey-history-loaded', () => resolve(), { once: true }),
  );
  const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
  await loaded;
  await settle(el);
  return { client, el, roomId: room.roomId };
}

const roleOf = (el: Element, username: string) =>
  $$(el, '[part=member]')
    .find((li) => li.textContent?.includes(username))
    ?.querySelector<HTMLElement>('[part=member-role]')?.dataset['role'];
const removable = (el: Element) =>
  $$(el, '[part=remove-button]').map((b) => b.textContent?.replace(/\s+/g, ' ').trim());

describe('<roomkey-room> states', () => {
  it('the member list shows roles; the owner may invite and remove', async () => {
    const { el } = await openRoom();
    equal(roleOf(el, 'alice'), 'owner');
    equal(roleOf(el, 'bob'), 'member');
    ok(textOf(el, '[part=member-list]').includes('Owner'), 'the role in words');
    equal(removable(el).join('|'), 'Remove bob|Remove carol');
    equal($$(el, '[part=invite]').length, 1);
    await expectNoAxeViolations(fixture(), 'owner view');
  });

  it('a member is offered no invite and no remove, only to leave', async () => {
    const { el } = await openRoom(['bob', 'carol'], { bob: 'owner' });
    equal(roleOf(el, 'alice'), 'member');
    equal(removable(el).length, 0, 'no Remove for a member');
    equal($$(el, '[part=invite]').length, 0, 'no invite form for a member');
    equal($$(el, '[part=leave-button]').length, 1);
    await expectNoAxeViolations(fixture(), 'member view');
  });

  it('an admin may remove members but not the owner', async () => {
    const { el } = await openRoom(['bob', 'carol'], { alice: 'admin', bob: 'owner' });
    equal(removable(el).join('|'), 'Remove carol');
    equal($$(el, '[part=invite]').length, 1);
  });

  it("what the gateway says this user may do decides, over the role's default", async () => {
    const { el, client, roomId } = await openRoom(['bob', 'carol'], { bob: 'owner' });
    // Rules set with the admin API let members invite here, but not remove.
    client.updateRoom(roomId, { may: { invite: true, remove: false, rename: false } });
    await until(() => $$(el, '[part=invite]').length === 1, 'the invite form for a member allowed to invite');
    equal(removable(el).length, 0, 'no Remove: the gateway would refuse it');
    await expectNoAxeViolations(fixture(), 'member allowed to invite');
    client.updateRoom(roomId, {
      members: client.rooms.get(roomId)!.members.map((m) => ({ ...m, role: 'admin' as const })),
      may: { invite: false, remove: false, rename: false },
    });
    await until(
      () => $$(el, '[part=invite]').length === 0,
      'an admin whose rules allow nothing is offered nothing',
    );
    equal(removable(el).length, 0);
  });

  it('leaving asks first, removes oneself, and the view says so once', async () => {
    const { el, client } = await openRoom(['bob'], { bob: 'owner' });
    const removed = recordEvents(el, 'roomkey-member-removed');
    $<HTMLButtonElement>(el, '[part=leave-button]').click();
    const dialog = $<HTMLDialogElement>(el, 'dialog');
    await until(() => dialog.open, 'dialog open');
    equal(textOf(el, '#remove-title'), 'Leave this room?');
    await expectNoAxeViolations(fixture(), 'leave dialog');
    $<HTMLButtonElement>(el, 'dialog button.danger').click();
    await until(() => removed.length === 1, 'left');
    await settle(el);
    const call = client.calls.filter((c) => c.method === 'removeMember').at(-1)!;
    equal(call.args[1], client.session!.userId, 'the commit removes the user themself');
    ok(textOf(el, '[part=notice]').startsWith('You left this room.'), 'left, not "removed"');
    equal(textOf(el, '[part=key-line]'), 'End-to-end encrypted', 'no member count that contradicts it');
    equal($$(el, '[part=leave-button]').length, 0);
    equal($$(el, '[part=invite]').length, 0);
    equal($<HTMLTextAreaElement>(el, '#composer-input').disabled, true);
    await expectNoAxeViolations(fixture(), 'after leaving');
  });

  it('"bob was added" goes once bob is removed', async () => {
    const { el, client, roomId } = await openRoom(['carol']);
    client.addAccount('bob', 'x');
    $<HTMLInputElement>(el, '#invite-username').value = 'bob';
    $<HTMLButtonElement>(el, '[part=invite-button]').click();
    await until(() => textOf(el, '[part=invite-status]').startsWith('bob was added'), 'note');
    const bob = client.rooms.get(roomId)!.members.find((m) => m.username === 'bob')!;
    await client.removeMember(roomId, bob.userId);
    await until(() => textOf(el, '[part=invite-status]') === '', 'the note went with bob');
    await expectNoAxeViolations(fixture(), 'after removal');
  });

  it('signed out: the composer says to sign in, not to unlock', async () => {
    const client = new FakeRoomKeyClient();
    const el = await mount('roomkey-room', { client }, { 'room-id': 'room-1' });
    await settle(el);
    equal(textOf(el, '#composer-hint'), 'Sign in to RoomKey to write.');
    ok(!textOf(el).includes('Unlock RoomKey'), 'nothing asks a signed-out person to unlock');
    await expectNoAxeViolations(fixture(), 'signed out');
  });

  it('connection and key state appear once on a page with sign-in, rooms and a room', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const room = client.addRoom('Project X', ['bob']);
    const signIn = await mount('roomkey-sign-in', { client });
    const rooms = Object.assign(document.createElement('roomkey-rooms'), { client });
    const view = Object.assign(document.createElement('roomkey-room'), { client });
    view.setAttribute('room-id', room.roomId);
    fixture().append(rooms, view);
    await settle(rooms);
    await settle(view);
    await settle(signIn);
    const lines = () => [signIn, rooms, view].flatMap((e) => $$(e, '[part=status]'));
    equal(lines().length, 1, 'one status line on the page');
    ok(textOf(signIn, '[part=status]').includes('Online'));
    await expectNoAxeViolations(fixture(), 'three elements');
    signIn.remove();
    await settle(rooms);
    const left = [rooms, view].flatMap((e) => $$(e, '[part=status]'));
    equal(left.length, 1, 'the next element shows it when the first goes');
    ok(textOf(rooms, '[part=status]').includes('Online'));
  });
});
