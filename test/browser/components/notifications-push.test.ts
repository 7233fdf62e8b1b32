// <roomkey-notifications>'s Web Push control: shown only with a client that offers Web Push and
// while unlocked; it says truthfully whether this device is notified while RoomKey is closed, asks
// (enablePush) only on the user's click, turns it off again, and shows why when it cannot.
import '../../../components/index.ts';
import type { PushStatus } from '../../../components/client/types.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, fixture, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

/** A client with Web Push, recording what the element asked of it. */
class PushClient extends FakeRoomKeyClient {
  status: PushStatus = { state: 'off', message: 'This device is not notified while RoomKey is closed.' };
  readonly asked: string[] = [];
  failEnable: Error | undefined;

  async pushStatus(): Promise<PushStatus> {
    this.asked.push('status');
    return this.status;
  }

  async enablePush(): Promise<PushStatus> {
    this.asked.push('enable');
    if (this.failEnable) throw this.failEnable;
    this.status = {
      state: 'on',
      message: 'This device is notified of new messages while RoomKey is closed.',
    };
    return this.status;
  }

  async disablePush(): Promise<PushStatus> {
    this.asked.push('disable');
    this.status = { state: 'off', message: 'This device is not notified while RoomKey is closed.' };
    return this.status;
  }
}

async function withPush(client = new PushClient()) {
  client.signedInAs('alice');
  const el = await mount('roomkey-notifications', { client, duration: 0 });
  await until(() => el.shadowRoot?.querySelector('[part=push-status]'), 'the push control');
  return { client, el };
}

describe('<roomkey-notifications> Web Push control', () => {
  it('says it is off, and asks nothing until the user clicks; then it is on, and off again', async () => {
    const { client, el } = await withPush();
    equal(textOf(el, '[part=push-status]'), 'This device is not notified while RoomKey is closed.');
    equal($(el, '[part=push-status]').getAttribute('data-state'), 'off');
    equal(client.asked.join(), 'status', 'no permission asked before a click');
    await expectNoAxeViolations(fixture(), 'push control');
    $<HTMLButtonElement>(el, '[part=push-button]').click();
    await until(() => $(el, '[part=push-status]').getAttribute('data-state') === 'on', 'on');
    ok(textOf(el, '[part=push-button]').includes('Turn off'));
    $<HTMLButtonElement>(el, '[part=push-button]').click();
    await until(() => $(el, '[part=push-status]').getAttribute('data-state') === 'off', 'off again');
    equal(client.asked.join(), 'status,enable,disable');
  });

  it('shows why it cannot be turned on, without a button', async () => {
    const client = new PushClient();
    client.status = { state: 'unavailable', message: 'This page has no service worker with Web Push.' };
    const { el } = await withPush(client);
    equal(textOf(el, '[part=push-status]'), 'This page has no service worker with Web Push.');
    equal(el.shadowRoot?.querySelector('[part=push-button]'), null);
  });

  it('keeps the truth when turning on fails, and says what went wrong', async () => {
    const client = new PushClient();
    client.failEnable = new Error('The gateway is not reachable: try again once online.');
    const { el } = await withPush(client);
    $<HTMLButtonElement>(el, '[part=push-button]').click();
    await until(() => textOf(el, '[part=push-status]').includes('not reachable'), 'the error');
    equal($(el, '[part=push-status]').getAttribute('data-state'), 'off');
  });

  it('is absent with a client without Web Push, and while locked', async () => {
    const plain = new FakeRoomKeyClient();
    plain.signedInAs('alice');
    const el = await mount('roomkey-notifications', { client: plain });
    await settle(el);
    equal(el.shadowRoot?.querySelector('[part=push]'), null);
    const { client, el: withControl } = await withPush();
    client.setKeys('locked');
    await settle(withControl);
    equal(withControl.shadowRoot?.querySelector('[part=push]'), null);
  });
});
