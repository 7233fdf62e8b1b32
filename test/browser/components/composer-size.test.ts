// The composer refuses a message over the size limit before sending, with the limit in words
// (issue 17 item 2), and still sends one at the limit.
import '../../../components/index.ts';
import { MAX_MESSAGE_BYTES } from '../../../core/client/message-size.ts';
import { equal } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, fixture, mount, recordEvents, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

async function openRoom() {
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const room = client.addRoom('Project X', ['bob'], { epoch: 2 });
  const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
  await until(() => $(el, '#composer-input'), 'composer');
  await settle(el);
  return { client, el };
}

describe('composer size limit', () => {
  it('a 20 KB message is refused with the limit in words; nothing is sent, the text stays', async () => {
    const { client, el } = await openRoom();
    const errors = recordEvents(el, 'roomkey-error');
    const textarea = $<HTMLTextAreaElement>(el, '#composer-input');
    textarea.value = 'é'.repeat(10 * 1024); // 2 bytes each in UTF-8: 20 KB
    $<HTMLButtonElement>(el, 'button[part=send]').click();
    await until(() => textOf(el, '#composer-error'), 'size error');
    equal(
      textOf(el, '#composer-error'),
      'Messages can be at most 16 KB; this one is 20 KB. Shorten it or send it in parts.',
    );
    equal(client.calls.filter((c) => c.method === 'send').length, 0, 'nothing sent');
    equal(textarea.value.length, 10 * 1024, 'the text stays');
    equal($$(el, 'li[data-status=sending]').length, 0, 'no "Sending…" row');
    equal(errors.length, 1);
    await expectNoAxeViolations(fixture(), 'too large');
  });

  it('a message of exactly the limit is sent', async () => {
    const { client, el } = await openRoom();
    $<HTMLTextAreaElement>(el, '#composer-input').value = 'x'.repeat(MAX_MESSAGE_BYTES);
    $<HTMLButtonElement>(el, 'button[part=send]').click();
    await until(() => client.calls.some((c) => c.method === 'send'), 'sent');
    equal(textOf(el, '#composer-error'), '');
  });
});
