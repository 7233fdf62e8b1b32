import '../../../components/index.ts';
import type { RoomKeyRoom } from '../../../components/room.ts';
import { UnavailableError } from '../../../core/errors.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import {
  $,
  $$,
  deepActiveElement,
  fixture,
  mount,
  nextEvent,
  recordEvents,
  settle,
  textOf,
  until,
} from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';
import { press, type } from '../helpers/keys.ts';

async function openRoom(setup?: (client: FakeRoomKeyClient, roomId: string) => void, others = ['bob']) {
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const room = client.addRoom('Project X', others, { epoch: 2 });
  setup?.(client, room.roomId);
  const loaded = new Promise<void>((resolve) =>
    document.addEventListener('roomkey-history-loaded', () => resolve(), { once: true }),
  );
  const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
  await loaded;
  await settle(el);
  return { client, el, roomId: room.roomId };
}

const scroller = (el: RoomKeyRoom) => $(el, '[part=history]');
const rows = (el: RoomKeyRoom) => $$(el, 'li[data-key]');
const rowTexts = (el: RoomKeyRoom) =>
  rows(el).map((r) => r.querySelector('[part=text]')?.textContent?.trim());

describe('<roomkey-room>', () => {
  it('renders the history, members, key line and status', async () => {
    const { el } = await openRoom((client, roomId) => client.seedHistory(roomId, 3));
    equal(textOf(el, 'h2'), 'Project X');
    equal(textOf(el, '[part=key-line]'), 'End-to-end encrypted · 2 members');
    equal($(el, '[part=key-line]').dataset['epoch'], '2');
    ok(textOf(el, '[part=status]').includes('Online'));
    equal(rowTexts(el).join('|'), 'Message 1|Message 2|Message 3');
    equal(rows(el)[0]!.getAttribute('aria-posinset'), '1');
    equal(rows(el)[0]!.getAttribute('aria-setsize'), '3');
    ok(textOf(el, '[part=members]').includes('alice (you)'));
    ok(textOf(el, '[part=members]').includes('bob'));
    equal($(el, '[part=history]').getAttribute('aria-label'), 'Messages');
    await expectNoAxeViolations(fixture(), 'room');
  });

  it('shows catch-up progress while history() reports progress', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const room = client.addRoom('Big room', ['bob']);
    client.seedHistory(room.roomId, 500);
    client.historyPageSize = 100;
    const gate = client.gate('history-page');
    const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
    await gate.reached;
    await settle(el);
    equal(textOf(el, '[part=progress] label'), 'Catching up: 100 of 500 messages decrypted');
    const bar = $<HTMLProgressElement>(el, 'progress');
    equal(bar.max, 500);
    equal(bar.value, 100);
    equal(scroller(el).getAttribute('aria-busy'), 'true');
    await expectNoAxeViolations(fixture(), 'catching up');
    const loaded = nextEvent<{ count: number }>(el, 'roomkey-history-loaded');
    gate.release();
    equal((await loaded).detail.count, 500);
    await settle(el);
    equal($$(el, '[part=progress]').length, 0, 'progress goes away');
    equal(scroller(el).getAttribute('aria-busy'), 'false');
  });

  it('windows 5,000 messages: bounded DOM, newest at the bottom, scrolling to the top shows the oldest', async () => {
    const started = performance.now();
    const { el, client, roomId } = await openRoom((c, id) =>
      c.seedHistory(id, 5000, (i) => (i % 7 === 0 ? { text: `Message ${i}\nwith a second line` } : {})),
    );
    const firstPaint = performance.now() - started;
    const box = scroller(el);
    await until(() => rowTexts(el).at(-1) === 'Message 5000', 'newest message rendered');
    ok(rows(el).length < 80, `rendered ${rows(el).length} rows`);
    ok(el.shadowRoot!.querySelectorAll('*').length < 1200, 'shadow DOM stays small');
    ok(Math.abs(box.scrollHeight - box.scrollTop - box.clientHeight) < 2, 'scrolled to the newest message');
    ok(box.scrollHeight > 5000 * 30, 'the scroll height stands for all messages');

    box.scrollTop = 0;
    await until(() => rowTexts(el)[0] === 'Message 1', 'oldest message after scrolling to the top');
    await settle(el);
    ok(rowTexts(el).includes('Message 1'));
    ok(rows(el).length < 80, `rendered ${rows(el).length} rows at the top`);
    equal(rows(el)[0]!.getAttribute('aria-posinset'), '1');
    equal(rows(el)[0]!.getAttribute('aria-setsize'), '5000');

    box.scrollTop = box.scrollHeight / 2;
    await until(() => {
      const n = Number(rowTexts(el)[0]?.replace(/\D+/g, ' ').trim().split(' ')[0]);
      return n > 1500 && n < 3500;
    }, 'middle of the history');

    // A new message while reading old ones does not move what is on screen.
    box.scrollTop = 200;
    await settle(el);
    const anchorKey = rows(el).find((r) => r.offsetTop + r.offsetHeight > box.scrollTop)!.dataset['key'];
    const anchorTop =
      el.shadowRoot!.querySelector<HTMLElement>(`li[data-key="${anchorKey}"]`)!.offsetTop - box.scrollTop;
    client.deliver(client.makeMessage(roomId, 'late news'));
    await settle(el);
    const after = el.shadowRoot!.querySelector<HTMLElement>(`li[data-key="${anchorKey}"]`)!;
    ok(Math.abs(after.offsetTop - box.scrollTop - anchorTop) < 2, 'reading position kept');

    // Back at the bottom, new messages are followed.
    box.scrollTop = box.scrollHeight;
    await settle(el);
    client.deliver(client.makeMessage(roomId, 'newest of all'));
    await until(() => rowTexts(el).at(-1) === 'newest of all', 'new message rendered');
    await settle(el);
    ok(Math.abs(box.scrollHeight - box.scrollTop - box.clientHeight) < 2, 'still at the bottom');
    console.log(`5,000 messages: first paint after ${firstPaint.toFixed(0)} ms`);
    await expectNoAxeViolations(fixture(), '5000 messages');
  });

  it('keyboard: Enter sends, Shift+Enter makes a new line, focus stays in the composer', async () => {
    const { el, client, roomId } = await openRoom();
    const sent = recordEvents(el, 'roomkey-message-sent');
    const textarea = $<HTMLTextAreaElement>(el, '#composer-input');
    textarea.focus();
    await type('hello');
    await press('Shift+Enter');
    await type('world');
    equal(textarea.value, 'hello\nworld');
    equal(sent.length, 0);
    await press('Enter');
    await until(() => sent.length === 1, 'message sent');
    equal(client.calls.find((c) => c.method === 'send')?.args.join('|'), `${roomId}|hello\nworld`);
    equal(textarea.value, '');
    equal(deepActiveElement(), textarea);
    await settle(el);
    const last = rows(el).at(-1)!;
    equal(last.querySelector('[part=text]')?.textContent, 'hello\nworld');
    equal(last.querySelector('[part=sender]')?.textContent, 'You');
    ok(last.hasAttribute('data-own'));
  });

  it('Tab order: history region → composer → Send', async () => {
    const { el } = await openRoom((c, id) => c.seedHistory(id, 5));
    scroller(el).focus();
    equal(deepActiveElement(), scroller(el));
    await press('Tab');
    equal(deepActiveElement(), $(el, 'button[part=remove-button]'), 'member list follows the history');
    $(el, '#composer-input').focus();
    await press('Tab');
    equal(deepActiveElement(), $(el, 'button[part=send]'));
  });

  it('a message shows as "Sending…" until the client has stored it', async () => {
    const { el, client } = await openRoom((c, id) => c.seedHistory(id, 3));
    const gate = client.gate('send');
    const textarea = $<HTMLTextAreaElement>(el, '#composer-input');
    textarea.value = 'on its way';
    $<HTMLButtonElement>(el, 'button[part=send]').click();
    await gate.reached;
    await settle(el);
    const draft = rows(el).at(-1)!;
    equal(draft.dataset['status'], 'sending');
    equal(draft.querySelector('[part=text]')?.textContent, 'on its way');
    equal(draft.querySelector('[part=message-status]')?.textContent, 'Sending…');
    equal(textarea.value, '', 'the composer is free for the next message');
    await expectNoAxeViolations(fixture(), 'sending');
    gate.release();
    await until(() => rows(el).at(-1)?.dataset['status'] === 'sent', 'sent');
    equal(rows(el).length, 4, 'the draft became the message, not a second row');
    equal(rows(el).at(-1)!.querySelector('[part=message-status]'), null);
  });

  it('a failed send puts the text back and shows the error', async () => {
    const { el, client } = await openRoom();
    client.failNext(
      'send',
      new UnavailableError('The RoomKey server did not answer: try again in a moment.'),
    );
    const textarea = $<HTMLTextAreaElement>(el, '#composer-input');
    textarea.value = 'important';
    $<HTMLButtonElement>(el, 'button[part=send]').click();
    await until(() => textOf(el, '#composer-error'), 'send error');
    equal(textOf(el, '#composer-error'), 'The RoomKey server did not answer: try again in a moment.');
    equal($(el, '#composer-error').getAttribute('role'), 'alert');
    equal(textarea.value, 'important');
    await settle(el);
    ok(!rows(el).some((row) => row.textContent?.includes('important')), 'no "Sending…" row is left behind');
    await expectNoAxeViolations(fixture(), 'send failed');
  });

  it('held messages show their reason and the missing key in the status', async () => {
    const { el } = await openRoom((c, id) =>
      c.seedHistory(id, 4, (i) =>
        i > 2
          ? { status: 'held', text: '', epoch: 3, reason: 'No key for epoch 3 yet: waiting for a member.' }
          : {},
      ),
    );
    ok(
      textOf(el, '[part=notice]').includes("Missing the key for key version 3: 2 messages can't be read yet"),
      textOf(el, '[part=notice]'),
    );
    const held = $$(el, 'li[data-status=held]');
    equal(held.length, 2);
    ok(held[0]!.textContent!.includes('No key for epoch 3 yet: waiting for a member.'));
    ok(held[0]!.textContent!.includes('Waiting for key'));
    await expectNoAxeViolations(fixture(), 'held');
  });

  it('invites by username; an unknown user gets a clear error', async () => {
    const { el, client } = await openRoom(undefined, []);
    client.addAccount('carol', 'x');
    const invited = recordEvents(el, 'roomkey-member-invited');
    const input = $<HTMLInputElement>(el, '#invite-username');
    input.value = 'nobody';
    $<HTMLButtonElement>(el, '[part=invite-button]').click();
    await until(() => textOf(el, '#invite-error'), 'invite error');
    equal(textOf(el, '#invite-error'), 'There is no RoomKey user named "nobody".');
    equal(input.getAttribute('aria-invalid'), 'true');
    await expectNoAxeViolations(fixture(), 'invite error');
    input.value = 'carol';
    $<HTMLInputElement>(el, '#invite-history').checked = true;
    $<HTMLButtonElement>(el, '[part=invite-button]').click();
    await until(() => invited.length === 1, 'invited event');
    await settle(el);
    const call = client.calls.filter((c) => c.method === 'invite').at(-1)!;
    equal(JSON.stringify(call.args.slice(1)), '["carol",{"shareHistory":true}]');
    ok(textOf(el, '[part=member-list]').includes('carol'));
    equal(
      textOf(el, '[part=invite-status]'),
      'carol was added. They can read new messages and earlier ones.',
    );
    equal(textOf(el, '#invite-error'), '');
  });

  it('removes a member after confirmation; Escape cancels the dialog', async () => {
    const { el, client } = await openRoom();
    const removed = recordEvents(el, 'roomkey-member-removed');
    const removeButton = $<HTMLButtonElement>(el, '[part=remove-button]');
    equal(removeButton.textContent?.replace(/\s+/g, ' ').trim(), 'Remove bob');
    removeButton.focus();
    await press('Enter');
    const dialog = $<HTMLDialogElement>(el, 'dialog');
    await until(() => dialog.open, 'dialog open');
    equal(textOf(el, '#remove-title'), 'Remove bob?');
    equal(deepActiveElement(), $(el, 'dialog [data-cancel]'), 'focus starts on Cancel');
    await expectNoAxeViolations(fixture(), 'remove dialog');
    await press('Escape');
    await until(() => !dialog.open, 'Escape closes');
    equal(client.calls.filter((c) => c.method === 'removeMember').length, 0);
    equal(deepActiveElement(), removeButton, 'focus returns to the Remove button');
    await press('Enter');
    await until(() => dialog.open, 'dialog open again');
    $<HTMLButtonElement>(el, 'dialog button.danger').click();
    await until(() => removed.length === 1, 'removed event');
    await settle(el);
    ok(!dialog.open);
    ok(!textOf(el, '[part=member-list]').includes('bob'));
    equal(textOf(el, '[part=key-line]'), 'End-to-end encrypted · 1 member');
    equal($(el, '[part=key-line]').dataset['epoch'], '3');
    equal(deepActiveElement(), $(el, '#members-title'));
  });

  it('shows the removed state: history readable, no composer, no invite', async () => {
    const { el, client, roomId } = await openRoom((c, id) => c.seedHistory(id, 3));
    client.updateRoom(roomId, { status: 'removed', members: [] });
    await settle(el);
    ok(textOf(el, '[part=notice]').includes('You were removed from this room'));
    equal($<HTMLTextAreaElement>(el, '#composer-input').disabled, true);
    equal($<HTMLButtonElement>(el, '[part=send]').disabled, true);
    equal($$(el, '[part=invite]').length, 0);
    equal(rows(el).length, 3, 'earlier messages stay readable');
    await expectNoAxeViolations(fixture(), 'removed');
  });

  it('says when the user is not a member of the room', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const el = await mount('roomkey-room', { client }, { 'room-id': 'room-unknown' });
    await until(() => textOf(el).includes('You are not a member of this room'), 'not a member');
    equal($<HTMLTextAreaElement>(el, '#composer-input').disabled, true);
  });

  it('locking hides the messages and says why; unlocking loads them again', async () => {
    const { el, client } = await openRoom((c, id) => c.seedHistory(id, 3));
    client.setKeys('locked');
    await settle(el);
    equal(rows(el).length, 0, 'no plaintext on screen while locked');
    ok(textOf(el, '[part=notice]').includes('This room is locked'));
    ok(textOf(el, '[part=status]').includes('Locked'));
    equal($<HTMLTextAreaElement>(el, '#composer-input').disabled, true);
    await expectNoAxeViolations(fixture(), 'locked');
    client.setKeys('ready');
    await until(() => rows(el).length === 3, 'reloaded after unlock');
  });

  it('shows every connection state in words', async () => {
    const { el, client } = await openRoom();
    for (const [state, words] of [
      ['connecting', 'Connecting…'],
      ['reconnecting', 'Connection lost, reconnecting…'],
      ['offline', "Offline: can't reach the RoomKey server."],
      ['online', 'Online'],
    ] as const) {
      client.setConnection(state);
      await settle(el);
      ok(textOf(el, '[part=connection-status]').startsWith(words), state);
    }
  });

  it('a message from someone else appears and is announced', async () => {
    const { el, client, roomId } = await openRoom();
    client.deliver(client.makeMessage(roomId, 'hi alice'));
    client.deliver(client.makeMessage('other-room', 'not here'));
    await settle(el);
    equal(rowTexts(el).at(-1), 'hi alice');
    equal(rows(el).length, 1);
    equal(textOf(el, '[aria-live=polite]'), 'bob: hi alice');
  });

  it('a load error is shown', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const room = client.addRoom('R');
    client.failNext('history', new UnavailableError('History is not available right now: try again later.'));
    const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
    await until(() => textOf(el, '[part=error]'), 'error');
    equal(textOf(el, '[part=error]'), 'History is not available right now: try again later.');
  });

  it('tells the client which room is on screen, and when it goes', async () => {
    const { el, client } = await openRoom();
    equal(client.focused, el.roomId);
    el.remove();
    equal(client.focused, null);
  });

  it('switching room-id loads the other room', async () => {
    const { el, client } = await openRoom((c, id) => c.seedHistory(id, 2));
    const other = client.addRoom('Other', []);
    client.seedHistory(other.roomId, 1);
    el.roomId = other.roomId;
    await until(() => textOf(el, 'h2') === 'Other' && rows(el).length === 1, 'other room');
  });

  describe('sealed', () => {
    const frame = (el: RoomKeyRoom) =>
      el.shadowRoot!.querySelector<HTMLIFrameElement>('iframe[part=sealed-frame]');

    it('asks the client for the sealed page and frames it; never reads history or rooms', async () => {
      const client = new FakeRoomKeyClient();
      client.signedInAs('alice');
      const room = client.addRoom('Secret plans', ['bob']);
      client.seedHistory(room.roomId, 3);
      const asked: string[] = [];
      Object.assign(client, {
        sealedRoomUrl: async (roomId: string) => {
          asked.push(roomId);
          return `about:blank#room=${roomId}`;
        },
      });
      const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId, sealed: '' });
      const iframe = await until(() => frame(el), 'the sealed frame');
      equal(iframe.title, 'Encrypted room (RoomKey extension)');
      equal(iframe.getAttribute('src'), `about:blank#room=${room.roomId}`);
      equal(asked.join(','), room.roomId);
      await settle(el);
      const used = client.calls.map((c) => c.method);
      ok(!used.includes('history') && !used.includes('listRooms'), `no history/rooms: ${used.join(',')}`);
      ok(!(el.shadowRoot!.textContent ?? '').includes('Secret plans'), 'no room name in the page');
      equal(rows(el).length, 0);
      await expectNoAxeViolations(fixture(), 'sealed room');
    });

    it('says the extension is needed when the client has no sealed pages', async () => {
      const client = new FakeRoomKeyClient();
      client.signedInAs('alice');
      const room = client.addRoom('Secret plans', ['bob']);
      const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId, sealed: '' });
      await until(() => textOf(el, '[part=error]').includes('extension'), 'the explanation');
      equal(frame(el), null);
      ok(!client.calls.some((c) => c.method === 'history' || c.method === 'listRooms'));
    });
  });
});
