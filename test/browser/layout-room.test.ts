// <roomkey-room>'s container layout: it fills the box it is given, its history scrolls inside it,
// the composer stays in view, a box with no height of its own does not grow with the history, and
// at a phone's 390 px nothing scrolls sideways.
import { setViewport } from '@web/test-runner-commands';
import '../../components/index.ts';
import type { RoomKeyRoom } from '../../components/room.ts';
import { equal, ok } from '../helpers/assert.ts';
import { expectNoAxeViolations } from './helpers/a11y.ts';
import { $, settle, unmount } from './helpers/dom.ts';
import { FakeRoomKeyClient } from './helpers/fake-client.ts';

let box: HTMLElement | undefined;

/** A room with `count` messages in a `<main>` styled `style`; resolves once its history loaded. */
async function roomIn(style: string, count: number): Promise<RoomKeyRoom> {
  unmount();
  box?.remove();
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const room = client.addRoom('Layout', ['bob']);
  client.seedHistory(room.roomId, count, (i) => ({ text: `Message ${i}: ${'words '.repeat(i % 9)}` }));
  box = document.createElement('main');
  box.style.cssText = style;
  const el = document.createElement('roomkey-room');
  el.client = client;
  el.setAttribute('room-id', room.roomId);
  const loaded = new Promise<void>((resolve) =>
    el.addEventListener('roomkey-history-loaded', () => resolve(), { once: true }),
  );
  box.append(el);
  document.body.append(box);
  await loaded;
  await settle(el);
  return el;
}

const rect = (element: Element) => element.getBoundingClientRect();
const history = (el: RoomKeyRoom) => $(el, '[part=history]');
const composer = (el: RoomKeyRoom) => $(el, '[part=composer]');

describe('<roomkey-room> layout', () => {
  after(() => {
    box?.remove();
    box = undefined;
  });

  for (const height of [360, 700]) {
    it(`fills a ${height} px box: the history scrolls inside, the composer stays in it`, async () => {
      const el = await roomIn(`display:block;width:720px;height:${height}px`, 200);
      equal(Math.round(rect(el).height), height, 'the room is as tall as its box');
      const scroller = history(el);
      ok(scroller.scrollHeight > scroller.clientHeight + 100, 'the history scrolls inside the room');
      ok(rect(composer(el)).bottom <= rect(el).bottom + 0.5, 'the composer is inside the room');
      ok(rect(composer(el)).top >= rect(scroller).bottom - 0.5, 'the composer is below the history');
    });
  }

  it('in a box with no height of its own, does not grow with its history', async () => {
    const few = await roomIn('display:block;width:720px', 2);
    const short = rect(few).height;
    const many = await roomIn('display:block;width:720px', 300);
    equal(rect(many).height, short, 'as tall with 300 messages as with 2');
    ok(short < 600, `the default height is moderate (${short} px)`);
    ok(rect(composer(many)).bottom <= rect(many).bottom + 0.5, 'the composer is inside the room');
  });

  it('follows its box when the box is resized', async () => {
    const el = await roomIn('display:block;width:720px;height:400px', 50);
    box!.style.height = '640px';
    await settle(el);
    equal(Math.round(rect(el).height), 640);
  });

  it('in a flex column with flex: 1, takes the rest of the column', async () => {
    const el = await roomIn('display:flex;flex-direction:column;width:720px;height:600px', 100);
    el.style.flex = '1';
    const header = document.createElement('header');
    header.style.height = '100px';
    box!.prepend(header);
    await settle(el);
    equal(Math.round(rect(el).height), 500);
  });

  it('at 390 px wide: no sideways scrolling, the composer in view, axe clean', async () => {
    await setViewport({ width: 390, height: 844 });
    try {
      await atPhoneWidth();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });
});

async function atPhoneWidth(): Promise<void> {
  const el = await roomIn('display:block;margin:0;height:100vh', 200);
  await settle(el);
  const root = document.scrollingElement!;
  ok(root.scrollWidth <= root.clientWidth, `no sideways scroll (${root.scrollWidth} > ${root.clientWidth})`);
  ok(rect(el).width <= 390, 'the room fits the width');
  const send = rect($(el, '[part=send]'));
  ok(send.right <= 390 && send.bottom <= 844, 'Send is on screen');
  ok(rect(composer(el)).bottom <= rect(el).bottom + 0.5, 'the composer is inside the room');
  ok(history(el).clientHeight > 100, `the history keeps room to read (${history(el).clientHeight} px)`);
  await expectNoAxeViolations(box!, '390 px');
}
