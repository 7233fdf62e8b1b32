// Delivery state and the outbox in <roomkey-room> (issue 17 items 4 and 10): own messages show
// sending → stored; a send that failed for want of a connection stays as "Not sent yet" with
// Retry and Discard (the text is not put back: the client kept it), messages waiting in the
// client's outbox show after a load, Retry turns the row into the stored message, Discard removes it.
import '../../../components/index.ts';
import { KEPT_WORDS } from '../../../components/private-room-composer.ts';
import { sentMessage, unsentMessage } from '../../../core/client/chat-message.ts';
import type { SentMessage, UnsentMessage } from '../../../core/client/types.ts';
import { UnavailableError } from '../../../core/errors.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, fixture, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

const REASON =
  "RoomKey's server can't be reached from here right now. It is sent on its own when you're back online.";

/** The fake client with an outbox as core/client's runtime keeps one (what it says, not how). */
class OutboxClient extends FakeRoomKeyClient {
  waiting: UnsentMessage[] = [];
  #ids = 0;

  override async send(roomId: string, text: string): Promise<SentMessage> {
    try {
      return await super.send(roomId, text);
    } catch (error) {
      if ((error as { code?: string }).code === 'unavailable') this.keep(roomId, text);
      throw error;
    }
  }
  keep(roomId: string, text: string): UnsentMessage {
    const message = unsentMessage({
      roomId,
      messageId: `${++this.#ids}`.padStart(32, '0'),
      senderUserId: this.session!.userId,
      senderUsername: this.session!.username,
      sentAtMs: Date.now(),
      text,
      reason: REASON,
    });
    this.waiting.push(message);
    this.#changed(roomId);
    return message;
  }
  async unsent(roomId: string): Promise<UnsentMessage[]> {
    return this.waiting.filter((m) => m.roomId === roomId);
  }
  async retrySend(roomId: string, messageId: string): Promise<SentMessage> {
    const kept = this.waiting.find((m) => m.messageId === messageId)!;
    this.waiting = this.waiting.filter((m) => m !== kept);
    this.#changed(roomId);
    return sentMessage({ ...kept, seq: 1000, epoch: 2 });
  }
  async discardSend(roomId: string, messageId: string): Promise<void> {
    this.waiting = this.waiting.filter((m) => m.messageId !== messageId);
    this.#changed(roomId);
  }
  #changed(roomId: string): void {
    const unsent = this.waiting.filter((m) => m.roomId === roomId);
    this.dispatchEvent(new CustomEvent('outbox', { detail: { roomId, unsent } }));
  }
}

async function openRoom(setup?: (client: OutboxClient, roomId: string) => void) {
  const client = new OutboxClient();
  client.signedInAs('alice');
  const room = client.addRoom('Project X', ['bob'], { epoch: 2 });
  setup?.(client, room.roomId);
  const loaded = new Promise<void>((resolve) =>
    document.addEventListener('roomkey-history-loaded', () => resolve(), { once: true }),
  );
  const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
  await loaded;
  await settle(el);
  return { client, el, roomId: room.roomId };
}

/** Within a row (the dom helpers look into shadow roots). */
function inRow<E extends Element = HTMLElement>(row: Element, selector: string): E {
  const found = row.querySelector<E>(selector);
  ok(found, `no ${selector} in the row`);
  return found!;
}
const rowText = (row: Element, selector: string) =>
  (inRow(row, selector).textContent ?? '').replace(/\s+/g, ' ').trim();

const row = (el: Element, text: string) =>
  $$(el, 'li[data-key]').find((r) => r.querySelector('[part~=text]')?.textContent?.includes(text));

describe('outbox rows and delivery state', () => {
  it('a send that failed offline stays as "Not sent yet" with Retry and Discard; the text is not put back', async () => {
    const { el, client } = await openRoom();
    client.failNext(
      'send',
      new UnavailableError('The RoomKey server did not answer: try again in a moment.'),
    );
    const textarea = $<HTMLTextAreaElement>(el, '#composer-input');
    textarea.value = 'written offline';
    $<HTMLButtonElement>(el, 'button[part=send]').click();
    await until(() => row(el, 'written offline')?.dataset['status'] === 'unsent', 'unsent row');
    await settle(el);
    const kept = row(el, 'written offline')!;
    ok(
      rowText(kept, '[part=delivery-state]').startsWith('Not sent yet.'),
      rowText(kept, '[part=delivery-state]'),
    );
    ok(rowText(kept, '[part=delivery-state]').includes(REASON));
    inRow(kept, 'button[part=retry-send]');
    inRow(kept, 'button[part=discard-send]');
    equal($$(el, 'li[data-status=sending]').length, 0, 'no "Sending…" row left');
    equal(textarea.value, '', 'kept by the client, not put back');
    equal(textOf(el, '#composer-error'), KEPT_WORDS);
    await expectNoAxeViolations(fixture(), 'not sent yet');
  });

  it('waiting messages show after a load; Retry makes the row the stored message, Discard removes it', async () => {
    const { el, client } = await openRoom((c, roomId) => {
      c.seedHistory(roomId, 2);
      c.keep(roomId, 'first waiting');
      c.keep(roomId, 'second waiting');
    });
    await until(() => $$(el, 'li[data-status=unsent]').length === 2, 'two unsent rows');
    const first = row(el, 'first waiting')!;
    const key = first.dataset['key'];
    inRow<HTMLButtonElement>(first, 'button[part=retry-send]').click();
    await until(() => row(el, 'first waiting')?.dataset['status'] === 'sent', 'stored');
    await settle(el);
    const stored = row(el, 'first waiting')!;
    equal(stored.dataset['key'], key, 'the same row, now stored');
    equal(inRow(stored, '[part=delivery-state]').dataset['state'], 'stored');
    ok(rowText(stored, '[part=delivery-state]').includes('Stored'));
    equal(stored.querySelectorAll('button[part=retry-send]').length, 0, 'no Retry once stored');
    inRow<HTMLButtonElement>(row(el, 'second waiting')!, 'button[part=discard-send]').click();
    await until(() => !row(el, 'second waiting'), 'discarded');
    equal(client.waiting.length, 0);
    await expectNoAxeViolations(fixture(), 'after retry and discard');
  });

  it('a sent message shows sending, then stored', async () => {
    const { el, client } = await openRoom();
    const gate = client.gate('send');
    $<HTMLTextAreaElement>(el, '#composer-input').value = 'hello';
    $<HTMLButtonElement>(el, 'button[part=send]').click();
    await gate.reached;
    await settle(el);
    equal(rowText(row(el, 'hello')!, '[part=message-status]'), 'Sending…');
    gate.release();
    await until(() => row(el, 'hello')?.dataset['status'] === 'sent', 'sent');
    await settle(el);
    equal(inRow(row(el, 'hello')!, '[part=delivery-state]').dataset['state'], 'stored');
  });
});
