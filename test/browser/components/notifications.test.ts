import '../../../components/index.ts';
import { emulateMedia } from '@web/test-runner-commands';
import type { RoomNotification } from '../../../components/client/types.ts';
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
import { press } from '../helpers/keys.ts';

function note(n: number, extra: Partial<RoomNotification> = {}): RoomNotification {
  return {
    roomId: `room-${n}`,
    roomName: `Room ${n}`,
    messageId: `m${n}`,
    senderUsername: 'bob',
    preview: `preview ${n}`,
    ...extra,
  };
}

async function withToasts(duration = 0) {
  const client = new FakeRoomKeyClient();
  client.signedInAs('alice');
  const el = await mount('roomkey-notifications', { client, duration });
  return { client, el };
}

describe('<roomkey-notifications>', () => {
  it('shows a toast for a client notification in a polite live region', async () => {
    const { client, el } = await withToasts();
    client.notify(note(1));
    client.notify(note(2, { preview: undefined, roomName: '' }));
    await settle(el);
    const toasts = $$(el, '[part=toast]');
    equal(toasts.length, 2);
    equal(textOf(el, '[part=toast-title]'), 'bob in Room 1');
    equal(textOf(el, '[part=toast-preview]'), 'preview 1');
    ok(toasts[1]!.textContent!.includes('bob in a room'));
    ok(toasts[1]!.textContent!.includes('New message'));
    equal($(el, '[part=list]').getAttribute('aria-live'), 'polite');
    equal($(el, '[part=region]').getAttribute('aria-label'), 'RoomKey notifications');
    await expectNoAxeViolations(fixture(), 'toasts');
  });

  it('clicking a toast fires roomkey-notification-click with the room id and dismisses it', async () => {
    const { client, el } = await withToasts();
    const clicks = recordEvents<{ roomId: string; messageId: string }>(el, 'roomkey-notification-click');
    client.notify(note(7));
    await settle(el);
    $<HTMLButtonElement>(el, '[part=toast-open]').click();
    await settle(el);
    equal(clicks.length, 1);
    equal(clicks[0]!.detail.roomId, 'room-7');
    equal(clicks[0]!.detail.messageId, 'm7');
    equal($$(el, '[part=toast]').length, 0);
  });

  it('keyboard: Enter opens, Escape and the dismiss button dismiss; focus moves to the next toast', async () => {
    const { client, el } = await withToasts();
    const clicks = recordEvents<{ roomId: string }>(el, 'roomkey-notification-click');
    for (const n of [1, 2, 3]) client.notify(note(n));
    await settle(el);
    const dismiss = $$<HTMLButtonElement>(el, '[part=toast-dismiss]');
    equal(dismiss[0]!.textContent?.trim(), '×Dismiss notification: bob in Room 1');
    $$<HTMLButtonElement>(el, '[part=toast-open]')[0]!.focus();
    await press('Escape');
    await settle(el);
    equal($$(el, '[part=toast]').length, 2);
    equal(deepActiveElement(), $$(el, '[part=toast-open]')[0], 'focus on the next toast');
    await press('Tab');
    equal(deepActiveElement(), $$(el, '[part=toast-dismiss]')[0]);
    await press('Enter');
    await settle(el);
    equal($$(el, '[part=toast]').length, 1);
    equal(textOf(el, '[part=toast-title]'), 'bob in Room 3');
    equal(deepActiveElement(), $(el, '[part=toast-open]'));
    await press('Enter');
    await settle(el);
    equal(clicks.at(-1)?.detail.roomId, 'room-3');
    equal($$(el, '[part=toast]').length, 0);
  });

  it('toasts go after `duration`, but not while focused', async () => {
    const { client, el } = await withToasts(150);
    client.notify(note(1));
    await settle(el);
    equal($$(el, '[part=toast]').length, 1);
    await until(() => $$(el, '[part=toast]').length === 0, 'auto dismissed', 2000);
    client.notify(note(2));
    await settle(el);
    $(el, '[part=toast-open]').focus();
    await new Promise((r) => setTimeout(r, 400));
    equal($$(el, '[part=toast]').length, 1, 'kept while focused');
    (deepActiveElement() as HTMLElement).blur();
    await until(() => $$(el, '[part=toast]').length === 0, 'dismissed after focus left', 2000);
  });

  it('keeps at most `max` toasts', async () => {
    const { client, el } = await withToasts();
    el.max = 2;
    for (const n of [1, 2, 3]) client.notify(note(n));
    await settle(el);
    equal(
      $$(el, '[part=toast-title]')
        .map((t) => t.textContent)
        .join('|'),
      'bob in Room 2|bob in Room 3',
    );
    equal(el.notifications.length, 2);
  });

  it('roomkey-notification-show can be cancelled (e.g. for the room on screen)', async () => {
    const { client, el } = await withToasts();
    el.addEventListener('roomkey-notification-show', (e) => {
      if (e.detail.roomId === 'room-1') e.preventDefault();
    });
    client.notify(note(1));
    client.notify(note(2));
    await settle(el);
    equal($$(el, '[part=toast]').length, 1);
    equal(textOf(el, '[part=toast-title]'), 'bob in Room 2');
  });

  it('says when notifications cannot arrive: offline, reconnecting, locked', async () => {
    const { client, el } = await withToasts();
    equal($$(el, '[part=status]').length, 0, 'nothing to say while online and unlocked');
    client.setConnection('offline');
    await settle(el);
    ok(textOf(el, '[part=status]').startsWith("Offline: can't reach the RoomKey server."));
    await expectNoAxeViolations(fixture(), 'offline');
    client.setConnection('reconnecting');
    await settle(el);
    ok(textOf(el, '[part=status]').startsWith('Connection lost, reconnecting…'));
    client.setConnection('online');
    client.setKeys('locked');
    await settle(el);
    ok(textOf(el, '[part=status]').startsWith('Locked'));
  });

  it('respects reduced motion: toasts appear without animation', async () => {
    const { client, el } = await withToasts();
    client.notify(note(1));
    await settle(el);
    ok($(el, '[part=toast]').getAnimations().length > 0, 'animates by default');
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      client.notify(note(2));
      await settle(el);
      equal($$(el, '[part=toast]')[1]!.getAnimations().length, 0);
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });

  it('stops listening to a client it no longer uses', async () => {
    const { client, el } = await withToasts();
    const other = new FakeRoomKeyClient();
    el.client = other;
    await settle(el);
    client.notify(note(1));
    other.notify(note(2));
    await settle(el);
    equal(textOf(el, '[part=toast-title]'), 'bob in Room 2');
    equal($$(el, '[part=toast]').length, 1);
  });
});
