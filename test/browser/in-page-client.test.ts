// InPageClient in real Chromium, with a fake SDK session (the SDK itself is tested against the
// real stack in test/integration and test/e2e): what is in-page-specific — the configuration URL
// and offline behaviour, key state from the store, event forwarding, presence from the document,
// and the device-unlock opt-in against a real IndexedDB store.
import {
  InPageClient,
  presenceOf,
  type SessionFactory,
  storeDbName,
} from '../../components/client/in-page.ts';
import {
  DEVICE_UNLOCK_CREDENTIAL,
  deviceRecord,
  openWithDeviceUnlock,
} from '../../core/client/device-unlock.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { LockedError, UnavailableError } from '../../core/errors.ts';
import { EncryptedStore, IdbBackend, MemoryBackend, type StoreBackend } from '../../core/store/index.ts';
import { equal, ok, rejects } from '../helpers/assert.ts';

const CHEAP = { t: 1, mKib: 64, p: 1 };
const GATEWAY = 'https://rooms.example.test/base/';
const CONFIG = { version: 1, natsWebSocketUrl: 'ws://127.0.0.1:1', loginJwt: 'jwt' };

class FakeSession extends EventTarget {
  userId = 'u1';
  username = 'alice';
  keys: 'locked' | 'ready' = 'ready';
  connection = 'online' as const;
  calls: string[] = [];
  on(type: string, listener: (detail: unknown) => void): () => void {
    const h = (e: Event) => listener((e as CustomEvent).detail);
    this.addEventListener(type, h);
    return () => this.removeEventListener(type, h);
  }
  emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
  setPresence(state: string) {
    this.calls.push(`presence:${state}`);
  }
  focusRoom(id: string | null) {
    this.calls.push(`focus:${id}`);
  }
  async lock() {
    this.keys = 'locked';
  }
  async unlock(password: string) {
    this.calls.push(`unlock:${password}`);
    this.keys = 'ready';
  }
  async close() {
    this.keys = 'locked';
  }
  async listRooms() {
    return [];
  }
}

function factory(session: FakeSession, hasAccount = false): SessionFactory & { seen: unknown[] } {
  const seen: unknown[] = [];
  const make = async (options: unknown) => {
    seen.push(options);
    return session as unknown as RoomKeySession;
  };
  return { seen, hasAccount: async () => hasAccount, signUp: make, signIn: make, resume: make };
}

function fetchOk(urls: string[]): typeof fetch {
  return (async (url: string) => {
    urls.push(String(url));
    return new Response(JSON.stringify(CONFIG), { status: 200 });
  }) as typeof fetch;
}

function record(client: EventTarget, types: string[]): Array<[string, unknown]> {
  const events: Array<[string, unknown]> = [];
  for (const t of types) client.addEventListener(t, (e) => events.push([t, (e as CustomEvent).detail]));
  return events;
}

describe('InPageClient', () => {
  it('reads roomkey-config.json next to the gateway URL and starts signed out and online', async () => {
    const urls: string[] = [];
    const client = await new InPageClient({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      fetch: fetchOk(urls),
      sessions: factory(new FakeSession()),
      recordForServiceWorker: false,
    }).init();
    equal(urls[0], 'https://rooms.example.test/base/roomkey-config.json');
    equal(client.keys, 'signed-out');
    equal(client.connection, 'online');
    equal(client.session, null);
    equal(storeDbName(GATEWAY), 'roomkey:https://rooms.example.test');
    await client.close();
  });

  it('with a store on the device it starts locked; actions say so', async () => {
    const client = await new InPageClient({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      fetch: fetchOk([]),
      sessions: factory(new FakeSession(), true),
      recordForServiceWorker: false,
    }).init();
    equal(client.keys, 'locked');
    await rejects(() => client.listRooms(), LockedError);
    await client.close();
  });

  it('offline: connection "offline", sign-up fails with a clear error, and it recovers when online', async () => {
    let up = false;
    const client = await new InPageClient({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      fetch: (async () => {
        if (!up) throw new TypeError('Failed to fetch');
        return new Response(JSON.stringify(CONFIG));
      }) as typeof fetch,
      sessions: factory(new FakeSession()),
      recordForServiceWorker: false,
    }).init();
    equal(client.connection, 'offline');
    const error = await rejects(() => client.signUp('alice', 'password 12'), UnavailableError);
    ok(/Cannot reach the RoomKey gateway/.test(error.message), error.message);
    up = true;
    await client.signUp('alice', 'password 12');
    equal(client.keys, 'ready');
    await client.close();
  });

  it('adopts the session: session/keys/connection events, forwards SDK events, lock/unlock, revoked', async () => {
    const session = new FakeSession();
    const sessions = factory(session);
    const client = await new InPageClient({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      fetch: fetchOk([]),
      sessions,
      storeParams: CHEAP,
      recordForServiceWorker: false,
    }).init();
    const events = record(client, ['session', 'keys', 'rooms', 'message', 'notification', 'connection']);
    const info = await client.signUp('alice', 'password 12');
    equal(info.username, 'alice');
    const options = sessions.seen[0] as {
      username: string;
      storeParams: unknown;
      config: { loginJwt: string };
    };
    equal(options.username, 'alice');
    equal(options.config.loginJwt, 'jwt');
    equal(options.storeParams, CHEAP);
    session.emit('rooms', [{ roomId: 'r' }]);
    session.emit('message', { roomId: 'r', text: 'hi' });
    session.emit('notification', { roomId: 'r' });
    equal(
      events.map(([t]) => t).join(','),
      'session,keys,rooms,message,notification',
      JSON.stringify(events),
    );
    client.focusRoom('r');
    ok(session.calls.includes('focus:r'));
    session.emit('notification', { roomId: 'r' });
    session.emit('notification', { roomId: 'other' });
    equal(
      events
        .filter(([t]) => t === 'notification')
        .map(([, d]) => (d as { roomId: string }).roomId)
        .join(','),
      'r,other',
      'no notification for the room on screen',
    );
    await client.lock();
    equal(client.keys, 'locked');
    await client.unlock('password 12');
    equal(client.keys, 'ready');
    ok(session.calls.includes('unlock:password 12'));
    ok(session.calls.includes('focus:r'), 'the focused room follows an unlock');
    session.emit('revoked', { reason: 'gone' });
    equal(client.keys, 'signed-out');
    equal(client.session, null);
    await client.close();
  });

  it('the runtime underneath: each message once, and a hidden page still toasts (the user comes back to it)', async () => {
    const session = new FakeSession();
    const client = await new InPageClient({
      gatewayUrl: GATEWAY,
      backend: new MemoryBackend(),
      fetch: fetchOk([]),
      sessions: factory(session),
      recordForServiceWorker: false,
      presenceSource: {
        document: {
          visibilityState: 'hidden',
          hasFocus: () => false,
          addEventListener() {},
          removeEventListener() {},
        },
        window: { addEventListener() {}, removeEventListener() {} },
      } as unknown as { document: Document; window: Window },
    }).init();
    await client.signIn('alice', 'password 12');
    const events = record(client, ['message', 'notification']);
    const message = { roomId: 'r', messageId: 'ab'.repeat(16), text: 'hi', status: 'received', own: false };
    session.emit('message', message);
    session.emit('message', message);
    client.focusRoom('r');
    session.emit('notification', {
      roomId: 'r',
      roomName: 'R',
      messageId: message.messageId,
      senderUsername: 'bob',
    });
    equal(events.map(([t]) => t).join(','), 'message,notification', JSON.stringify(events));
    equal(client.presence, 'hidden');
    ok(session.calls.includes('presence:hidden'), 'the session reports the hidden page');
    await client.close();
  });

  it('presence: active when visible and focused, idle when not focused, hidden when not visible', () => {
    const doc = (visibilityState: string, focus: boolean) =>
      ({ visibilityState, hasFocus: () => focus }) as unknown as Document;
    equal(presenceOf(doc('visible', true)), 'active');
    equal(presenceOf(doc('visible', false)), 'idle');
    equal(presenceOf(doc('hidden', false)), 'hidden');
  });

  it('device unlock: the service worker opens the store with the non-extractable device key only', async () => {
    const dbName = `in-page-test-${Math.random().toString(36).slice(2)}`;
    const backend: StoreBackend = new IdbBackend(dbName);
    const store = await EncryptedStore.create(backend, 'password 12', CHEAP);
    await store.set('hello', new Uint8Array([1, 2, 3]));
    store.lock();
    const gatewayUrl = `https://device-unlock-${dbName}.test/`;
    const client = await new InPageClient({
      gatewayUrl,
      backend,
      fetch: fetchOk([]),
      sessions: factory(new FakeSession(), true),
    }).init();
    await client.setDeviceUnlock(true, 'password 12');
    ok(await client.deviceUnlockEnabled());
    const saved = await deviceRecord(client.configUrl);
    ok(saved?.key, 'the key is recorded');
    equal(saved.key.extractable, false);
    const opened = await openWithDeviceUnlock(saved, backend);
    ok(opened, 'unlocked without the password');
    equal((await opened.get('hello'))?.length, 3);
    ok(opened.prfCredentials().some((c) => c.credentialId.length === DEVICE_UNLOCK_CREDENTIAL.length));
    opened.lock();
    await client.setDeviceUnlock(false, 'password 12');
    equal(await openWithDeviceUnlock((await deviceRecord(client.configUrl))!, backend), undefined);
    await client.close();
  });
});
