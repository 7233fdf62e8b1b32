// What a page says while the RoomKey extension serves it (issue 17 §6): waiting for the user's
// approval (with a button that brings the approval window forward), locked rather than "offline",
// and a room list that says the site sees only the rooms approved for it. Each state is axe-clean.
import '../../../components/index.ts';
import { setDefaultClient } from '../../../components/index.ts';
import { EXTENSION_MARKER } from '../../../core/bridge/marker.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, fixture, mount, textOf, until } from '../helpers/dom.ts';
import { FakeRoomKeyClient } from '../helpers/fake-client.ts';

/** Runs a test as on a page the extension's content script marked. */
const marked = (body: () => Promise<void>) => async () => {
  document.documentElement.setAttribute(EXTENSION_MARKER, '1');
  try {
    await body();
  } finally {
    document.documentElement.removeAttribute(EXTENSION_MARKER);
  }
};

describe('states with the extension', () => {
  it(
    'while the site waits for approval it says so, and can bring the window forward',
    marked(async () => {
      setDefaultClient(undefined);
      const el = await mount('roomkey-room', {}, { 'room-id': 'room-1' });
      equal(textOf(el, '[part=connection-status]'), 'Waiting for your approval in the RoomKey window.');
      ok(!textOf(el).includes('still starting'), 'not "still starting"');
      ok(!textOf(el).includes('not a member'), 'not "not a member"');
      await expectNoAxeViolations(fixture(), 'waiting for approval');
      const posted: unknown[] = [];
      const listen = (event: MessageEvent) => posted.push(event.data);
      window.addEventListener('message', listen);
      try {
        $<HTMLButtonElement>(el, '[part=show-approval]').click();
        await until(
          () => posted.some((m) => JSON.stringify(m).includes('"connect"')),
          'a connect request on the window (the extension focuses the question already open)',
        );
      } finally {
        window.removeEventListener('message', listen);
      }
    }),
  );

  it(
    'locked after a restart: not connected because locked, not "offline"',
    marked(async () => {
      const client = new FakeRoomKeyClient();
      client.signedInAs('alice');
      client.setKeys('locked');
      client.setConnection('offline');
      const el = await mount('roomkey-sign-in', { client });
      equal(textOf(el, '[part=connection-status]'), 'Not connected while RoomKey is locked.');
      ok(!textOf(el, '[part=status]').includes('Offline'));
      equal($$(el, '[part=show-approval]').length, 0, 'nothing to approve once a client is there');
      client.setKeys('signed-out');
      await until(
        () => textOf(el, '[part=connection-status]') === 'Not connected until you sign in.',
        'signed out',
      );
      ok(!textOf(el, '[part=status]').includes('Offline'), 'signed out is not "offline" either');
      await expectNoAxeViolations(fixture(), 'locked');
    }),
  );

  it(
    'the room list says the site sees only the rooms approved for it',
    marked(async () => {
      const client = new FakeRoomKeyClient();
      client.signedInAs('alice');
      const el = await mount('roomkey-rooms', { client });
      await until(
        () => textOf(el, '[part=message]').startsWith('No rooms approved for this site yet'),
        'empty',
      );
      ok(!textOf(el).includes('No rooms yet'));
      await expectNoAxeViolations(fixture(), 'no approved rooms');
      client.addRoom('One');
      client.addRoom('Two');
      await until(() => textOf(el, '[part=approval-note]'), 'the note');
      ok(textOf(el, '[part=approval-note]').startsWith('This site may see 2 rooms'));
      await expectNoAxeViolations(fixture(), 'two approved rooms');
    }),
  );
});
