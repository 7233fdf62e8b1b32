// Issue 19: a live message reaches the DOM in the render that follows it, with no layout forced in
// that task (measuring rows and scrolling wait for the next frame, before it paints); the frame
// after it measures the rows and follows the newest message.
import '../../../components/index.ts';
import type { RoomKeyRoom } from '../../../components/room.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { $, $$, mount, settle, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

async function openRoom(count: number, tall = false) {
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const room = client.addRoom('Project X', ['bob'], { epoch: 2 });
  // Rows of other heights than the window's estimate: the spacers change as the window moves.
  client.seedHistory(room.roomId, count, (i) =>
    tall && i % 3 === 0 ? { text: `Message ${i}\nwith a second line\nand a third` } : {},
  );
  const loaded = new Promise<void>((resolve) =>
    document.addEventListener('roomkey-history-loaded', () => resolve(), { once: true }),
  );
  const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
  await loaded;
  await settle(el);
  return { client, el, roomId: room.roomId };
}

const rowTexts = (el: RoomKeyRoom) =>
  $$(el, 'li[data-key]').map((r) => r.querySelector('[part=text]')?.textContent?.trim());

/** Counts row measurements (each one needs a layout) while `fn` runs. */
async function measuredDuring(fn: () => Promise<void>): Promise<number> {
  const original = Element.prototype.getBoundingClientRect;
  let reads = 0;
  Element.prototype.getBoundingClientRect = function (this: Element) {
    reads++;
    return original.call(this);
  };
  try {
    await fn();
  } finally {
    Element.prototype.getBoundingClientRect = original;
  }
  return reads;
}

describe('<roomkey-room> live rendering', () => {
  it('renders a live message without forcing a layout, then follows it in the next frame', async () => {
    const { el, client, roomId } = await openRoom(60);
    const box = $(el, '[part=history]');
    const reads = await measuredDuring(async () => {
      client.deliver(client.makeMessage(roomId, 'live news'));
      await el.updateComplete;
      equal(rowTexts(el).at(-1), 'live news', 'in the DOM once the update is done');
    });
    equal(reads, 0, 'no row measured in the task that rendered it');
    await until(
      () => Math.abs(box.scrollHeight - box.scrollTop - box.clientHeight) < 2,
      'scrolled to the newest message',
    );
  });

  it('keeps following through live messages in a long, windowed history', async () => {
    const { el, client, roomId } = await openRoom(400, true);
    const box = $(el, '[part=history]');
    for (let i = 1; i <= 12; i++) {
      client.deliver(client.makeMessage(roomId, `live ${i}`));
      await el.updateComplete;
      await until(() => rowTexts(el).at(-1) === `live ${i}`, `live ${i} is the last row rendered`);
      await until(
        () => Math.abs(box.scrollHeight - box.scrollTop - box.clientHeight) < 2,
        `at the bottom after live ${i}`,
      );
    }
  });

  it('keeps following a stream of messages a few ms apart', async () => {
    const { el, client, roomId } = await openRoom(400, true);
    const box = $(el, '[part=history]');
    for (let i = 1; i <= 60; i++) {
      client.deliver(client.makeMessage(roomId, `stream ${i}`));
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
    await until(() => rowTexts(el).at(-1) === 'stream 60', 'the newest is the last row rendered');
    await until(
      () => Math.abs(box.scrollHeight - box.scrollTop - box.clientHeight) < 2,
      'at the bottom after the stream',
    );
  });

  it('a reader scrolling up during a stream stops following', async () => {
    const { el, client, roomId } = await openRoom(400, true);
    const box = $(el, '[part=history]');
    for (let i = 1; i <= 30; i++) {
      client.deliver(client.makeMessage(roomId, `stream ${i}`));
      if (i === 10) box.scrollTop = 200;
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
    await settle(el);
    ok(box.scrollHeight - box.scrollTop - box.clientHeight > 1000, 'left where the reader went');
    ok($$(el, '[part=jump-to-latest]').length === 1, 'offers to jump to the latest');
  });

  it('a reader scrolled up keeps their place while messages arrive', async () => {
    const { el, client, roomId } = await openRoom(400);
    const box = $(el, '[part=history]');
    box.scrollTop = 300;
    await settle(el);
    const anchor = $$(el, 'li[data-key]').find((r) => r.offsetTop + r.offsetHeight > box.scrollTop)!;
    const key = anchor.dataset['key'];
    const top = anchor.offsetTop - box.scrollTop;
    for (let i = 1; i <= 5; i++) {
      client.deliver(client.makeMessage(roomId, `while reading ${i}`));
      await el.updateComplete;
      const row = el.shadowRoot!.querySelector<HTMLElement>(`li[data-key="${key}"]`)!;
      ok(Math.abs(row.offsetTop - box.scrollTop - top) < 2, `place kept at once after message ${i}`);
    }
  });

  it('a burst in one task is rendered once and laid out once', async () => {
    const { el, client, roomId } = await openRoom(60);
    const box = $(el, '[part=history]');
    for (let i = 1; i <= 20; i++) client.deliver(client.makeMessage(roomId, `burst ${i}`));
    await el.updateComplete;
    equal(rowTexts(el).at(-1), 'burst 20');
    await until(
      () => Math.abs(box.scrollHeight - box.scrollTop - box.clientHeight) < 2,
      'following the newest after the burst',
    );
  });
});
