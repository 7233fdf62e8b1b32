import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handlePush, type NotifyingRegistration, notificationRoom } from '../../../sw/push.ts';
import { wakeSentinelBytes } from '../../../sw/sentinel.ts';
import { wakeFromPush } from '../../../sw/wake.ts';

function fakeRegistration() {
  const shown: Array<{ title: string; options: NotificationOptions }> = [];
  const registration: NotifyingRegistration = {
    scope: 'http://127.0.0.1:8080/',
    async showNotification(title, options) {
      shown.push({ title, options });
    },
  };
  return { registration, shown };
}

describe('push handler', () => {
  it('shows one notification per wake result, with the room deep link in data', async () => {
    const { registration, shown } = fakeRegistration();
    const wake = async () => [
      { roomId: 'r1', title: 'Project X', body: 'bob: hi', tag: 'room-r1' },
      { roomId: 'r2', title: 'Lunch', body: '2 new messages', tag: 'room-r2' },
    ];
    const count = await handlePush(wakeSentinelBytes(), registration, { wake, icon: 'icons/icon-192.png' });
    assert.equal(count, 2);
    assert.deepEqual(
      shown.map((s) => [s.title, s.options.body, s.options.tag, s.options.data]),
      [
        ['Project X', 'bob: hi', 'room-r1', { roomId: 'r1', url: '/#room=r1' }],
        ['Lunch', '2 new messages', 'room-r2', { roomId: 'r2', url: '/#room=r2' }],
      ],
    );
    assert.equal(shown[0]!.options.icon, 'http://127.0.0.1:8080/icons/icon-192.png');
  });

  it('ignores a payload that is not the sentinel: no wake, nothing shown, content never displayed', async () => {
    const { registration, shown } = fakeRegistration();
    let woken = 0;
    const wake = async () => {
      woken++;
      return [];
    };
    for (const payload of [null, new TextEncoder().encode('secret text'), new Uint8Array([0x08, 0x02])]) {
      assert.equal(await handlePush(payload, registration, { wake }), 0);
    }
    assert.equal(woken, 0);
    assert.equal(shown.length, 0);
  });

  it('shows the generic notification until the client SDK wires the catch-up', async () => {
    const { registration, shown } = fakeRegistration();
    assert.equal(await handlePush(wakeSentinelBytes(), registration), (await wakeFromPush()).length);
    assert.equal(shown[0]!.title, 'RoomKey');
    assert.deepEqual(shown[0]!.options.data, { roomId: '', url: '/' });
  });

  it("reads a notification's room defensively", () => {
    assert.equal(notificationRoom({ roomId: 'r1', url: '/#room=r1' }), 'r1');
    assert.equal(notificationRoom(null), '');
    assert.equal(notificationRoom({ roomId: 42 }), '');
    assert.equal(notificationRoom('r1'), '');
  });
});
