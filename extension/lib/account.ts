/**
 * The account in the background: the encrypted store (in extension storage) and, while unlocked,
 * the SDK session. Key states (core/client's KeyStateMachine, as every host has them):
 * `signed-out` (no store), `locked` (store at rest), `ready` (store unlocked and a session running);
 * operations run one at a time, so a lock during an unlock (or two sign-ins) cannot interleave.
 * The store passphrase is the account password.
 * @example const account = new Account({ backend, sessions, unlockCache, onState, onEvent }); await account.restore();
 */
import type { BridgeEvent, ClientStateSnapshot } from '../../core/bridge/index.ts';
import { fromUtf8, utf8 } from '../../core/bytes.ts';
import {
  type ConnectionState,
  type KeyState,
  KeyStateMachine,
  passkeyCredentials,
  type Session,
} from '../../core/client/index.ts';
import {
  BadCredentialsError,
  LockedError,
  MalformedError,
  NotFoundError,
  UnsupportedError,
  WrongPassphraseError,
} from '../../core/errors.ts';
import type { StoreBackend } from '../../core/store/index.ts';
import { type Argon2Params, EncryptedStore, type PrfEnrolment } from '../../core/store/index.ts';
import type {
  BackgroundSession,
  PairingProgress,
  SessionEvents,
  SessionFactory,
} from './background-session.ts';
import type { UnlockCache } from './unlock-cache.ts';

/** The account as every client sees it. */
export interface AccountState {
  keys: KeyState;
  connection: ConnectionState;
  session: Session | null;
  gateway: string | null;
}

/**
 * What a page sees of the account: the `connect` result.
 * @example return stateSnapshot(account.state);
 */
export function stateSnapshot({ connection, keys, session }: AccountState): ClientStateSnapshot {
  return { connection, keys, session };
}

/**
 * The same, as the events a page hears when it changes (in this order). A page's client takes them
 * one at a time, so the order keeps each step whole: who is signed in before keys are `ready`, and
 * keys no longer `ready` before nobody is (the RoomKeyClient contract, test/contract/).
 * @example for (const event of stateEvents(account.state)) send(event);
 */
export function stateEvents({ connection, keys, session }: AccountState): BridgeEvent[] {
  const who: BridgeEvent = { type: 'session', detail: session };
  const state: BridgeEvent = { type: 'keys', detail: keys };
  return [{ type: 'connection', detail: connection }, ...(keys === 'ready' ? [who, state] : [state, who])];
}

/** The background's own record in the store. */
const ACCOUNT_RECORD = 'extension/account';

export interface AccountDeps {
  backend: StoreBackend & { clear(): Promise<void> };
  sessions: SessionFactory;
  unlockCache: UnlockCache;
  argon2?: Argon2Params;
  /** Every state change. */
  onState(state: AccountState): void;
  /** Every session event except `connection` (which arrives through onState). */
  onEvent<K extends keyof SessionEvents>(type: K, detail: SessionEvents[K]): void;
}

export class Account {
  readonly #deps: AccountDeps;
  #store: EncryptedStore | undefined;
  #session: BackgroundSession | undefined;
  #unsubscribe: (() => void)[] = [];
  readonly #state: KeyStateMachine<AccountState>;

  constructor(deps: AccountDeps) {
    this.#deps = deps;
    this.#state = new KeyStateMachine<AccountState>(
      { keys: 'signed-out', connection: 'offline', session: null, gateway: null },
      (state) => deps.onState(state),
    );
  }

  get state(): AccountState {
    return this.#state.state;
  }

  /**
   * The running session; LockedError (or NotFoundError when signed out) otherwise.
   * @example const rooms = await account.session().listRooms();
   */
  session(): BackgroundSession {
    if (this.#session) return this.#session;
    this.#state.requireReady();
    // Still `ready` for the moment a lock takes to stop the session.
    throw new LockedError('RoomKey is locked: unlock it with your password first.');
  }

  /** At start (also after the worker was stopped): find the store and, if this browser session had unlocked it, resume. */
  restore(): Promise<void> {
    return this.#serial(async () => {
      if (!(await EncryptedStore.exists(this.#deps.backend))) return this.#set({ keys: 'signed-out' });
      const store = await EncryptedStore.open(this.#deps.backend);
      this.#store = store;
      this.#set({ keys: 'locked' });
      // Opened with the remembered secret: the wrap and storage.session already hold it.
      if (await this.#deps.unlockCache.restore(store)) await this.#resume(store, false);
    });
  }

  signUp(input: { gateway: string; username: string; password: string }): Promise<Session> {
    return this.#serial(() => this.#enter('signUp', input));
  }

  signIn(input: { gateway: string; username: string; password: string }): Promise<Session> {
    return this.#serial(() => this.#enter('signIn', input));
  }

  /** This device joins an account by pairing (lib/pairing-new.ts); like a sign-in, it ends ready. */
  pair(input: { gateway: string; password: string; progress: PairingProgress }): Promise<Session> {
    return this.#serial(() => this.#enter('pair', { ...input, username: '' }));
  }

  unlock(password: string): Promise<void> {
    return this.#serial(async () => {
      if (this.#state.keys === 'ready') return;
      if (this.#state.keys === 'signed-out')
        throw new NotFoundError('Not signed in to RoomKey: sign in first.');
      const store = this.#store ?? (await EncryptedStore.open(this.#deps.backend));
      this.#store = store;
      await store.unlock(password);
      await this.#resume(store, true);
    });
  }

  /** The passkeys that unlock the store (its header; readable while locked): lib/passkey-section.ts. */
  passkeys(): Promise<{ credentialId: Uint8Array; prfSalt: Uint8Array }[]> {
    // Signed out there is no store to read, and a pairing holds the one-operation lock until the
    // other device confirms: waiting behind it hung the popup's reload (issue 15).
    if (this.#state.keys === 'signed-out') return Promise.resolve([]);
    return this.#serial(async () => {
      if (this.#state.keys === 'signed-out') return [];
      this.#store ??= await EncryptedStore.open(this.#deps.backend);
      return passkeyCredentials(this.#store);
    });
  }

  /** Unlocks with a passkey's PRF output (computed in the extension's own window), no password. */
  unlockWithPasskey(unlock: { credentialId: Uint8Array; secret: Uint8Array }): Promise<void> {
    return this.#serial(async () => {
      if (this.#state.keys === 'ready') return;
      if (this.#state.keys === 'signed-out')
        throw new NotFoundError('Not signed in to RoomKey: sign in first.');
      const store = this.#store ?? (await EncryptedStore.open(this.#deps.backend));
      this.#store = store;
      try {
        await store.unlockWithPrf(unlock.secret, unlock.credentialId);
      } catch (error) {
        if (error instanceof WrongPassphraseError)
          throw new BadCredentialsError('That passkey does not unlock RoomKey here: use your password.');
        throw error;
      }
      await this.#resume(store, true);
    });
  }

  /** Enrols a passkey made in the extension's window (keys must be ready). */
  addPasskey(enrolment: PrfEnrolment): Promise<void> {
    return this.#serial(async () => {
      this.session(); // LockedError unless ready
      await this.#store!.addPrf(enrolment);
    });
  }

  /** Removes every passkey wrap; the password still unlocks. */
  removePasskeys(): Promise<void> {
    return this.#serial(async () => {
      this.session();
      for (const { credentialId } of passkeyCredentials(this.#store!))
        await this.#store!.removePrf(credentialId);
    });
  }

  lock(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state.keys !== 'ready') return;
      await this.#stopSession();
      await this.#deps.unlockCache.forget(this.#store).catch(() => undefined);
      this.#store?.lock();
      // Who stays known (as in-page): a page still says whose RoomKey is locked.
      this.#set({ keys: 'locked', connection: 'offline' });
    });
  }

  signOut(): Promise<void> {
    return this.#serial(async () => {
      if (this.#session) await this.#deps.sessions.signOut(this.#session).catch(() => undefined);
      await this.#stopSession();
      await this.#deps.unlockCache.forget(this.#store).catch(() => undefined);
      this.#store?.lock();
      this.#store = undefined;
      await this.#deps.backend.clear();
      this.#set({ keys: 'signed-out', connection: 'offline', session: null, gateway: null });
    });
  }

  async #enter(
    how: 'signUp' | 'signIn' | 'pair',
    input: { gateway: string; username: string; password: string; progress?: PairingProgress },
  ): Promise<Session> {
    this.#state.requireSignedOut();
    // Leftovers of an interrupted sign-in (records without a header) would block create().
    await this.#deps.backend.clear();
    const store = await EncryptedStore.create(this.#deps.backend, input.password, this.#deps.argon2);
    let session: BackgroundSession;
    try {
      if (how === 'pair') {
        if (!this.#deps.sessions.pair || !input.progress)
          throw new UnsupportedError('This build cannot pair.');
        session = await this.#deps.sessions.pair({ store, ...input, progress: input.progress });
      } else {
        session = await this.#deps.sessions[how]({ store, ...input });
      }
      await store.set(ACCOUNT_RECORD, utf8(JSON.stringify({ gateway: input.gateway })));
    } catch (error) {
      store.lock();
      await this.#deps.backend.clear().catch(() => undefined);
      throw error;
    }
    this.#store = store;
    await this.#deps.unlockCache.remember(store);
    this.#install(session, input.gateway);
    return session.session;
  }

  /**
   * Starts the session on the just-unlocked `store`; on failure the store is locked again.
   * `remember`: enrol a fresh unlock-cache secret (after a password unlock, not after the cache itself opened the store).
   */
  async #resume(store: EncryptedStore, remember: boolean): Promise<void> {
    try {
      const gateway = await this.#gatewayIn(store);
      const session = await this.#deps.sessions.resume({ store, gateway });
      if (!session)
        throw new NotFoundError('The RoomKey store holds no account: sign out and sign in again.');
      if (remember) await this.#deps.unlockCache.remember(store);
      this.#install(session, gateway);
    } catch (error) {
      store.lock();
      throw error;
    }
  }

  async #gatewayIn(store: EncryptedStore): Promise<string> {
    const bytes = await store.get(ACCOUNT_RECORD);
    const gateway = bytes ? (JSON.parse(fromUtf8(bytes)) as { gateway?: unknown }).gateway : undefined;
    if (typeof gateway !== 'string') throw new MalformedError('The RoomKey store has no gateway record.');
    return gateway;
  }

  #install(session: BackgroundSession, gateway: string): void {
    this.#session = session;
    this.#unsubscribe = [
      session.on('connection', (connection) => this.#set({ connection })),
      session.on('rooms', (rooms) => this.#deps.onEvent('rooms', rooms)),
      session.on('message', (message) => this.#deps.onEvent('message', message)),
      session.on('notification', (note) => this.#deps.onEvent('notification', note)),
      session.on('read', (read) => this.#deps.onEvent('read', read)),
      session.on('outbox', (outbox) => this.#deps.onEvent('outbox', outbox)),
      session.on('hidden', (hidden) => this.#deps.onEvent('hidden', hidden)),
      session.on('contacts', (changed) => this.#deps.onEvent('contacts', changed)),
    ];
    this.#set({ keys: 'ready', session: session.session, connection: session.connection, gateway });
  }

  async #stopSession(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    const session = this.#session;
    this.#session = undefined;
    await session?.close().catch(() => undefined);
  }

  #set(patch: Partial<AccountState>): void {
    this.#state.set(patch);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.#state.run(fn);
  }
}
