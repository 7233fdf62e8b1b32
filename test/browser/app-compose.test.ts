// Rooms and room working together without script: `<roomkey-rooms for="id">` opens the picked room
// in that `<roomkey-room>`, and `<roomkey-app>` composes sign-in, rooms and room (side by side, or
// list-then-room on a narrow box). Every state is axe clean.
import { setViewport } from '@web/test-runner-commands';
import type { RoomKeyApp } from '../../components/app.ts';
import '../../components/index.ts';
import type { RoomKeyRoom } from '../../components/room.ts';
import type { RoomKeyRooms } from '../../components/rooms.ts';
import { equal, ok } from '../helpers/assert.ts';
import { expectNoAxeViolations } from './helpers/a11y.ts';
import { $, deepActiveElement, nextEvent, settle, textOf, unmount, until } from './helpers/dom.ts';
import { FakeRoomKeyClient } from './helpers/fake-client.ts';

let box: HTMLElement | undefined;

/** `html` in a fresh `<main>` styled `style`. */
async function place(html: string, style = 'display:block;width:900px;height:600px'): Promise<HTMLElement> {
  unmount();
  box?.remove();
  box = document.createElement('main');
  box.style.cssText = style;
  box.innerHTML = html;
  document.body.append(box);
  for (const element of box.querySelectorAll('*')) await settle(element);
  return box;
}

function aliceWithRooms(): { client: FakeRoomKeyClient; ids: string[] } {
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const ids = ['Garden', 'Kitchen'].map((name) => client.addRoom(name, ['bob']).roomId);
  for (const id of ids) client.seedHistory(id, 3);
  return { client, ids };
}

const roomButton = (rooms: Element, id: string) =>
  $<HTMLButtonElement>(rooms, `button.room[data-room-id="${id}"]`);
const visible = (element: Element) => element.getBoundingClientRect().height > 0;

describe('<roomkey-rooms for>', () => {
  after(() => box?.remove());

  it('opens the picked room in the <roomkey-room> it names', async () => {
    const { client, ids } = aliceWithRooms();
    const main = await place(
      '<roomkey-rooms for="chat"></roomkey-rooms><roomkey-room id="chat"></roomkey-room>',
    );
    const rooms = main.querySelector<RoomKeyRooms>('roomkey-rooms')!;
    const room = main.querySelector<RoomKeyRoom>('roomkey-room')!;
    rooms.client = client;
    room.client = client;
    await until(() => rooms.shadowRoot?.querySelector('button.room'), 'the room list');
    const selected = nextEvent<{ roomId: string }>(main, 'roomkey-room-select');
    roomButton(rooms, ids[1]!).click();
    equal((await selected).detail.roomId, ids[1], 'the event still fires');
    equal(room.getAttribute('room-id'), ids[1]);
    await until(() => textOf(room, 'h2') === 'Kitchen', 'the room shows the picked room');
    await settle(room);
    await expectNoAxeViolations(main, 'for');
  });
});

describe('<roomkey-app>', () => {
  after(() => box?.remove());

  it('signed out: the sign-in form, and the rooms say why they are empty', async () => {
    const client = new FakeRoomKeyClient();
    const main = await place('<roomkey-app></roomkey-app>');
    const app = main.querySelector<RoomKeyApp>('roomkey-app')!;
    app.client = client;
    await settle(app);
    const signIn = $(app, 'roomkey-sign-in');
    await settle(signIn);
    ok(signIn.shadowRoot?.querySelector('#password'), 'the password field is there');
    equal(textOf($(app, 'roomkey-rooms'), '[part=message]'), 'Sign in to see your rooms.');
    await expectNoAxeViolations(main, 'app signed out');
  });

  it('side by side: picking a room opens it beside the list, reflects room-id, bubbles the event', async () => {
    const { client, ids } = aliceWithRooms();
    const main = await place('<roomkey-app></roomkey-app>');
    const app = main.querySelector<RoomKeyApp>('roomkey-app')!;
    app.client = client;
    await settle(app);
    const rooms = $(app, 'roomkey-rooms');
    const room = $<RoomKeyRoom>(app, 'roomkey-room');
    await until(() => rooms.shadowRoot?.querySelector('button.room'), 'the room list');
    const picked = nextEvent<{ roomId: string }>(document, 'roomkey-room-select');
    roomButton(rooms, ids[0]!).click();
    equal((await picked).detail.roomId, ids[0]);
    await settle(app);
    equal(app.getAttribute('room-id'), ids[0]);
    await until(() => textOf(room, 'h2') === 'Garden', 'the room opened');
    ok(visible(rooms) && visible(room), 'list and room side by side');
    ok(
      room.getBoundingClientRect().left >= rooms.getBoundingClientRect().right,
      'the room is beside the list',
    );
    equal(Math.round(app.getBoundingClientRect().height), 600, 'the app fills its box');
    ok(!visible($(app, '[part=back]')), 'no back button when both fit');
    await settle(room);
    await expectNoAxeViolations(main, 'app side by side');
  });

  it('a room-id set by the page opens that room', async () => {
    const { client, ids } = aliceWithRooms();
    const main = await place(`<roomkey-app room-id="${ids[1]}"></roomkey-app>`);
    const app = main.querySelector<RoomKeyApp>('roomkey-app')!;
    app.client = client;
    await settle(app);
    const room = $<RoomKeyRoom>(app, 'roomkey-room');
    await until(() => textOf(room, 'h2') === 'Kitchen', 'the linked room opened');
    equal($(app, 'roomkey-rooms').getAttribute('selected'), ids[1], 'and is selected in the list');
  });

  it('at 390 px: the list, then the room with a way back; nothing scrolls sideways', async () => {
    await setViewport({ width: 390, height: 844 });
    try {
      await narrow();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });
});

async function narrow(): Promise<void> {
  const { client, ids } = aliceWithRooms();
  const main = await place('<roomkey-app></roomkey-app>', 'display:block;margin:0;height:100vh');
  const app = main.querySelector<RoomKeyApp>('roomkey-app')!;
  app.client = client;
  await settle(app);
  const rooms = $(app, 'roomkey-rooms');
  const room = $<RoomKeyRoom>(app, 'roomkey-room');
  await until(() => rooms.shadowRoot?.querySelector('button.room'), 'the room list');
  ok(visible(rooms) && !visible(room), 'first the list alone');
  await expectNoAxeViolations(main, 'app narrow list');

  roomButton(rooms, ids[1]!).click();
  await until(() => textOf(room, 'h2') === 'Kitchen' && visible(room), 'the room alone');
  await settle(room);
  ok(!visible(rooms), 'the list is out of the way');
  const back = $<HTMLButtonElement>(app, '[part=back]');
  ok(visible(back), 'a way back to the list');
  const root = document.scrollingElement!;
  ok(root.scrollWidth <= root.clientWidth, `no sideways scroll (${root.scrollWidth} > ${root.clientWidth})`);
  const send = $(room, '[part=send]').getBoundingClientRect();
  ok(send.right <= 390 && send.bottom <= 844 && send.height > 0, 'Send is on screen');
  await expectNoAxeViolations(main, 'app narrow room');

  back.click();
  await until(() => visible(rooms) && !visible(room), 'the list again');
  await settle(app);
  equal(app.roomId, '', 'no room open');
  equal((deepActiveElement() as HTMLElement | null)?.dataset['roomId'], ids[1], 'focus on the room left');
}
