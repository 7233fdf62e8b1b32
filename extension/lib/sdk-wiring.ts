/**
 * The one place where the client SDK enters the extension: a SessionFactory over core/client's
 * RoomKeySession and its runtime (LiveSession: each message and notification once, presence,
 * reconnect backoff; the deployment config and the connection settings every host shares), with
 * the SDK's encrypted store in `browser.storage.local` (its own key prefix).
 *
 * - Two stores: the background's EncryptedStore (approvals aside, unlocked by the account password
 *   or, after a stopped MV3 worker, by the session secret of lib/unlock-cache.ts) and the SDK's
 *   own. The SDK wraps its store with the account password; right after sign-up/in it is re-wrapped
 *   under a random 256-bit secret kept inside the background's store, so a restarted worker resumes
 *   the SDK without the password (RoomKeySession.resume wants a passphrase, not an open store).
 * - Nothing lost, nothing twice: a restarted worker's live reader resumes each room after the last
 *   sequence its snapshot saved (core/client/live-reader.ts), so what was sent while the worker was
 *   stopped arrives as live messages; the runtime's notified window, kept in the background's
 *   store, drops the few that were handed on already. A tab that registers again later gets what
 *   it missed from the hub (lib/kept-messages.ts).
 * - Notifications: the background is the device's notifier whatever its presence (no Web Push
 *   reaches an extension), so every live message from someone else is notified, and the gateway's
 *   App Notifications only for a message not seen live; lib/notification-router.ts decides where.
 * @example const sessions = createSessionFactory({ area: browser.storage.local, deviceName: 'Chromium on Linux' });
 */

import { equalBytes, fromUtf8, toBase64Url, utf8 } from '../../core/bytes.ts';
import {
  Backoff,
  type ContactView,
  clientConfigFor,
  type DeploymentConfig,
  type DeviceDetails,
  deploymentConfigUrl,
  fetchDeploymentConfig,
  HiddenRooms,
  LiveSession,
  type MessageEventInput,
  NotifiedWindow,
  OutboxSender,
  offerPairing,
  type PairingApproval,
  RoomKeySession,
  type RoomNotification,
  type RoomSummary,
  type SentMessage,
  type StoredMessage,
  type UnsentMessage,
} from '../../core/client/index.ts';
import { randomBytes } from '../../core/crypto/index.ts';
import { MalformedError } from '../../core/errors.ts';
import {
  type Argon2Params,
  EncryptedStore,
  ExtensionStorageBackend,
  type StorageAreaLike,
} from '../../core/store/index.ts';
import type {
  BackgroundSession,
  CredentialsInput,
  DeviceInfo,
  IncomingNotification,
  PairInput,
  Presence,
  SessionEvents,
  SessionFactory,
} from './background-session.ts';

/** Key prefix of the SDK's store in the storage area (the background's store uses `roomkey-store:`). */
export const SDK_STORE_PREFIX = 'roomkey-sdk:';
/** Records of this adapter in the background's store. */
const SECRET = 'sdk/store-secret';
const CONFIG = 'sdk/config';
/** The runtime's notified window (a record of the older format there reads as an empty window). */
const WINDOW = 'sdk/delivered';
/** The SDK store's random secret needs no stretching; Argon2id's minimum keeps the header format. */
const SECRET_PARAMS: Argon2Params = { t: 1, mKib: 64, p: 1 };

/** The deployment as `/roomkey-config.json` describes it (core/client/config.ts). */
export type { DeploymentConfig } from '../../core/client/index.ts';

const incoming = (note: RoomNotification): IncomingNotification => ({
  roomId: note.roomId,
  roomName: note.roomName,
  messageId: note.messageId,
  senderUsername: note.senderUsername,
  text: note.preview ?? '',
  own: false,
});

type OutboxListener = (detail: SessionEvents['outbox']) => void;
type HiddenListener = (detail: SessionEvents['hidden']) => void;

/**
 * RoomKeySession and its LiveSession as the background's BackgroundSession (lib/background-session.ts).
 * Sends go through core/client's OutboxSender over the SDK's encrypted store, as in a page's
 * client: a page's message written while the background is offline is kept (also across a worker
 * or browser restart: the store is in storage.local) and goes out with its one message id when the
 * session is online again.
 */
export class SdkSession implements BackgroundSession {
  readonly sdk: RoomKeySession;
  readonly live: LiveSession;
  readonly session: { userId: string; username: string };
  /** Undefined when the stored outbox could not be read (reported; sends then go out directly). */
  readonly #outbox: Promise<OutboxSender | undefined>;
  readonly #outboxListeners = new Set<OutboxListener>();
  readonly #hiddenListeners = new Set<HiddenListener>();
  #hidden: Promise<HiddenRooms> | undefined;
  readonly #offOnline: () => void;

  private constructor(sdk: RoomKeySession, live: LiveSession, onError?: (error: Error) => void) {
    this.sdk = sdk;
    this.live = live;
    this.session = { userId: sdk.userId, username: sdk.username };
    const opening: Promise<OutboxSender | undefined> = OutboxSender.open(sdk, {
      me: this.session,
      onChange: (roomId) => {
        void opening.then((outbox) => {
          if (!outbox) return;
          const detail = { roomId, unsent: outbox.unsent(roomId) };
          for (const listener of this.#outboxListeners) listener(detail);
        });
      },
      // A kept message stored at last: every tab hears of it as of any own send.
      onSent: (message) => void this.live.deliver(message),
    }).catch((error: Error) => {
      onError?.(error);
      return undefined;
    });
    this.#outbox = opening;
    this.#offOnline = live.on('connection', (connection) => {
      if (connection === 'online') void opening.then((outbox) => outbox?.flush());
    });
    void opening.then((outbox) => outbox?.flush());
  }

  /**
   * Opens the SDK session with `open`, its LiveSession listening from the session's first event
   * (a resumed live reader hands on at once what was sent while the worker was stopped).
   */
  static async start(
    open: (onCreated: (sdk: RoomKeySession) => void) => Promise<RoomKeySession>,
    window: NotifiedWindow,
    backoff: Backoff,
    onError?: (error: Error) => void,
  ): Promise<SdkSession> {
    let live: LiveSession | undefined;
    const listen = (sdk: RoomKeySession) => {
      live = new LiveSession(sdk, { window, backoff, notifyLive: true });
    };
    let sdk: RoomKeySession;
    try {
      sdk = await open(listen);
    } catch (error) {
      await live?.detach();
      throw error;
    }
    if (live?.sdk !== sdk) listen(sdk);
    return new SdkSession(sdk, live!, onError);
  }

  get connection() {
    return this.sdk.connection;
  }

  listRooms(): Promise<RoomSummary[]> {
    return this.live.listRooms();
  }

  createRoom(name: string): Promise<RoomSummary> {
    return this.sdk.createRoom(name);
  }

  invite(roomId: string, username: string, options: { shareHistory: boolean }): Promise<RoomSummary> {
    return this.sdk.invite(roomId, username, options);
  }

  removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    return this.sdk.removeMember(roomId, userId);
  }

  async send(roomId: string, text: string): Promise<SentMessage> {
    const outbox = await this.#outbox;
    const message = await (outbox ? outbox.send(roomId, text) : this.sdk.send(roomId, text));
    // The SDK does not echo this device's own sends: the other tabs hear of it here.
    await this.live.deliver(message);
    return message;
  }

  async unsent(roomId: string): Promise<UnsentMessage[]> {
    return (await this.#outbox)?.unsent(roomId) ?? [];
  }

  async retrySend(roomId: string, messageId: string): Promise<SentMessage> {
    return (await this.#requireOutbox()).retry(roomId, messageId);
  }

  async discardSend(roomId: string, messageId: string): Promise<void> {
    await (await this.#requireOutbox()).discard(roomId, messageId);
  }

  async sendEvent(roomId: string, event: MessageEventInput): Promise<SentMessage> {
    const message = await this.sdk.sendEvent(roomId, event);
    // Not echoed either: the other tabs apply it from here.
    await this.live.deliver(message);
    return message;
  }

  history(
    roomId: string,
    options: {
      limit?: number;
      membership?: boolean;
      onProgress?: (progress: { loaded: number; total?: number }) => void;
    },
  ): Promise<StoredMessage[]> {
    return this.sdk.history(roomId, options);
  }

  devices(): Promise<DeviceInfo[]> {
    return this.sdk.devices();
  }

  revokeDevice(deviceKey: Uint8Array): Promise<void> {
    return this.sdk.revokeDevice(deviceKey);
  }

  devicesLastSeen(): Promise<Map<string, number>> {
    return this.sdk.devicesLastSeen();
  }

  deviceDetails(): Promise<Map<string, DeviceDetails>> {
    return this.sdk.deviceDetails();
  }

  renameDevice(deviceKey: Uint8Array, name: string): Promise<void> {
    return this.sdk.renameDevice(deviceKey, name);
  }

  approvePairing(offerText: string): Promise<PairingApproval> {
    return this.sdk.approvePairing(offerText);
  }

  async hiddenRooms(): Promise<string[]> {
    return (await this.#hiddenRooms()).list();
  }

  async setRoomHidden(roomId: string, hidden: boolean): Promise<string[]> {
    const roomIds = await (await this.#hiddenRooms()).set(roomId, hidden);
    for (const listener of this.#hiddenListeners) listener({ roomIds });
    return roomIds;
  }

  /** The SDK store's hidden rooms (core/client hidden-rooms.ts), read on first use. */
  #hiddenRooms(): Promise<HiddenRooms> {
    this.#hidden ??= HiddenRooms.open(this.sdk.store);
    const reading = this.#hidden;
    reading.catch(() => {
      if (this.#hidden === reading) this.#hidden = undefined;
    });
    return reading;
  }

  async #requireOutbox(): Promise<OutboxSender> {
    const outbox = await this.#outbox;
    if (!outbox)
      throw new MalformedError(
        "RoomKey's list of messages not sent yet could not be read. Lock and unlock RoomKey, then try again.",
      );
    return outbox;
  }

  contacts(userIds: readonly string[]): Promise<ContactView[]> {
    return this.sdk.contacts.views(userIds);
  }

  verifyContact(userId: string, scanned?: string): Promise<ContactView> {
    return this.sdk.contacts.verify(userId, scanned);
  }

  unverifyContact(userId: string): Promise<ContactView> {
    return this.sdk.contacts.unverify(userId);
  }

  acceptKeyChange(userId: string): Promise<ContactView> {
    return this.sdk.contacts.acceptKeyChange(userId);
  }

  setPresence(presence: Presence): void {
    if (this.sdk.keys === 'ready') this.live.setPresence(presence);
  }

  on<K extends keyof SessionEvents>(type: K, listener: (detail: SessionEvents[K]) => void): () => void {
    if (type === 'notification') {
      const notify = listener as (detail: IncomingNotification) => void;
      return this.live.on('notification', (note) => notify(incoming(note)));
    }
    if (type === 'connection') {
      const offs = [
        this.live.on('connection', listener as (detail: SessionEvents['connection']) => void),
        this.live.on('revoked', () => (listener as (detail: SessionEvents['connection']) => void)('offline')),
      ];
      return () => {
        for (const off of offs) off();
      };
    }
    if (type === 'hidden') {
      const listen = listener as HiddenListener;
      this.#hiddenListeners.add(listen);
      return () => this.#hiddenListeners.delete(listen);
    }
    if (type === 'outbox') {
      const listen = listener as OutboxListener;
      this.#outboxListeners.add(listen);
      return () => this.#outboxListeners.delete(listen);
    }
    // The read marker is the session's own (core/client read-markers.ts): the OS notifications it covers close.
    if (type === 'read') return this.sdk.on('read', listener as (detail: SessionEvents['read']) => void);
    if (type === 'contacts')
      return this.sdk.on('contacts', listener as (detail: SessionEvents['contacts']) => void);
    return this.live.on(type as 'rooms' | 'message', listener as never);
  }

  async close(): Promise<void> {
    this.#offOnline();
    // What is kept stays in the store: the next unlock or resume sends it.
    void this.#outbox.then((outbox) => outbox?.close());
    await this.live.detach();
    await this.sdk.close();
  }
}

export interface SdkWiringDeps {
  /** Where both stores live: `browser.storage.local`. */
  area: StorageAreaLike;
  /** This device's name in its certificate. */
  deviceName: string;
  fetch?: typeof fetch;
  /** Argon2id costs of the SDK store's first (password) wrap; default the production ones. */
  storeParams?: Argon2Params;
  onError?: (error: Error) => void;
  /**
   * Runs just before each connection (after the config is read): the DNS policy (lib/dns-guard.ts).
   * It throws to refuse the connection.
   */
  beforeConnect?: (gateway: string, cfg: DeploymentConfig) => Promise<unknown>;
  /**
   * Runs once a session is connected (after `beforeConnect` let it): the DNS re-check follows its
   * NATS connection's reconnects from here (lib/dns-recheck.ts).
   */
  afterConnect?: (connected: { gateway: string; cfg: DeploymentConfig; session: SdkSession }) => void;
}

const randomSecret = (): string => toBase64Url(randomBytes(32));

/**
 * The session factory of this build: RoomKeySession over extension storage.
 * @example const session = await createSessionFactory({ area, deviceName }).resume({ store, gateway });
 */
export function createSessionFactory(deps: SdkWiringDeps): SessionFactory {
  const backend = new ExtensionStorageBackend(deps.area, SDK_STORE_PREFIX);
  const readConfig = (gateway: string) =>
    fetchDeploymentConfig(deploymentConfigUrl(gateway), { fetch: deps.fetch });
  const options = (cfg: DeploymentConfig, backoff: Backoff) => ({
    config: clientConfigFor(cfg, backoff),
    backend,
    deviceName: deps.deviceName,
    storeParams: deps.storeParams,
    previews: true,
    onError: deps.onError,
  });
  const loadWindow = (store: EncryptedStore) => NotifiedWindow.load(store, WINDOW, { onError: deps.onError });

  const enter = async (how: 'signUp' | 'signIn', input: CredentialsInput): Promise<BackgroundSession> => {
    const cfg = await readConfig(input.gateway);
    await deps.beforeConnect?.(input.gateway, cfg);
    // The background's store is new, so any SDK store here is a leftover.
    await backend.clear();
    const backoff = new Backoff();
    const session = await SdkSession.start(
      (onCreated) =>
        RoomKeySession[how]({
          ...options(cfg, backoff),
          username: input.username,
          password: input.password,
          onCreated,
        }),
      await loadWindow(input.store),
      backoff,
      deps.onError,
    );
    deps.afterConnect?.({ gateway: input.gateway, cfg, session });
    try {
      const secret = randomSecret();
      const sdkStore = await EncryptedStore.open(backend);
      await sdkStore.changePassphrase(input.password, secret, SECRET_PARAMS);
      await input.store.set(SECRET, utf8(secret));
      await input.store.set(CONFIG, utf8(JSON.stringify(cfg)));
    } catch (error) {
      await session.close().catch(() => undefined);
      throw error;
    }
    return session;
  };

  /** Pairing as a new device: the SDK's store comes from the transfer, then the same records as enter. */
  const pair = async (input: PairInput): Promise<BackgroundSession> => {
    const cfg = await readConfig(input.gateway);
    await deps.beforeConnect?.(input.gateway, cfg);
    await backend.clear();
    const backoff = new Backoff();
    const offering = await offerPairing({ ...options(cfg, backoff), password: input.password });
    input.progress.offer({ qrText: offering.qrText, expiresAtMs: offering.expiresAtMs }, () =>
      offering.cancel(),
    );
    void offering.hello.then((hello) => input.progress.hello(hello)).catch(() => undefined);
    const opened = await offering.done;
    const session = await SdkSession.start(
      (onCreated) => RoomKeySession.startPaired({ ...options(cfg, backoff), onCreated }, opened),
      await loadWindow(input.store),
      backoff,
      deps.onError,
    );
    deps.afterConnect?.({ gateway: input.gateway, cfg, session });
    try {
      const secret = randomSecret();
      await opened.state.store.changePassphrase(input.password, secret, SECRET_PARAMS);
      await input.store.set(SECRET, utf8(secret));
      await input.store.set(CONFIG, utf8(JSON.stringify(cfg)));
    } catch (error) {
      await session.close().catch(() => undefined);
      throw error;
    }
    return session;
  };

  return {
    available: true,
    pair,
    signUp: (input) => enter('signUp', input),
    signIn: (input) => enter('signIn', input),
    resume: async ({ store, gateway }) => {
      // A cold start's reads and the config fetch go out together (the same requests as one after
      // the other: the fetch goes to the gateway this store connects to, before the DNS check as
      // always; it uses what that fetch saw).
      const config = settled(readConfig(gateway));
      const notified = settled(loadWindow(store));
      const [secretBytes, hasAccount, cached] = await Promise.all([
        store.get(SECRET),
        RoomKeySession.hasAccount(backend),
        store.get(CONFIG),
      ]);
      if (!secretBytes || !hasAccount) return undefined;
      let cfg: DeploymentConfig;
      try {
        cfg = unsettled(await config);
        const fresh = utf8(JSON.stringify(cfg));
        // Unchanged (the usual case): no re-encrypting and rewriting the record on every resume.
        if (!cached || !equalBytes(cached, fresh)) await store.set(CONFIG, fresh);
      } catch (error) {
        if (!cached) throw error;
        cfg = JSON.parse(fromUtf8(cached)) as DeploymentConfig;
      }
      await deps.beforeConnect?.(gateway, cfg);
      const backoff = new Backoff();
      // What the resumed live readers hand on before the background listens is kept for it
      // (LiveSession), and what reaches the hub before a tab registered again is kept for that
      // tab (lib/kept-messages.ts).
      const session = await SdkSession.start(
        (onCreated) =>
          RoomKeySession.resume({ ...options(cfg, backoff), password: fromUtf8(secretBytes), onCreated }),
        unsettled(await notified),
        backoff,
        deps.onError,
      );
      deps.afterConnect?.({ gateway, cfg, session });
      return session;
    },
    signOut: async (session) => {
      await (session as SdkSession).sdk.signOut();
    },
  };
}

/** A promise that never rejects (its outcome kept), so starting it early leaves no unhandled rejection. */
function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

/** The value of a settled outcome, or its error thrown. */
function unsettled<T>(outcome: PromiseSettledResult<T>): T {
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}
