import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handlePush, type NotifyingRegistration, notificationRoom } from '../../../sw/push.ts';
import { type SentinelKind, sentinelBytes, wakeSentinelBytes } from '../../../sw/sentinel.ts';
import { type WakeResult, wakeFromPush } from '../../../sw/wake.ts';

/** A registration whose tray holds what it showed, replaced by tag as the browser does. */
function fakeRegistration() {
  const shown: Array<{ title: string; options: NotificationOptions }> = [];
  const tray: Array<{ data: unknown; tag: string; closed: boolean; close(): void }> = [];
  const registration: NotifyingRegistration = {
    scope: 'http://127.0.0.1:8080/',
    async showNotification(title, options) {
      shown.push({ title, options });
      for (const old of tray) if (old.tag === options.tag) old.closed = true;
      const entry = {
        data: options.data,
        tag: options.tag ?? '',
        closed: false,
        close() {
          entry.closed = true;
        },
      };
      tray.push(entry);
    },
    async getNotifications() {
      return tray.filter((n) => !n.closed);
    },
  };
  return { registration, shown, open: () => tray.filter((n) => !n.closed) };
}

const result = (notifications: WakeResult['notifications'], read: [string, number][] = []): WakeResult => ({
  notifications,
  read: new Map(read),
});

describe('push handler', () => {
  it('shows one notification per wake result, with the room deep link and sequence in data', async () => {
    const { registration, shown } = fakeRegistration();
    const wake = async () =>
      result([
        { roomId: 'r1', title: 'Project X', body: 'bob: hi', tag: 'room-r1', seq: 7 },
        { roomId: 'r2', title: 'Lunch', body: '2 new messages', tag: 'room-r2', seq: 9 },
      ]);
    const count = await handlePush(sentinelBytes('wake'), registration, { wake, icon: 'icons/icon-192.png' });
    assert.equal(count, 2);
    assert.deepEqual(
      shown.map((s) => [s.title, s.options.body, s.options.tag, s.options.data]),
      [
        ['Project X', 'bob: hi', 'room-r1', { roomId: 'r1', url: '/#room=r1', seq: 7 }],
        ['Lunch', '2 new messages', 'room-r2', { roomId: 'r2', url: '/#room=r2', seq: 9 }],
      ],
    );
    assert.equal(shown[0]!.options.icon, 'http://127.0.0.1:8080/icons/icon-192.png');
  });

  it('wakes for WAKE with or without the kind, and only reads markers for SYNC_READ', async () => {
    const { registration, shown } = fakeRegistration();
    const kinds: SentinelKind[] = [];
    const wake = async (kind: SentinelKind) => {
      kinds.push(kind);
      return result(kind === 'wake' ? [{ roomId: 'r1', title: 'X', body: 'b', tag: 'room-r1', seq: 1 }] : []);
    };
    assert.equal(await handlePush(wakeSentinelBytes(), registration, { wake }), 1);
    assert.equal(await handlePush(sentinelBytes('wake'), registration, { wake }), 1);
    assert.equal(await handlePush(sentinelBytes('sync-read'), registration, { wake }), 0);
    assert.deepEqual(kinds, ['wake', 'wake', 'sync-read']);
    assert.equal(shown.length, 2);
  });

  it('closes the notifications of rooms read elsewhere up to their message, and no others', async () => {
    const { registration, open } = fakeRegistration();
    const first = async () =>
      result([
        { roomId: 'r1', title: 'X', body: 'bob: one', tag: 'room-r1', seq: 5 },
        { roomId: 'r2', title: 'Y', body: 'eve: two', tag: 'room-r2', seq: 8 },
        { roomId: 'r3', title: 'Z', body: 'eve: three', tag: 'room-r3', seq: 3 },
      ]);
    await handlePush(sentinelBytes('wake'), registration, { wake: first });
    assert.equal(open().length, 3);
    // Read on another device: r1 up to its message, r2 only up to an older one; r3 untouched.
    const sync = async () =>
      result(
        [],
        [
          ['r1', 5],
          ['r2', 7],
        ],
      );
    assert.equal(await handlePush(sentinelBytes('sync-read'), registration, { wake: sync }), 0);
    assert.deepEqual(
      open().map((n) => notificationRoom(n.data)),
      ['r2', 'r3'],
    );
    // Any later wake closes too, from the markers it read on the way.
    const later = async () => result([], [['r2', 9]]);
    await handlePush(sentinelBytes('wake'), registration, { wake: later });
    assert.deepEqual(
      open().map((n) => notificationRoom(n.data)),
      ['r3'],
    );
  });

  it('ignores a payload that is not the sentinel: no wake, nothing shown, content never displayed', async () => {
    const { registration, shown } = fakeRegistration();
    let woken = 0;
    const wake = async () => {
      woken++;
      return result([]);
    };
    for (const payload of [
      null,
      new TextEncoder().encode('secret text'),
      new Uint8Array([0x08, 0x02]),
      new Uint8Array([0x08, 0x01, 0x10, 0x07]),
    ]) {
      assert.equal(await handlePush(payload, registration, { wake }), 0);
    }
    assert.equal(woken, 0);
    assert.equal(shown.length, 0);
  });

  it('shows the generic notification when no store can be opened, and nothing for a sync', async () => {
    const { registration, shown } = fakeRegistration();
    const woken = await wakeFromPush('wake');
    assert.equal(await handlePush(sentinelBytes('wake'), registration), woken.notifications.length);
    assert.equal(shown[0]!.title, 'RoomKey');
    assert.deepEqual(shown[0]!.options.data, { roomId: '', url: '/' });
    assert.equal(await handlePush(sentinelBytes('sync-read'), registration), 0);
    assert.equal(shown.length, 1);
  });

  it("reads a notification's room defensively", () => {
    assert.equal(notificationRoom({ roomId: 'r1', url: '/#room=r1' }), 'r1');
    assert.equal(notificationRoom(null), '');
    assert.equal(notificationRoom({ roomId: 42 }), '');
    assert.equal(notificationRoom('r1'), '');
  });
});
