// extension/lib/notifications-read.ts: the background's OS notifications close when their room is
// read up to their message elsewhere (core/client's read event), and no others.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notificationId } from '../../../extension/lib/notification-router.ts';
import { ShownNotifications } from '../../../extension/lib/notifications-read.ts';

const R1 = 'a'.repeat(32);
const R2 = 'b'.repeat(32);
const id = (room: string, n: number) => notificationId(room, n.toString(16).padStart(32, '0'));
const message = (roomId: string, n: number, seq: number) => ({
  roomId,
  messageId: n.toString(16).padStart(32, '0'),
  seq,
});

describe('ShownNotifications', () => {
  it("closes a room's notifications read up to their message, and not newer ones or other rooms'", () => {
    const shown = new ShownNotifications();
    shown.seen(message(R1, 1, 10));
    shown.seen(message(R1, 2, 12));
    shown.seen(message(R2, 3, 11));
    for (const [room, n] of [
      [R1, 1],
      [R1, 2],
      [R2, 3],
    ] as const)
      shown.shown(id(room, n));
    assert.deepEqual(shown.read(R1, 11), [id(R1, 1)]);
    assert.deepEqual(shown.read(R1, 11), [], 'closed once');
    assert.deepEqual(shown.read(R1, 12), [id(R1, 2)]);
    assert.deepEqual(shown.read(R2, 11), [id(R2, 3)]);
  });

  it('closes a notification of an unknown sequence with any marker of its room; forgets clicked ones', () => {
    const shown = new ShownNotifications();
    shown.shown(id(R1, 7));
    shown.shown(id(R2, 8));
    shown.gone(id(R2, 8));
    shown.shown('not-ours');
    assert.deepEqual(shown.read(R1, 1), [id(R1, 7)]);
    assert.deepEqual(shown.read(R2, 99), []);
  });
});
