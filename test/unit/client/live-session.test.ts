// core/client/runtime/live-session.ts: a running session as every host uses it — each message
// handed on once (also across a restart, through the stored window), each notification once
// whichever way it came, nothing lost before the host listens, backoff reset once online.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../../core/client/runtime/backoff.ts';
import { LiveSession } from '../../../core/client/runtime/live-session.ts';
import { NotifiedWindow } from '../../../core/client/runtime/notified-window.ts';
import type { RoomNotification, StoredMessage } from '../../../core/client/types.ts';
import { EncryptedStore, MemoryBackend } from '../../../core/store/index.ts';
import { CHEAP } from '../store/suite.ts';
import { FakeSdk, received, room, sent, tick } from './runtime-fakes.ts';

function listen(live: LiveSession) {
  const messages: StoredMessage[] = [];
  const notes: RoomNotification[] = [];
  live.on('message', (m) => messages.push(m));
  live.on('notification', (n) => notes.push(n));
  return { messages, notes };
}

describe('LiveSession', () => {
  it('hands each message on once; a host that notifies on its own notifies each once', async () => {
    const sdk = new FakeSdk();
    sdk.rooms = [room('r1', 'Plans')];
    const live = new LiveSession(sdk, { window: NotifiedWindow.inMemory(), notifyLive: true });
    const { messages, notes } = listen(live);
    const hi = received('r1', 'hi');
    sdk.emit('message', hi);
    sdk.emit('message', hi);
    await tick();
    assert.deepEqual(
      messages.map((m) => (m as { text: string }).text),
      ['hi'],
    );
    assert.deepEqual(notes, [
      { roomId: 'r1', roomName: 'Plans', messageId: hi.messageId, senderUsername: 'bob', preview: 'hi' },
    ]);
    // The gateway's App Notification for the same message: already notified.
    sdk.emit('notification', {
      roomId: 'r1',
      roomName: 'Plans',
      messageId: hi.messageId,
      senderUsername: 'bob',
    });
    // One for a message not seen live: notified once.
    const other = { roomId: 'r1', roomName: '', messageId: 'f'.repeat(32), senderUsername: 'bob' };
    sdk.emit('notification', other);
    sdk.emit('notification', other);
    assert.deepEqual(
      notes.map((n) => [n.messageId, n.roomName]),
      [
        [hi.messageId, 'Plans'],
        [other.messageId, 'Plans'],
      ],
      'the room name from the room list',
    );
    // Own messages (the host's sends) reach the other views, never as a notification.
    await live.deliver(sent('r1', 'mine'));
    assert.equal(messages.length, 2);
    assert.equal(notes.length, 2);
  });

  it('a page leaves notifying to the gateway: live messages are not notified', async () => {
    const sdk = new FakeSdk();
    const live = new LiveSession(sdk, { window: NotifiedWindow.inMemory(), previews: false });
    const { messages, notes } = listen(live);
    sdk.emit('message', received('r1', 'hi'));
    await tick();
    assert.equal(messages.length, 1);
    assert.equal(notes.length, 0);
  });

  it('after a restart the window in the store keeps re-delivered messages from coming twice', async () => {
    const store = await EncryptedStore.create(new MemoryBackend(), 'pw', CHEAP);
    const before = received('r1', 'before');
    const first = new LiveSession(new FakeSdk(), {
      window: await NotifiedWindow.load(store, 'w'),
      notifyLive: true,
    });
    listen(first);
    await first.deliver(before);
    await first.detach();
    // The worker stopped; its successor's live reader resumes a little before the end.
    const sdk = new FakeSdk();
    const second = new LiveSession(sdk, { window: await NotifiedWindow.load(store, 'w'), notifyLive: true });
    const { messages, notes } = listen(second);
    const after = received('r1', 'after');
    sdk.emit('message', before);
    sdk.emit('message', after);
    await tick();
    assert.deepEqual(
      messages.map((m) => (m as { text: string }).text),
      ['after'],
    );
    assert.deepEqual(
      notes.map((n) => n.preview),
      ['after'],
    );
  });

  it('what comes before the host listens is kept for its first listener', async () => {
    const sdk = new FakeSdk();
    const live = new LiveSession(sdk, { window: NotifiedWindow.inMemory(), notifyLive: true });
    sdk.emit('message', received('r1', 'early'));
    await tick();
    const { messages, notes } = listen(live);
    await tick();
    assert.deepEqual(
      messages.map((m) => (m as { text: string }).text),
      ['early'],
    );
    assert.equal(notes.length, 1);
  });

  it('resets the backoff once online, forwards presence, and stops at detach', async () => {
    const sdk = new FakeSdk();
    let now = 0;
    const backoff = new Backoff({ now: () => now, random: () => 0 });
    const live = new LiveSession(sdk, { window: NotifiedWindow.inMemory(), backoff });
    const states: string[] = [];
    live.on('connection', (s) => states.push(s));
    backoff.delay();
    now = 20_000;
    assert.equal(backoff.delay(), 10_000);
    sdk.emit('connection', 'online');
    assert.equal(backoff.delay(), 250, 'online again: short waits');
    assert.deepEqual(states, ['online']);
    live.setPresence({ state: 'hidden', focusedRoom: 'r1' });
    assert.deepEqual(sdk.calls.slice(-2), ['focus:r1', 'presence:hidden']);
    await live.detach();
    const { messages } = listen(live);
    sdk.emit('message', received('r1', 'late'));
    live.setPresence({ state: 'active', focusedRoom: null });
    await tick();
    assert.equal(messages.length, 0);
    assert.deepEqual(sdk.calls.slice(-1), ['presence:hidden'], 'nothing forwarded after detach');
  });
});
