// core/client/runtime/client-runtime.ts with fake account flows (the real RoomKeySession is
// tested against the real stack in test/integration): key states from the store, the config
// deciding the connection state before sign-in, the notification decision for one view, lock and
// unlock keeping presence, a revocation signing out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AccountFlows, ClientRuntime } from '../../../core/client/runtime/client-runtime.ts';
import type { RoomKeySession } from '../../../core/client/session.ts';
import type { RoomNotification } from '../../../core/client/types.ts';
import { BadCredentialsError, LockedError, UnavailableError } from '../../../core/errors.ts';
import { MemoryBackend } from '../../../core/store/index.ts';
import { FakeSdk } from './runtime-fakes.ts';

const GATEWAY = 'https://rooms.example.test/';
const CONFIG = { version: 1, natsWebSocketUrl: 'wss://nats.example.test', loginJwt: 'jwt' };

class AccountSdk extends FakeSdk {
  keys = 'ready';
  async lock() {
    this.keys = 'locked';
  }
  async unlock(password: string) {
    if (password !== 'pw') throw new BadCredentialsError();
    this.keys = 'ready';
  }
  async close() {
    this.keys = 'locked';
  }
  async signOut() {
    this.keys = 'signed-out';
  }
}

function flows(sdk: AccountSdk, held = false): AccountFlows & { fail: boolean } {
  const make = async () => {
    if (result.fail) throw new BadCredentialsError();
    return sdk as unknown as RoomKeySession;
  };
  const result = { fail: false, hasAccount: async () => held, signUp: make, signIn: make, resume: make };
  return result;
}

const serving =
  (up: () => boolean): typeof fetch =>
  async () => {
    if (!up()) throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify(CONFIG));
  };

describe('ClientRuntime', () => {
  it('signed out and online when the config is read; locked with a store; actions say what to do', async () => {
    const runtime = await new ClientRuntime({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      sessions: flows(new AccountSdk()),
      fetch: serving(() => true),
    }).init();
    assert.equal(runtime.keys, 'signed-out');
    assert.equal(runtime.connection, 'online');
    assert.throws(
      () => runtime.ready(),
      (e: Error) => e instanceof LockedError && /sign in/.test(e.message),
    );
    const locked = await new ClientRuntime({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      sessions: flows(new AccountSdk(), true),
      fetch: serving(() => true),
    }).init();
    assert.equal(locked.keys, 'locked');
    assert.throws(() => locked.ready(), LockedError);
  });

  it('offline: says so, sign-up fails with what to do, and it recovers when back online', async () => {
    let up = false;
    const runtime = await new ClientRuntime({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      sessions: flows(new AccountSdk()),
      fetch: serving(() => up),
    }).init();
    assert.equal(runtime.connection, 'offline');
    await assert.rejects(runtime.signUp('alice', 'pw'), UnavailableError);
    up = true;
    runtime.retry();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(runtime.connection, 'online');
    await runtime.signUp('alice', 'pw');
    assert.equal(runtime.keys, 'ready');
  });

  it('toasts what is not on screen, OS notifications where the host can; presence survives a lock', async () => {
    const sdk = new AccountSdk();
    const os: RoomNotification[] = [];
    const runtime = await new ClientRuntime({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      sessions: flows(sdk),
      fetch: serving(() => true),
      showOsNotification: (n) => os.push(n),
    }).init();
    const toasts: string[] = [];
    runtime.on('notification', (n) => toasts.push(n.roomId));
    runtime.focusRoom('r1');
    await runtime.signIn('alice', 'pw');
    assert.ok(sdk.calls.includes('focus:r1'), 'the room on screen reaches the session');
    const note = (roomId: string) => ({
      roomId,
      roomName: '',
      messageId: `${roomId}-m`,
      senderUsername: 'bob',
    });
    sdk.emit('notification', note('r1'));
    sdk.emit('notification', note('r2'));
    assert.deepEqual(toasts, ['r2'], 'nothing for the room on screen');
    runtime.setPresence('hidden');
    sdk.emit('notification', { ...note('r1'), messageId: 'another' });
    assert.deepEqual(
      os.map((n) => n.roomId),
      ['r1'],
      'hidden: an OS notification',
    );
    await runtime.lock();
    assert.equal(runtime.keys, 'locked');
    runtime.focusRoom('r3');
    await assert.rejects(runtime.unlock('wrong'), BadCredentialsError);
    assert.equal(runtime.keys, 'locked');
    sdk.calls.length = 0;
    await runtime.unlock('pw');
    assert.equal(runtime.keys, 'ready');
    assert.deepEqual(sdk.calls, ['focus:r3', 'presence:hidden'], 'the presence of now follows an unlock');
  });

  it('a failed sign-in after a session says what the device holds; a revocation signs out', async () => {
    const sdk = new AccountSdk();
    const sessions = flows(sdk, true);
    const runtime = await new ClientRuntime({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      sessions,
      fetch: serving(() => true),
    }).init();
    const heard: string[] = [];
    runtime.on('keys', (k) => heard.push(`keys:${k}`));
    runtime.on('session', (s) => heard.push(`session:${s?.username ?? null}`));
    await runtime.unlock('pw');
    sessions.fail = true;
    await assert.rejects(runtime.signIn('bob', 'pw'), BadCredentialsError);
    assert.equal(runtime.keys, 'locked');
    assert.equal(runtime.session, null);
    sessions.fail = false;
    await runtime.signIn('alice', 'pw');
    sdk.emit('revoked', { reason: 'revoked elsewhere' });
    assert.equal(runtime.keys, 'signed-out');
    assert.equal(runtime.session, null);
    assert.deepEqual(heard, [
      'session:alice',
      'keys:ready',
      'session:null',
      'keys:locked',
      'session:alice',
      'keys:ready',
      'session:null',
      'keys:signed-out',
    ]);
  });
});
