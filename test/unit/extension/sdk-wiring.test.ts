// The extension's SDK adapter (lib/sdk-wiring.ts) over a fake SDK session: the background hears
// the session from its first event (a resumed live reader delivers at once), each message and
// notification once — also after a restart, through the window in the background's store —, its
// own sends reach the other tabs, a revocation reads as offline, presence only while unlocked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, NotifiedWindow, type RoomKeySession } from '../../../core/client/index.ts';
import { EncryptedStore, MemoryBackend } from '../../../core/store/index.ts';
import type { IncomingNotification } from '../../../extension/lib/background-session.ts';
import { SdkSession } from '../../../extension/lib/sdk-wiring.ts';
import { FakeSdk, received, room, sent, tick } from '../client/runtime-fakes.ts';
import { CHEAP } from '../store/suite.ts';

class Sdk extends FakeSdk {
  keys = 'ready';
  closed = false;
  readonly outbox = sent('r1', 'from this tab');
  async send() {
    return this.outbox;
  }
  async close() {
    this.closed = true;
  }
}

/** A session started the way sdk-wiring starts it; `early` runs while the SDK is still opening. */
async function start(window: NotifiedWindow, early: (sdk: Sdk) => void = () => undefined) {
  const sdk = new Sdk();
  sdk.rooms = [room('r1', 'Plans')];
  const session = await SdkSession.start(
    async (onCreated) => {
      onCreated(sdk as unknown as RoomKeySession);
      early(sdk);
      return sdk as unknown as RoomKeySession;
    },
    window,
    new Backoff(),
  );
  const texts: string[] = [];
  const notes: IncomingNotification[] = [];
  const states: string[] = [];
  session.on('message', (m) => texts.push((m as { text: string }).text));
  session.on('notification', (n) => notes.push(n));
  session.on('connection', (s) => states.push(s));
  return { sdk, session, texts, notes, states };
}

describe('SdkSession', () => {
  it('hears the session from its first event, and notifies each message from others once', async () => {
    const early = received('r1', 'while the worker was stopped');
    const { sdk, texts, notes } = await start(NotifiedWindow.inMemory(), (s) => s.emit('message', early));
    await tick();
    assert.deepEqual(texts, ['while the worker was stopped']);
    assert.deepEqual(notes, [
      {
        roomId: 'r1',
        roomName: 'Plans',
        messageId: early.messageId,
        senderUsername: 'bob',
        text: 'while the worker was stopped',
        own: false,
      },
    ]);
    sdk.emit('notification', {
      roomId: 'r1',
      roomName: 'Plans',
      messageId: early.messageId,
      senderUsername: 'bob',
    });
    sdk.emit('message', early);
    await tick();
    assert.equal(texts.length, 1);
    assert.equal(notes.length, 1, 'the App Notification for it is not shown again');
  });

  it('its own sends reach the other tabs, never as a notification; revoked reads as offline', async () => {
    const { sdk, session, texts, notes, states } = await start(NotifiedWindow.inMemory());
    await session.send('r1', 'from this tab');
    assert.deepEqual(texts, ['from this tab']);
    assert.equal(notes.length, 0);
    sdk.emit('revoked', { reason: 'revoked elsewhere' });
    assert.deepEqual(states, ['offline']);
    await session.close();
    assert.equal(sdk.closed, true);
  });

  it('presence goes to the session only while it is unlocked', async () => {
    const { sdk, session } = await start(NotifiedWindow.inMemory());
    sdk.calls.length = 0;
    session.setPresence({ state: 'hidden', focusedRoom: 'r1' });
    assert.deepEqual(sdk.calls, ['focus:r1', 'presence:hidden']);
    sdk.keys = 'locked';
    session.setPresence({ state: 'active', focusedRoom: null });
    assert.equal(sdk.calls.length, 2);
  });

  it('after a restart, the window in the background store drops what was handed on before', async () => {
    const store = await EncryptedStore.create(new MemoryBackend(), 'background', CHEAP);
    const before = received('r1', 'before');
    const first = await start(await NotifiedWindow.load(store, 'sdk/delivered'));
    first.sdk.emit('message', before);
    await tick();
    await first.session.close();
    const after = received('r1', 'after');
    const second = await start(await NotifiedWindow.load(store, 'sdk/delivered'), (s) => {
      s.emit('message', before); // the live reader resumed a moment before the end
      s.emit('message', after);
    });
    await tick();
    assert.deepEqual(second.texts, ['after']);
    assert.deepEqual(
      second.notes.map((n) => n.text),
      ['after'],
    );
  });
});
