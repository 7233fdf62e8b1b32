/**
 * The client runtime of a host with one store (the in-page client; bots): the deployment config,
 * the key-state machine, the account flows over core/client's RoomKeySession, reconnect backoff,
 * the live session with its notified window, presence, and the notification decision for one
 * view. The host gives it storage (a StoreBackend), the page's presence, and forwards its events;
 * everything else is here, with the settings of ./settings.ts.
 * Key states: `signed-out` (no store on this device), `locked` (a store, not unlocked), `ready`.
 * Connection: before `ready`, whether the gateway's config could be read (`connecting`, `online`,
 * `offline`); while `ready`, the session's own.
 * @example const runtime = await new ClientRuntime({ gatewayUrl, backend }).init(); runtime.on('message', show);
 */
import type { BatchVerifier } from '../../crypto/index.ts';
import { LockedError, MalformedError } from '../../errors.ts';
import { TypedEmitter } from '../../events.ts';
import type { BatchOpener } from '../../room/index.ts';
import type { StoreBackend } from '../../store/backend.ts';
import type { Argon2Params } from '../../store/params.ts';
import { type ClientConfig, deploymentConfigUrl } from '../config.ts';
import { HiddenRooms } from '../hidden-rooms.ts';
import { LocalState } from '../local-state.ts';
import { OutboxSender } from '../outbox-sender.ts';
import type { PasskeyUnlock } from '../passkey.ts';
import { type Credentials, RoomKeySession, type SessionOptions } from '../session.ts';
import type {
  ChatMessage,
  ConnectionState,
  KeyState,
  PresenceState,
  RoomNotification,
  RoomSummary,
  SentMessage,
  UnsentMessage,
} from '../types.ts';
import { Backoff } from './backoff.ts';
import { clientConfigFor, fetchDeploymentConfig } from './config-fetch.ts';
import { KeyStateMachine, type KeyStateSnapshot, type SessionInfo } from './key-state.ts';
import { LiveSession } from './live-session.ts';
import { NotifiedWindow } from './notified-window.ts';
import { placeNotification } from './notify-decision.ts';
import { PresenceTracker } from './presence.ts';

/** The account flows of core/client's RoomKeySession (a fake in browser tests). */
export interface AccountFlows {
  hasAccount(backend: StoreBackend): Promise<boolean>;
  signUp(options: SessionOptions & Credentials): Promise<RoomKeySession>;
  signIn(options: SessionOptions & Credentials): Promise<RoomKeySession>;
  resume(options: SessionOptions & { password: string | PasskeyUnlock }): Promise<RoomKeySession>;
}

/** Events of the runtime: RoomKeyClient's, as plain values. */
export interface ClientRuntimeEvents {
  connection: ConnectionState;
  keys: KeyState;
  session: SessionInfo | null;
  rooms: readonly RoomSummary[];
  message: ChatMessage;
  /** Only those the user should see as a toast here (not the room on screen). */
  notification: RoomNotification;
  /** The room's messages waiting in this device's outbox changed (the whole list). */
  outbox: { roomId: string; unsent: readonly UnsentMessage[] };
  /** The rooms hidden on this device changed (all of them). */
  hidden: { roomIds: readonly string[] };
}

export interface ClientRuntimeOptions {
  /** Absolute URL ending in `/`; its `roomkey-config.json` describes the deployment. */
  gatewayUrl: string;
  backend: StoreBackend;
  sessions?: AccountFlows;
  fetch?: typeof fetch;
  /** Argon2id costs for a new store (tests pass cheap ones). */
  storeParams?: Argon2Params;
  /** Decrypted previews in notifications (default true). */
  previews?: boolean;
  /** Shows an OS notification, where the host can (else a toast waits in the view). */
  showOsNotification?: (note: RoomNotification) => void;
  /** Background failures (a live message that failed to apply, a refresh that failed). */
  onError?: (error: Error) => void;
  /** Verifies history pages' signatures off the main thread (a VerifyPool); default in-thread. */
  verifier?: BatchVerifier;
  /** Opens history pages' envelopes off the main thread (a VerifyPool); default in-thread. */
  opener?: BatchOpener;
}

/**
 * The runtime (see the top of this file).
 * @example await runtime.signIn('alice', password); runtime.focusRoom(roomId);
 */
export class ClientRuntime {
  readonly gatewayUrl: string;
  readonly configUrl: string;
  readonly presence = new PresenceTracker();
  readonly #options: ClientRuntimeOptions;
  readonly #sessions: AccountFlows;
  readonly #events = new TypedEmitter<ClientRuntimeEvents>();
  readonly #state: KeyStateMachine;
  #config: Promise<ClientConfig> | undefined;
  #configLoaded = false;
  #backoff = new Backoff();
  #sdk: RoomKeySession | undefined;
  #live: LiveSession | undefined;
  /** A session being opened (signed in, resumed) that is not adopted yet. */
  #listening: LiveSession | undefined;
  readonly #window = NotifiedWindow.inMemory();
  /** The hidden rooms of the running session's store (read on first use). */
  #hidden: { sdk: RoomKeySession; rooms: Promise<HiddenRooms> } | undefined;
  /** The outbox of the running session (opened at each unlock; sends wait for it). */
  #outbox: Promise<OutboxSender | undefined> | undefined;

  constructor(options: ClientRuntimeOptions) {
    this.#options = options;
    this.gatewayUrl = options.gatewayUrl;
    this.configUrl = deploymentConfigUrl(options.gatewayUrl);
    this.#sessions = options.sessions ?? RoomKeySession;
    this.#state = new KeyStateMachine<KeyStateSnapshot>(
      { keys: 'signed-out', connection: 'connecting', session: null },
      (state, changed) => {
        for (const field of changed) this.#events.emit(field, state[field] as never);
      },
    );
  }

  /** Reads the key state from the store and the configuration; never fails on the network. */
  async init(): Promise<this> {
    this.#state.set({
      keys: (await this.#sessions.hasAccount(this.#options.backend)) ? 'locked' : 'signed-out',
    });
    await this.loadConfig().catch(() => undefined);
    return this;
  }

  get keys(): KeyState {
    return this.#state.keys;
  }
  get connection(): ConnectionState {
    return this.#state.state.connection;
  }
  get session(): SessionInfo | null {
    return this.#state.state.session;
  }
  /** The SDK session (advanced pages and tests); undefined until signed in or unlocked. */
  get sdk(): RoomKeySession | undefined {
    return this.#sdk;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ClientRuntimeEvents>(
    type: K,
    listener: (detail: ClientRuntimeEvents[K]) => void,
  ): () => void {
    return this.#events.on(type, listener);
  }

  /**
   * The running session, or LockedError saying what to do first: sign in, or unlock. (A page's
   * client has always refused with LockedError when signed out too, where the extension says
   * NotFoundError: test/contract's HostRules keeps the difference.)
   */
  ready(): RoomKeySession {
    if (this.#state.keys === 'signed-out') throw new LockedError('Not signed in to RoomKey: sign in first.');
    this.#state.requireReady();
    return this.#sdk!;
  }

  signUp(username: string, password: string): Promise<SessionInfo> {
    return this.#state.run(async () => {
      const options = await this.#sessionOptions();
      return this.#open(() => this.#sessions.signUp({ ...options, username, password }));
    });
  }

  signIn(username: string, password: string): Promise<SessionInfo> {
    return this.#state.run(async () => {
      await this.#drop();
      try {
        const options = await this.#sessionOptions();
        return await this.#open(() => this.#sessions.signIn({ ...options, username, password }));
      } catch (error) {
        // The session before it is gone: say what this device holds now.
        if (this.#state.keys === 'ready') await this.#settle();
        throw error;
      }
    });
  }

  /** With the password, or a passkey's PRF output (../passkey.ts). */
  unlock(password: string | PasskeyUnlock): Promise<void> {
    return this.#state.run(async () => {
      if (this.#state.keys === 'ready') return;
      const sdk = this.#sdk;
      if (sdk) {
        await sdk.unlock(password);
        this.#ready(sdk);
        return;
      }
      const options = await this.#sessionOptions();
      await this.#open(() => this.#sessions.resume({ ...options, password }));
    });
  }

  lock(): Promise<void> {
    return this.#state.run(async () => {
      const sdk = this.#sdk;
      if (!sdk || this.#state.keys !== 'ready') return;
      await this.#live?.window.save();
      this.#closeOutbox();
      this.presence.detach(sdk);
      await sdk.lock();
      this.#state.set({ keys: 'locked', connection: this.#configLoaded ? 'online' : 'offline' });
    });
  }

  signOut(): Promise<void> {
    return this.#state.run(async () => {
      const sdk = this.#sdk;
      if (sdk && this.#state.keys === 'ready') {
        await sdk.signOut();
      } else {
        // Locked: the device key can't sign its own revocation; the keys at rest are deleted.
        await LocalState.wipe(this.#options.backend);
      }
      await this.#drop();
      this.#state.set({
        keys: 'signed-out',
        session: null,
        connection: this.#configLoaded ? 'online' : 'offline',
      });
    });
  }

  /**
   * Sends through the outbox (../outbox-sender.ts): kept in the encrypted store first, so a send
   * that fails for want of a connection (UnavailableError) stays "not sent yet" and goes out once
   * online (an `outbox` event tells the views); any other failure keeps nothing, as before.
   */
  async send(roomId: string, text: string): Promise<SentMessage> {
    const sdk = this.ready();
    const outbox = await this.#outbox;
    return outbox ? outbox.send(roomId, text) : sdk.send(roomId, text);
  }

  /** The room's messages not sent yet (kept in this device's outbox), oldest first. */
  async unsent(roomId: string): Promise<UnsentMessage[]> {
    this.ready();
    return (await this.#outbox)?.unsent(roomId) ?? [];
  }

  /** Sends a kept message now (Retry); it stays kept when this fails too. */
  async retrySend(roomId: string, messageId: string): Promise<SentMessage> {
    this.ready();
    return (await this.#requireOutbox()).retry(roomId, messageId);
  }

  /** Drops a kept message unsent (Discard). */
  async discardSend(roomId: string, messageId: string): Promise<void> {
    this.ready();
    await (await this.#requireOutbox()).discard(roomId, messageId);
  }

  /** The rooms hidden on this device (../hidden-rooms.ts), in the order they were hidden. */
  async hiddenRooms(): Promise<string[]> {
    return (await this.#hiddenOf(this.ready())).list();
  }

  /** Hides a room on this device, or shows it again; a `hidden` event follows. */
  async setRoomHidden(roomId: string, hidden: boolean): Promise<string[]> {
    const roomIds = await (await this.#hiddenOf(this.ready())).set(roomId, hidden);
    this.#events.emit('hidden', { roomIds });
    return roomIds;
  }

  #hiddenOf(sdk: RoomKeySession): Promise<HiddenRooms> {
    if (this.#hidden?.sdk !== sdk) {
      const rooms = HiddenRooms.open(sdk.store);
      this.#hidden = { sdk, rooms };
      // A damaged record is reported once; the next call reads it again.
      rooms.catch(() => {
        if (this.#hidden?.rooms === rooms) this.#hidden = undefined;
      });
    }
    return this.#hidden.rooms;
  }

  /** The host's presence (from its page's visibility and focus). */
  setPresence(state: PresenceState): void {
    this.presence.set(state);
  }

  /** The room on screen (presence, and no notification for it while visible). */
  focusRoom(roomId: string | null): void {
    this.presence.focus(roomId);
  }

  /**
   * The deployment's client config, read once (again after a failure: `retry` when the host is
   * back online). Before a session runs, the connection state says whether it could be read.
   */
  loadConfig(): Promise<ClientConfig> {
    this.#config ??= (async () => {
      if (!this.#sdk) this.#state.set({ connection: 'connecting' });
      const deployment = await fetchDeploymentConfig(this.configUrl, { fetch: this.#options.fetch });
      this.#configLoaded = true;
      if (this.#state.keys !== 'ready') this.#state.set({ connection: 'online' });
      return clientConfigFor(deployment, this.#backoff);
    })();
    this.#config.catch(() => {
      this.#config = undefined;
      if (this.#state.keys !== 'ready') this.#state.set({ connection: 'offline' });
    });
    return this.#config;
  }

  /** The host is back online: read the config again if it failed before. */
  retry(): void {
    if (!this.#sdk && this.connection === 'offline') void this.loadConfig().catch(() => undefined);
  }

  /** Closes the session (tests; pages just unload). */
  async close(): Promise<void> {
    await this.#drop();
  }

  async #sessionOptions(): Promise<SessionOptions> {
    return {
      config: await this.loadConfig(),
      backend: this.#options.backend,
      presence: this.presence.state,
      previews: this.#options.previews,
      ...(this.#options.storeParams ? { storeParams: this.#options.storeParams } : {}),
      ...(this.#options.verifier ? { verifier: this.#options.verifier } : {}),
      ...(this.#options.opener ? { opener: this.#options.opener } : {}),
      onError: (error) => this.#options.onError?.(error),
      onCreated: (sdk) => this.#listen(sdk),
    };
  }

  /** Listens to a new session from its first event (a resumed live reader delivers at once). */
  #listen(sdk: RoomKeySession): LiveSession {
    // Handed on already by this page's earlier sessions: a page keeps its window in memory (its
    // rooms key rows by message id, and its notifications come from the gateway, once each).
    const live = new LiveSession(sdk, {
      window: this.#window,
      backoff: this.#backoff,
      presence: this.presence,
      previews: this.#options.previews,
    });
    live.on('connection', (connection) => {
      if (this.#live === live && this.#state.keys === 'ready') this.#state.set({ connection });
      if (this.#live === live && connection === 'online') void this.#outbox?.then((o) => o?.flush());
    });
    live.on('rooms', (rooms) => this.#events.emit('rooms', rooms));
    live.on('message', (message) => this.#events.emit('message', message));
    live.on('notification', (note) => this.#notify(note));
    live.on('revoked', () => {
      if (this.#live !== live) return;
      void this.#drop();
      this.#state.set({ keys: 'signed-out', session: null });
    });
    this.#listening = live;
    return live;
  }

  /** Opens a session and adopts it; a session that failed to open leaves nothing listening. */
  async #open(how: () => Promise<RoomKeySession>): Promise<SessionInfo> {
    try {
      return await this.#adopt(await how());
    } catch (error) {
      const pending = this.#listening;
      this.#listening = undefined;
      await pending?.detach();
      throw error;
    }
  }

  async #adopt(sdk: RoomKeySession): Promise<SessionInfo> {
    if (this.#sdk !== sdk) await this.#drop();
    const live = this.#listening?.sdk === sdk ? this.#listening : this.#listen(sdk);
    this.#listening = undefined;
    this.#sdk = sdk;
    this.#live = live;
    const info = { userId: sdk.userId, username: sdk.username };
    this.#state.set({ session: info });
    this.#ready(sdk);
    return info;
  }

  #ready(sdk: RoomKeySession): void {
    this.presence.attach(sdk);
    this.#openOutbox(sdk);
    this.#state.set({ keys: 'ready', connection: sdk.connection });
  }

  /** Reads the session's outbox and sends what waits in it; a damaged one is reported, not fatal. */
  #openOutbox(sdk: RoomKeySession): void {
    this.#closeOutbox();
    const opening = OutboxSender.open(sdk, {
      me: { userId: sdk.userId, username: sdk.username },
      onChange: (roomId) => {
        if (this.#outbox === opening)
          void opening.then((o) => o && this.#events.emit('outbox', { roomId, unsent: o.unsent(roomId) }));
      },
      onSent: (message) => {
        if (this.#outbox === opening) void this.#live?.deliver(message);
      },
    }).catch((error: Error) => {
      this.#options.onError?.(error);
      return undefined;
    });
    this.#outbox = opening;
    void opening.then((o) => o?.flush());
  }

  #closeOutbox(): void {
    const closing = this.#outbox;
    this.#outbox = undefined;
    void closing?.then((o) => o?.close());
  }

  async #requireOutbox(): Promise<OutboxSender> {
    const outbox = await this.#outbox;
    if (!outbox)
      throw new MalformedError(
        "This device's list of messages not sent yet could not be read. Reload the page and try again.",
      );
    return outbox;
  }

  /** The decision for this host's one view: nothing for the room on screen. */
  #notify(note: RoomNotification): void {
    const place = placeNotification(note, this.presence.view, { os: !!this.#options.showOsNotification });
    if (place === 'toast') this.#events.emit('notification', note);
    else if (place === 'os') this.#options.showOsNotification?.(note);
  }

  async #settle(): Promise<void> {
    const held = await this.#sessions.hasAccount(this.#options.backend).catch(() => false);
    this.#state.set({
      keys: held ? 'locked' : 'signed-out',
      session: null,
      connection: this.#configLoaded ? 'online' : 'offline',
    });
  }

  async #drop(): Promise<void> {
    const live = this.#live;
    const sdk = this.#sdk;
    this.#closeOutbox();
    this.#live = undefined;
    this.#sdk = undefined;
    await live?.detach();
    await sdk?.close().catch(() => undefined);
  }
}
