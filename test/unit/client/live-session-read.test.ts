// The extension's path (LiveSession with notifyLive: it notifies live messages itself, having no
// Web Push): a message the user already read on another device (read: true, the shared marker)
// is handed on as data and never notified; one not read is notified as before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveSession } from '../../../core/client/runtime/live-session.ts';
import { NotifiedWindow } from '../../../core/client/runtime/notified-window.ts';
import type { RoomNotification, StoredMessage } from '../../../core/client/types.ts';
import { FakeSdk, received, room, tick } from './runtime-fakes.ts';

describe('LiveSession and read markers', () => {
  it('hands a message read elsewhere on as data, without a notification', async () => {
    const sdk = new FakeSdk();
    sdk.rooms = [room('r1', 'Plans')];
    const live = new LiveSession(sdk, { window: NotifiedWindow.inMemory(), notifyLive: true });
    const messages: StoredMessage[] = [];
    const notes: RoomNotification[] = [];
    live.on('message', (m) => messages.push(m));
    live.on('notification', (n) => notes.push(n));
    const seen = received('r1', 'read on the phone', { read: true });
    const fresh = received('r1', 'new here');
    sdk.emit('message', seen);
    sdk.emit('message', fresh);
    await tick();
    assert.deepEqual(
      messages.map((m) => m.messageId),
      [seen.messageId, fresh.messageId],
    );
    assert.deepEqual(
      notes.map((n) => n.messageId),
      [fresh.messageId],
    );
    assert.equal(live.window.notified('r1', seen.messageId), false);
  });
});
