// The background's account: store lifecycle around the SDK session, the unlocked state surviving
// a restarted worker through storage.session (never the passphrase), lock and sign-out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, UnavailableError, WrongPassphraseError } from '../../../core/errors.ts';
import { ExtensionStorageBackend } from '../../../core/store/extension-storage-backend.ts';
import { EncryptedStore } from '../../../core/store/index.ts';
import { Account, type AccountState } from '../../../extension/lib/account.ts';
import type { SessionFactory } from '../../../extension/lib/background-session.ts';
import { MemoryUnlockCache, SessionUnlockCache } from '../../../extension/lib/unlock-cache.ts';
import { textOf } from '../../helpers/messages.ts';
import { CHEAP } from '../store/suite.ts';
import { FakeArea } from './fakes.ts';
import { createLoopbackFactory, probe } from './loopback-sdk.ts';

const PW = 'correct horse battery staple';
const GATEWAY = 'http://127.0.0.1:8080/';

/** One "browser": storage.local and storage.session that outlive any one background instance. */
function browserStorage() {
  return { local: new FakeArea(), session: new FakeArea() };
}

function background(
  storage: ReturnType<typeof browserStorage>,
  sessions: SessionFactory = createLoopbackFactory(),
) {
  const states: AccountState[] = [];
  const events: string[] = [];
  const account = new Account({
    backend: new ExtensionStorageBackend(storage.local),
    sessions,
    unlockCache: new SessionUnlockCache(storage.session),
    argon2: CHEAP,
    onState: (s) => states.push(s),
    onEvent: (type) => events.push(type),
  });
  return { account, states, events };
}

describe('account', () => {
  it('signs up into a new encrypted store and is ready', async () => {
    const storage = browserStorage();
    const { account, states } = background(storage);
    await account.restore();
    assert.equal(account.state.keys, 'signed-out');
    const session = await account.signUp({ gateway: GATEWAY, username: 'Alice', password: PW });
    assert.equal(session.username, 'alice');
    assert.deepEqual(
      { ...account.state, session: account.state.session?.username },
      { keys: 'ready', connection: 'online', session: 'alice', gateway: GATEWAY },
    );
    assert.equal(states.at(-1)?.keys, 'ready');
    const everything = JSON.stringify([...storage.local.data, ...storage.session.data]);
    assert.doesNotMatch(everything, /correct horse/, 'the password is stored nowhere');
    assert.doesNotMatch(everything, /alice/, 'nothing readable at rest');
  });

  it('a restarted background finds the store unlocked in the same browser session', async () => {
    const storage = browserStorage();
    const first = background(storage);
    await first.account.restore();
    await first.account.signUp({ gateway: GATEWAY, username: 'alice', password: PW });
    const room = await first.account.session().createRoom('Plans');
    await first.account.session().send(room.roomId, 'hello');

    const second = background(storage); // the worker was stopped; memory is gone
    await second.account.restore();
    assert.equal(second.account.state.keys, 'ready');
    assert.equal(second.account.state.session?.username, 'alice');
    const history = await second.account.session().history(room.roomId, {});
    assert.deepEqual(history.map(textOf), ['hello']);
  });

  it('a new browser session (storage.session empty) starts locked; the password unlocks', async () => {
    const storage = browserStorage();
    const first = background(storage);
    await first.account.restore();
    await first.account.signUp({ gateway: GATEWAY, username: 'alice', password: PW });
    storage.session.data.clear();
    const next = background(storage);
    await next.account.restore();
    assert.equal(next.account.state.keys, 'locked');
    assert.throws(() => next.account.session(), /locked/);
    await assert.rejects(next.account.unlock('wrong'), WrongPassphraseError);
    await next.account.unlock(PW);
    assert.equal(next.account.state.keys, 'ready');
    const store = await EncryptedStore.open(new ExtensionStorageBackend(storage.local));
    assert.equal(store.prfCredentials().length, 1, 'stale session wraps are removed on unlock');
  });

  it('lock forgets the session secret; a restart after lock stays locked', async () => {
    const storage = browserStorage();
    const first = background(storage);
    await first.account.restore();
    await first.account.signUp({ gateway: GATEWAY, username: 'alice', password: PW });
    await first.account.lock();
    assert.equal(first.account.state.keys, 'locked');
    assert.equal(storage.session.data.size, 0);
    const store = await EncryptedStore.open(new ExtensionStorageBackend(storage.local));
    assert.equal(store.prfCredentials().length, 0, 'the session wrap is gone from the header');
    const next = background(storage);
    await next.account.restore();
    assert.equal(next.account.state.keys, 'locked');
  });

  it('sign-out wipes the store and the session secret', async () => {
    const storage = browserStorage();
    await storage.local.set({ 'roomkey:settings': { previews: true } });
    const { account } = background(storage);
    await account.restore();
    await account.signUp({ gateway: GATEWAY, username: 'alice', password: PW });
    await account.signOut();
    assert.equal(account.state.keys, 'signed-out');
    assert.deepEqual([...storage.local.data.keys()], ['roomkey:settings']);
    assert.equal(storage.session.data.size, 0);
    assert.throws(() => account.session(), NotFoundError);
    await account.signIn({ gateway: GATEWAY, username: 'alice', password: PW });
    assert.equal(account.state.keys, 'ready');
  });

  it('a failed sign-in leaves nothing behind; without an SDK it says so', async () => {
    const storage = browserStorage();
    const unavailable: SessionFactory = {
      available: false,
      signUp: async () => {
        throw new UnavailableError('no SDK');
      },
      signIn: async () => {
        throw new UnavailableError('no SDK');
      },
      resume: async () => undefined,
      signOut: async () => undefined,
    };
    const { account } = background(storage, unavailable);
    await account.restore();
    await assert.rejects(account.signIn({ gateway: GATEWAY, username: 'a', password: PW }), UnavailableError);
    assert.equal(account.state.keys, 'signed-out');
    assert.equal(storage.local.data.size, 0);
  });

  it('session events reach the background; lock stops them', async () => {
    const storage = browserStorage();
    const { account, events } = background(storage);
    await account.restore();
    await account.signUp({ gateway: GATEWAY, username: 'alice', password: PW });
    const room = await account.session().createRoom('R');
    await probe.deliver({ roomId: room.roomId, text: 'hi' });
    assert.deepEqual(events, ['rooms', 'message', 'notification']);
    await account.lock();
    await assert.rejects(probe.deliver({ roomId: room.roomId, text: 'hi' }), NotFoundError);
  });

  it('where the background never stops (Firefox), nothing is kept outside memory', async () => {
    const storage = browserStorage();
    const account = new Account({
      backend: new ExtensionStorageBackend(storage.local),
      sessions: createLoopbackFactory(),
      unlockCache: new MemoryUnlockCache(),
      argon2: CHEAP,
      onState: () => undefined,
      onEvent: () => undefined,
    });
    await account.restore();
    await account.signUp({ gateway: GATEWAY, username: 'alice', password: PW });
    assert.equal(storage.session.data.size, 0);
    const store = await EncryptedStore.open(new ExtensionStorageBackend(storage.local));
    assert.equal(store.prfCredentials().length, 0);
  });
});
