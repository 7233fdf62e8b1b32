/**
 * InPageClient: the RoomKeyClient that runs core in the page (used when the extension is absent).
 * A thin adapter over core/client's RoomKeySession: the encrypted store lives in IndexedDB (one
 * database per gateway origin), the deployment's configuration comes from `roomkey-config.json`
 * next to the gateway URL, presence follows document.visibilityState and window focus, and the
 * session's events are re-dispatched as the CustomEvents the components listen to (App
 * Notifications only for rooms not on screen: the room shown on a visible page shows the message).
 * Key state: `signed-out` (no store on this device), `locked` (a store, not unlocked), `ready`.
 * @example const client = await connectInPageClient('https://rooms.example.com/');
 */

import type { HistoryOptions, PresenceState } from '../../core/client/index.ts';
import {
  type ClientConfig,
  type DeploymentConfig,
  deleteDeviceRecord,
  deploymentConfigUrl,
  deviceRecord,
  disableDeviceUnlock,
  enableDeviceUnlock,
  LocalState,
  parseDeploymentConfig,
  preloadOpaque,
  RoomKeySession,
  type SessionOptions,
  saveDeviceRecord,
} from '../../core/client/index.ts';
import { LockedError, UnavailableError } from '../../core/errors.ts';
import type { Argon2Params, StoreBackend } from '../../core/store/index.ts';
import { IdbBackend } from '../../core/store/index.ts';
import type {
  ConnectionState,
  HistoryProgress,
  KeyState,
  RoomKeyClient,
  RoomKeyClientEvents,
  RoomSummary,
  SentMessage,
  Session,
  StoredMessage,
} from './types.ts';

/** The `roomkey-config.json` a deployment serves (core/client/config.ts). */
export type { DeploymentConfig } from '../../core/client/index.ts';

/** The part of RoomKeySession's static API the client uses (a fake in browser tests). */
export interface SessionFactory {
  hasAccount(backend: StoreBackend): Promise<boolean>;
  signUp(options: SessionOptions & { username: string; password: string }): Promise<RoomKeySession>;
  signIn(options: SessionOptions & { username: string; password: string }): Promise<RoomKeySession>;
  resume(options: SessionOptions & { password: string }): Promise<RoomKeySession>;
}

export interface InPageClientOptions {
  /** Absolute URL ending in `/`. */
  gatewayUrl: string;
  /** Default: IndexedDB database `roomkey:<gateway origin>`. */
  backend?: StoreBackend;
  fetch?: typeof fetch;
  sessions?: SessionFactory;
  /** Argon2id costs for a new store (tests pass cheap ones). */
  storeParams?: Argon2Params;
  /** Decrypted previews in notifications (default true). */
  previews?: boolean;
  /** Where presence comes from (default the page's document and window). */
  presenceSource?: { document: Document; window: Window };
  /** Record the store for the service worker (default true; off in unit tests). */
  recordForServiceWorker?: boolean;
}

/** The IndexedDB database name of the store for a gateway (one per gateway origin). */
export function storeDbName(gatewayUrl: string): string {
  return `roomkey:${new URL(gatewayUrl).origin}`;
}

/** active: visible and focused; idle: visible, not focused; hidden: not visible. */
export function presenceOf(doc: Document): PresenceState {
  if (doc.visibilityState === 'hidden') return 'hidden';
  return doc.hasFocus() ? 'active' : 'idle';
}

export class InPageClient extends EventTarget implements RoomKeyClient {
  readonly gatewayUrl: string;
  readonly configUrl: string;
  readonly storeDb: string;
  readonly #options: InPageClientOptions;
  readonly #backend: StoreBackend;
  readonly #sessions: SessionFactory;
  #config: Promise<ClientConfig> | undefined;
  #session: RoomKeySession | undefined;
  #unsubscribe: Array<() => void> = [];
  #connection: ConnectionState = 'connecting';
  #keys: KeyState = 'signed-out';
  #info: Session | null = null;
  #presence: PresenceState = 'active';
  #focusedRoom: string | null = null;
  #detachPresence: (() => void) | undefined;

  constructor(options: InPageClientOptions) {
    super();
    this.#options = options;
    this.gatewayUrl = options.gatewayUrl;
    this.configUrl = deploymentConfigUrl(options.gatewayUrl);
    this.storeDb = storeDbName(options.gatewayUrl);
    this.#backend = options.backend ?? new IdbBackend(this.storeDb);
    this.#sessions = options.sessions ?? RoomKeySession;
  }

  /** Reads the key state from the store and the configuration; never fails on the network. */
  async init(): Promise<this> {
    this.#setKeys((await this.#sessions.hasAccount(this.#backend)) ? 'locked' : 'signed-out');
    await this.#loadConfig().catch(() => undefined);
    const source =
      this.#options.presenceSource ?? (typeof document !== 'undefined' ? { document, window } : undefined);
    if (source) {
      const update = () => this.#setPresence(presenceOf(source.document));
      source.document.addEventListener('visibilitychange', update);
      source.window.addEventListener('focus', update);
      source.window.addEventListener('blur', update);
      source.window.addEventListener('online', this.#onOnline);
      this.#detachPresence = () => {
        source.document.removeEventListener('visibilitychange', update);
        source.window.removeEventListener('focus', update);
        source.window.removeEventListener('blur', update);
        source.window.removeEventListener('online', this.#onOnline);
      };
      this.#presence = presenceOf(source.document);
    }
    return this;
  }

  get connection(): ConnectionState {
    return this.#connection;
  }
  get keys(): KeyState {
    return this.#keys;
  }
  get session(): Session | null {
    return this.#info;
  }
  /** Presence as last reported to the session. */
  get presence(): PresenceState {
    return this.#presence;
  }

  /** The SDK session (advanced pages and tests); undefined until signed in or unlocked. */
  get sdk(): RoomKeySession | undefined {
    return this.#session;
  }

  async signUp(username: string, password: string): Promise<Session> {
    return this.#adopt(
      await this.#sessions.signUp({ ...(await this.#sessionOptions()), username, password }),
    );
  }

  async signIn(username: string, password: string): Promise<Session> {
    await this.#drop();
    return this.#adopt(
      await this.#sessions.signIn({ ...(await this.#sessionOptions()), username, password }),
    );
  }

  async unlock(password: string): Promise<void> {
    if (this.#session && this.#session.keys === 'ready') return;
    if (this.#session) {
      await this.#session.unlock(password);
      this.#ready(this.#session);
      return;
    }
    this.#adopt(await this.#sessions.resume({ ...(await this.#sessionOptions()), password }));
  }

  async lock(): Promise<void> {
    if (!this.#session) return;
    await this.#session.lock();
    this.#setKeys('locked');
    this.#setConnection(this.#config ? 'online' : 'offline');
  }

  async signOut(): Promise<void> {
    const session = this.#session;
    if (session && session.keys === 'ready') {
      await session.signOut();
    } else {
      // Locked: the device key can't sign its own revocation; the keys at rest are deleted.
      await LocalState.wipe(this.#backend);
    }
    await this.#drop();
    if (this.#options.recordForServiceWorker !== false)
      await deleteDeviceRecord(this.configUrl).catch(() => undefined);
    this.#info = null;
    // Keys first: a component hearing `session: null` must not find keys still 'ready'.
    this.#setKeys('signed-out');
    this.#emit('session', null);
    this.#setConnection(this.#config ? 'online' : 'offline');
  }

  listRooms(): Promise<RoomSummary[]> {
    return this.#ready_().listRooms();
  }
  createRoom(name: string): Promise<RoomSummary> {
    return this.#ready_().createRoom(name);
  }
  invite(roomId: string, username: string, options?: { shareHistory?: boolean }): Promise<RoomSummary> {
    return this.#ready_().invite(roomId, username, options);
  }
  removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    return this.#ready_().removeMember(roomId, userId);
  }
  send(roomId: string, text: string): Promise<SentMessage> {
    return this.#ready_().send(roomId, text);
  }
  history(
    roomId: string,
    options: { limit?: number; onProgress?: (progress: HistoryProgress) => void } = {},
  ): Promise<StoredMessage[]> {
    return this.#ready_().history(roomId, options as HistoryOptions);
  }
  focusRoom(roomId: string | null): void {
    this.#focusedRoom = roomId;
    if (this.#session && this.#session.keys === 'ready') this.#session.focusRoom(roomId);
  }

  /**
   * "Keep this device unlocked" for the service worker (see core/client/device-unlock.ts): with it on, a
   * wake-up push can show which room has news (and a preview when allowed). Needs the password.
   */
  async setDeviceUnlock(enabled: boolean, password: string): Promise<void> {
    const record = {
      configUrl: this.configUrl,
      storeDb: this.storeDb,
      previews: this.#options.previews !== false,
    };
    if (enabled) await enableDeviceUnlock(record, password, this.#backend);
    else await disableDeviceUnlock(record, password, this.#backend);
  }

  /** Whether the device-unlock opt-in is on. */
  async deviceUnlockEnabled(): Promise<boolean> {
    return Boolean((await deviceRecord(this.configUrl).catch(() => undefined))?.key);
  }

  /** Stops following the page and closes the session (tests; pages just unload). */
  async close(): Promise<void> {
    this.#detachPresence?.();
    await this.#drop();
  }

  #onOnline = (): void => {
    if (!this.#session && this.#connection === 'offline') void this.#loadConfig().catch(() => undefined);
  };

  #loadConfig(): Promise<ClientConfig> {
    this.#config ??= (async () => {
      if (!this.#session) this.#setConnection('connecting');
      const res = await (this.#options.fetch ?? fetch)(this.configUrl, { cache: 'no-store' });
      if (!res.ok)
        throw new UnavailableError(`The RoomKey gateway answered ${res.status} for its configuration.`);
      const json: unknown = await res.json();
      let body: DeploymentConfig;
      try {
        body = parseDeploymentConfig(json);
      } catch (cause) {
        throw new UnavailableError(
          'The RoomKey gateway sent a configuration this client does not understand.',
          { cause },
        );
      }
      if (!this.#session) this.#setConnection('online');
      return { servers: body.natsWebSocketUrl, loginJwt: body.loginJwt };
    })();
    this.#config.catch(() => {
      this.#config = undefined;
      if (this.#session?.keys !== 'ready') this.#setConnection('offline');
    });
    return this.#config;
  }

  async #sessionOptions(): Promise<SessionOptions> {
    let config: ClientConfig;
    try {
      config = await this.#loadConfig();
    } catch (cause) {
      throw new UnavailableError('Cannot reach the RoomKey gateway: check your connection and try again.', {
        cause,
      });
    }
    return {
      config,
      backend: this.#backend,
      presence: this.#presence,
      previews: this.#options.previews,
      ...(this.#options.storeParams ? { storeParams: this.#options.storeParams } : {}),
      onError: (error) => console.debug('RoomKey:', error.message),
    };
  }

  #adopt(session: RoomKeySession): Session {
    for (const off of this.#unsubscribe) off();
    this.#session = session;
    this.#unsubscribe = [
      session.on('connection', (state) => {
        if (this.#session === session && session.keys === 'ready') this.#setConnection(state);
      }),
      session.on('rooms', (rooms) => this.#emit('rooms', rooms)),
      session.on('message', (message) => this.#emit('message', message)),
      session.on('notification', (n) => {
        // The room on screen shows the message itself: no toast for it (as the extension does).
        if (n.roomId === this.#focusedRoom && this.#presence !== 'hidden') return;
        this.#emit('notification', n);
      }),
      session.on('revoked', () => {
        if (this.#session !== session) return;
        this.#session = undefined;
        this.#info = null;
        this.#setKeys('signed-out');
        this.#emit('session', null);
      }),
    ];
    this.#info = { userId: session.userId, username: session.username };
    this.#emit('session', this.#info);
    this.#ready(session);
    if (this.#options.recordForServiceWorker !== false) {
      // Tell the service worker where this store is (keeping a device key it may already have).
      void deviceRecord(this.configUrl)
        .then((old) =>
          saveDeviceRecord({
            ...old,
            configUrl: this.configUrl,
            storeDb: this.storeDb,
            previews: this.#options.previews !== false,
          }),
        )
        .catch(() => undefined);
    }
    return this.#info;
  }

  #ready(session: RoomKeySession): void {
    session.setPresence(this.#presence);
    if (this.#focusedRoom !== null) session.focusRoom(this.#focusedRoom);
    this.#setKeys('ready');
    this.#setConnection(session.connection);
  }

  async #drop(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    const session = this.#session;
    this.#session = undefined;
    await session?.close().catch(() => undefined);
  }

  #ready_(): RoomKeySession {
    const session = this.#session;
    if (session?.keys !== 'ready')
      throw new LockedError(
        this.#keys === 'signed-out' ? 'Sign in first.' : 'Locked: unlock with your password first.',
      );
    return session;
  }

  #setPresence(state: PresenceState): void {
    if (state === this.#presence) return;
    this.#presence = state;
    if (this.#session && this.#session.keys === 'ready') this.#session.setPresence(state);
  }

  #setKeys(state: KeyState): void {
    // A sign-in/sign-up form will be on screen: fetch OPAQUE's chunk now, not at the submit.
    if (state === 'signed-out') preloadOpaque();
    if (state === this.#keys) return;
    this.#keys = state;
    this.#emit('keys', state);
  }

  #setConnection(state: ConnectionState): void {
    if (state === this.#connection) return;
    this.#connection = state;
    this.#emit('connection', state);
  }

  #emit<K extends keyof RoomKeyClientEvents>(type: K, detail: RoomKeyClientEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * An InPageClient for the deployment at `gatewayUrl`, its key state read from this device.
 * @example setDefaultClient(await connectInPageClient('https://rooms.example.com/'));
 */
export async function connectInPageClient(
  gatewayUrl: string,
  options: Omit<InPageClientOptions, 'gatewayUrl'> = {},
): Promise<InPageClient> {
  return new InPageClient({ ...options, gatewayUrl }).init();
}
