/**
 * InPageClient: the RoomKeyClient that runs core in the page (used when the extension is absent).
 * Glue between the page and core/client's ClientRuntime (which owns the deployment config, the
 * key states, the account flows, reconnect backoff, the notified window, presence and the
 * notification decision): the encrypted store lives in IndexedDB (one database per gateway
 * origin), presence follows document.visibilityState and window focus, the runtime's events are
 * dispatched as the CustomEvents the components listen to, and the service worker is told where
 * the store is (core/client/device-unlock.ts).
 * Key state: `signed-out` (no store on this device), `locked` (a store, not unlocked), `ready`.
 * @example const client = await connectInPageClient('https://rooms.example.com/');
 */
import {
  type AccountFlows,
  addPasskey,
  approvalFlow,
  ClientRuntime,
  type ClientRuntimeEvents,
  type ContactView,
  closeDeletedNotifications,
  type DeviceView,
  deleteDeviceRecord,
  deletedMessageOf,
  deviceRecord,
  deviceViews,
  disableDeviceUnlock,
  disableWebPush,
  enableDeviceUnlock,
  enableWebPush,
  fetchDeploymentConfig,
  type HistoryOptions,
  offerFlow,
  type PairingApprovalFlow,
  type PairingOfferFlow,
  type PasskeyStatus,
  type PresenceState,
  passkeyCredentials,
  passkeyStatus,
  passkeyUnlockSecret,
  preloadOpaque,
  presenceFrom,
  type RoomKeySession,
  removePasskeys,
  renameDeviceView,
  revokeDeviceView,
  saveDeviceRecord,
  signedInAs,
  VerifyPool,
  webPushStatus,
} from '../../core/client/index.ts';
import { dispatchAsDomEvents } from '../../core/events.ts';
import type { Argon2Params, StoreBackend } from '../../core/store/index.ts';
import { EncryptedStore, IdbBackend } from '../../core/store/index.ts';
import type {
  ConnectionState,
  HistoryProgress,
  KeyState,
  MessageEventInput,
  PushStatus,
  RoomKeyClient,
  RoomSummary,
  SentMessage,
  Session,
  StoredMessage,
  UnsentMessage,
} from './types.ts';
import { verifyWorkerFactory } from './verify-worker.ts';

/** The `roomkey-config.json` a deployment serves (core/client/config.ts). */
export type { DeploymentConfig } from '../../core/client/index.ts';

/** The part of RoomKeySession's static API the client uses (a fake in browser tests). */
export type SessionFactory = AccountFlows;

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

/**
 * The page's presence: active when visible and focused, idle when visible only, else hidden.
 * @example presenceOf(document) === 'active'
 */
export function presenceOf(doc: Document): PresenceState {
  return presenceFrom({ visible: doc.visibilityState !== 'hidden', focused: doc.hasFocus() });
}

const EVENTS = [
  'connection',
  'keys',
  'session',
  'rooms',
  'message',
  'notification',
  'outbox',
  'hidden',
] as const;

export class InPageClient extends EventTarget implements RoomKeyClient {
  readonly gatewayUrl: string;
  readonly configUrl: string;
  readonly storeDb: string;
  /** The runtime this client is glue for (advanced pages and tests). */
  readonly runtime: ClientRuntime;
  readonly #options: InPageClientOptions;
  readonly #backend: StoreBackend;
  /** History pages' signatures verified in workers (none where the platform has no Worker). */
  readonly #verifyPool =
    typeof Worker === 'undefined' ? undefined : new VerifyPool(verifyWorkerFactory(import.meta.url));
  #detach: (() => void)[] = [];

  constructor(options: InPageClientOptions) {
    super();
    this.#options = options;
    this.gatewayUrl = options.gatewayUrl;
    this.storeDb = storeDbName(options.gatewayUrl);
    this.#backend = options.backend ?? new IdbBackend(this.storeDb);
    this.runtime = new ClientRuntime({
      gatewayUrl: options.gatewayUrl,
      backend: this.#backend,
      sessions: options.sessions,
      fetch: options.fetch,
      storeParams: options.storeParams,
      previews: options.previews,
      verifier: this.#verifyPool?.verify,
      opener: this.#verifyPool?.open,
      onError: (error) => console.debug('RoomKey:', error.message),
    });
    this.configUrl = this.runtime.configUrl;
    this.#detach.push(
      dispatchAsDomEvents<ClientRuntimeEvents>(this.runtime, this, EVENTS),
      // A sign-in/sign-up form will be on screen: fetch OPAQUE's chunk now, not at the submit.
      this.runtime.on('keys', (keys) => keys === 'signed-out' && preloadOpaque()),
      this.runtime.on('session', (session) => void this.#recordForServiceWorker(session)),
      this.runtime.on('keys', () => this.#followContacts()),
      // A notification the service worker showed of a message now deleted closes at once.
      this.runtime.on('message', (message) => {
        const deleted = deletedMessageOf(message);
        if (deleted)
          void this.#registration()
            .then((registration) => registration && closeDeletedNotifications(registration, [deleted]))
            .catch(() => undefined);
      }),
    );
  }

  /** Reads the key state from the store and the configuration; never fails on the network. */
  async init(): Promise<this> {
    await this.runtime.init();
    if (this.runtime.keys === 'signed-out') preloadOpaque();
    const source =
      this.#options.presenceSource ?? (typeof document !== 'undefined' ? { document, window } : undefined);
    if (source) {
      const update = () => this.runtime.setPresence(presenceOf(source.document));
      const online = () => this.runtime.retry();
      source.document.addEventListener('visibilitychange', update);
      source.window.addEventListener('focus', update);
      source.window.addEventListener('blur', update);
      source.window.addEventListener('online', online);
      this.#detach.push(() => {
        source.document.removeEventListener('visibilitychange', update);
        source.window.removeEventListener('focus', update);
        source.window.removeEventListener('blur', update);
        source.window.removeEventListener('online', online);
      });
      update();
    }
    return this;
  }

  get connection(): ConnectionState {
    return this.runtime.connection;
  }
  get keys(): KeyState {
    return this.runtime.keys;
  }
  get session(): Session | null {
    return this.runtime.session;
  }
  /** Presence as last reported to the session. */
  get presence(): PresenceState {
    return this.runtime.presence.state;
  }

  /** The SDK session (advanced pages and tests); undefined until signed in or unlocked. */
  get sdk(): RoomKeySession | undefined {
    return this.runtime.sdk;
  }

  signUp(username: string, password: string): Promise<Session> {
    return this.runtime.signUp(username, password);
  }
  signIn(username: string, password: string): Promise<Session> {
    return this.runtime.signIn(username, password);
  }
  unlock(password: string): Promise<void> {
    return this.runtime.unlock(password);
  }
  lock(): Promise<void> {
    return this.runtime.lock();
  }
  async signOut(): Promise<void> {
    await this.runtime.signOut();
    if (this.#options.recordForServiceWorker !== false)
      await deleteDeviceRecord(this.configUrl).catch(() => undefined);
  }

  listRooms(): Promise<RoomSummary[]> {
    return this.runtime.ready().listRooms();
  }
  createRoom(name: string): Promise<RoomSummary> {
    return this.runtime.ready().createRoom(name);
  }
  invite(roomId: string, username: string, options?: { shareHistory?: boolean }): Promise<RoomSummary> {
    return this.runtime.ready().invite(roomId, username, options);
  }
  removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    return this.runtime.ready().removeMember(roomId, userId);
  }
  send(roomId: string, text: string): Promise<SentMessage> {
    return this.runtime.send(roomId, text);
  }
  unsent(roomId: string): Promise<UnsentMessage[]> {
    return this.runtime.unsent(roomId);
  }
  retrySend(roomId: string, messageId: string): Promise<SentMessage> {
    return this.runtime.retrySend(roomId, messageId);
  }
  discardSend(roomId: string, messageId: string): Promise<void> {
    return this.runtime.discardSend(roomId, messageId);
  }
  sendEvent(roomId: string, event: MessageEventInput): Promise<SentMessage> {
    return this.runtime.ready().sendEvent(roomId, event);
  }
  hiddenRooms(): Promise<string[]> {
    return this.runtime.hiddenRooms();
  }
  setRoomHidden(roomId: string, hidden: boolean): Promise<string[]> {
    return this.runtime.setRoomHidden(roomId, hidden);
  }
  history(
    roomId: string,
    options: { limit?: number; membership?: boolean; onProgress?: (progress: HistoryProgress) => void } = {},
  ): Promise<StoredMessage[]> {
    return this.runtime.ready().history(roomId, options as HistoryOptions);
  }
  focusRoom(roomId: string | null): void {
    this.runtime.focusRoom(roomId);
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

  /** Web Push on this device (core/client/push-subscription.ts): on, off, or why not here. */
  async pushStatus(): Promise<PushStatus> {
    return webPushStatus(await this.#registration());
  }

  /** Turns Web Push on with the user's consent (call from their click); the deployment's VAPID key. */
  async enablePush(): Promise<PushStatus> {
    const session = this.runtime.ready();
    const config = await fetchDeploymentConfig(this.configUrl, { fetch: this.#options.fetch });
    return enableWebPush({
      registration: await this.#registration(),
      vapidPublicKey: config.vapidPublicKey,
      save: (subscription) => session.savePush(subscription),
    });
  }

  /** Turns Web Push off: the gateway forgets this device's subscription, then the browser's goes. */
  async disablePush(): Promise<PushStatus> {
    const session = this.runtime.ready();
    return disableWebPush({ registration: await this.#registration(), remove: () => session.removePush() });
  }

  /** Contacts' trust and safety numbers (core/client/contacts.ts), asked from the gateway again. */
  contacts(userIds: readonly string[]): Promise<ContactView[]> {
    return this.runtime.ready().contacts.views(userIds);
  }
  verifyContact(userId: string, scanned?: string): Promise<ContactView> {
    return this.runtime.ready().contacts.verify(userId, scanned);
  }
  unverifyContact(userId: string): Promise<ContactView> {
    return this.runtime.ready().contacts.unverify(userId);
  }
  acceptKeyChange(userId: string): Promise<ContactView> {
    return this.runtime.ready().contacts.acceptKeyChange(userId);
  }

  /** Passkey unlock on this device (core/client/passkey.ts): on, off, or why not here. */
  async passkeyStatus(): Promise<PasskeyStatus> {
    if (!(await EncryptedStore.exists(this.#backend))) {
      return { state: 'unavailable', message: 'Sign in first: a passkey unlocks this device’s keys.' };
    }
    return passkeyStatus(await EncryptedStore.open(this.#backend));
  }
  /** Makes a passkey and enrols it (call from the user's click; keys must be ready). */
  addPasskey(): Promise<PasskeyStatus> {
    const session = this.runtime.ready();
    return addPasskey(session.store, { username: session.username });
  }
  removePasskey(): Promise<PasskeyStatus> {
    return removePasskeys(this.runtime.ready().store);
  }
  /** Unlocks with a passkey instead of the password (the browser shows its passkey prompt). */
  async unlockWithPasskey(): Promise<void> {
    const store = await EncryptedStore.open(this.#backend);
    await this.runtime.unlock(await passkeyUnlockSecret(passkeyCredentials(store)));
  }

  /** This user's devices with last seen (core/client/pairing-client.ts). */
  listDevices(): Promise<DeviceView[]> {
    return deviceViews(this.runtime.ready());
  }
  revokeDevice(deviceKey: string): Promise<DeviceView[]> {
    return revokeDeviceView(this.runtime.ready(), deviceKey);
  }

  renameDevice(deviceKey: string, name: string): Promise<DeviceView[]> {
    return renameDeviceView(this.runtime.ready(), deviceKey, name);
  }
  /** On a signed-out device: a pairing code to show; it signs in with `password` when done. */
  async offerPairing(password: string): Promise<PairingOfferFlow> {
    const options = { config: await this.runtime.loadConfig(), backend: this.#backend, password };
    return offerFlow({ ...options, storeParams: this.#options.storeParams }, async () => {
      await this.runtime.unlock(password);
      return signedInAs(this.runtime.session);
    });
  }
  /** On a signed-in device: reads a new device's code (nothing is sent before `confirm`). */
  approvePairing(offerText: string): Promise<PairingApprovalFlow> {
    return approvalFlow(this.runtime.ready(), offerText);
  }

  #contactsFollowed: RoomKeySession | undefined;
  #stopContacts: (() => void) | undefined;
  /** The running session's contacts changes, as the client's `contacts` event. */
  #followContacts(): void {
    const sdk = this.runtime.sdk;
    if (sdk === this.#contactsFollowed) return;
    this.#stopContacts?.();
    this.#contactsFollowed = sdk;
    this.#stopContacts = sdk?.on('contacts', (detail) =>
      this.dispatchEvent(new CustomEvent('contacts', { detail })),
    );
  }

  async #registration(): Promise<ServiceWorkerRegistration | undefined> {
    if (typeof navigator === 'undefined' || !navigator.serviceWorker) return undefined;
    return navigator.serviceWorker.getRegistration().catch(() => undefined);
  }

  /** Stops following the page and closes the session (tests; pages just unload). */
  async close(): Promise<void> {
    for (const detach of this.#detach) detach();
    this.#detach = [];
    this.#stopContacts?.();
    await this.runtime.close();
    this.#verifyPool?.close();
  }

  /** Tells the service worker where this store is (keeping a device key it may already have). */
  async #recordForServiceWorker(session: Session | null): Promise<void> {
    if (!session || this.#options.recordForServiceWorker === false) return;
    await deviceRecord(this.configUrl)
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
