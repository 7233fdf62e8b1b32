// What a person sees when a call fails is written for a person (issue 17 item 5): internal text
// (the "add commit: RWCm… is already a member", ids, subjects) never reaches the screen.
import '../../../components/index.ts';
import { ERROR_USER_TEXT, MalformedError, UnavailableError } from '../../../core/errors.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, fixture, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

/** No id-like run (12+ base64/hex characters with a digit or an inner capital), cut-off id, or prefix. */
function assertForPeople(text: string): void {
  ok(text.length > 0, 'something is shown');
  for (const token of text.match(/[A-Za-z0-9+/=_-]{12,}/g) ?? [])
    ok(!/\d/.test(token) && !/[A-Z]/.test(token.slice(1)), `id-like token in "${text}"`);
  ok(!/[A-Za-z0-9]{2,}[A-Z\d][A-Za-z0-9]*…/.test(text), `cut-off id in "${text}"`);
  ok(!/Error:|^[a-z][\w .-]*: /.test(text), `internal text in "${text}"`);
}

async function openRoom(client: FakeRoomKeyClient) {
  const room = client.addRoom('Project X', ['bob'], { epoch: 2 });
  const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
  await until(() => $(el, '#composer-input'), 'composer');
  await settle(el);
  return el;
}

describe('errors shown to people', () => {
  it('inviting an existing member: no internal text or id', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const el = await openRoom(client);
    client.failNext('invite', new MalformedError('add commit: RWCm… is already a member'));
    $<HTMLInputElement>(el, '#invite-username').value = 'bob';
    $<HTMLButtonElement>(el, '[part=invite-button]').click();
    await until(() => textOf(el, '#invite-error'), 'invite error');
    assertForPeople(textOf(el, '#invite-error'));
    equal(textOf(el, '#invite-error'), ERROR_USER_TEXT.malformed);
    await expectNoAxeViolations(fixture(), 'invite error');
  });

  it('a send that failed inside NATS says what to do, not the subject', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const el = await openRoom(client);
    client.failNext(
      'send',
      new UnavailableError('rk.v1.room.Qx7bZ2mP9aLk4TnW.msg: no responders (503) JetStream9f2c4e1a7b3d'),
    );
    $<HTMLTextAreaElement>(el, '#composer-input').value = 'hello';
    $<HTMLButtonElement>(el, 'button[part=send]').click();
    await until(() => textOf(el, '#composer-error'), 'send error');
    assertForPeople(textOf(el, '#composer-error'));
    equal(textOf(el, '#composer-error'), ERROR_USER_TEXT.unavailable);
    await expectNoAxeViolations(fixture(), 'send error');
  });

  it('a history read that failed with a stack shows a sentence', async () => {
    const client = new FakeRoomKeyClient();
    client.signedInAs('alice');
    const room = client.addRoom('R');
    client.failNext('history', new TypeError("Cannot read properties of undefined (reading 'seq')"));
    const el = await mount('roomkey-room', { client }, { 'room-id': room.roomId });
    await until(() => textOf(el, '[part=error]'), 'error');
    assertForPeople(textOf(el, '[part=error]'));
    ok(!textOf(el, '[part=error]').includes('undefined'), textOf(el, '[part=error]'));
  });
});
