/**
 * The one place where the client SDK (core/client's RoomKeySession) enters the extension: a
 * SessionFactory over it, with the SDK's encrypted store in `browser.storage.local` (its own key
 * prefix) and the deployment's `<gateway>/roomkey-config.json`.
 *
 * - Two stores: the background's EncryptedStore (approvals aside, unlocked by the account password
 *   or, after a stopped MV3 worker, by the session secret of lib/unlock-cache.ts) and the SDK's
 *   own. The SDK wraps its store with the account password; right after sign-up/in it is re-wrapped
 *   under a random 256-bit secret kept inside the background's store, so a restarted worker resumes
 *   the SDK without the password (RoomKeySession.resume wants a passphrase, not an open store).
 * - Nothing lost, nothing twice: every message id handed on (and whether it was notified) goes into
 *   a small per-room window in the background's store. On resume each room is caught up from
 *   history (messages since the worker was last alive) and de-duplicated against that window; live
 *   messages, the SDK's own reconnect catch-up and App Notifications pass the same check. The
 *   catch-up runs at once: a tab that registers again later gets what it missed from the hub.
 * - Connection: nats.js reconnects forever; the wait grows with the time offline (backoff, reset
 *   once online). A ping every 20 s keeps the MV3 worker alive while connected (WebSocket traffic
 *   extends a service worker's life in Chrome ≥ 116).
 * - Notifications: derived from the SDK's `message` events (the background is subscribed to every
 *   room, whatever its presence), and from `notification` (App Notifications) for a message not
 *   seen live; each message id is notified once.
 * @example const sessions = createSessionFactory({ area: browser.storage.local, deviceName: 'Chromium on Linux' });
 */

import { equalBytes, fromUtf8, toBase64Url, utf8 } from '../../core/bytes.ts';
import type { RoomNotification, RoomSummary, SentMessage, StoredMessage } from '../../core/client/index.ts';
import {
  type ClientConfig,
  type DeploymentConfig,
  deploymentConfigUrl,
  parseDeploymentConfig,
  RoomKeySession,
} from '../../core/client/index.ts';
import { randomBytes } from '../../core/crypto/index.ts';
import { MalformedError, UnavailableError } from '../../core/errors.ts';
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
  Presence,
  SessionEvents,
  SessionFactory,
} from './background-session.ts';

/** Key prefix of the SDK's store in the storage area (the background's store uses `roomkey-store:`). */
export const SDK_STORE_PREFIX = 'roomkey-sdk:';
/** Records of this adapter in the background's store. */
const SECRET = 'sdk/store-secret';
const CONFIG = 'sdk/config';
const DELIVERED = 'sdk/delivered';
/** The SDK store's random secret needs no stretching; Argon2id's minimum keeps the header format. */
const SECRET_PARAMS: Argon2Params = { t: 1, mKib: 64, p: 1 };
/** Message ids remembered per room. */
const WINDOW = 200;
/** History read per room on resume. */
const CATCH_UP = 50;
/** Messages this much older than the last sign of life are taken as seen already. */
const SLACK_MS = 120_000;
const PING_MS = 20_000;
const ALIVE_EVERY_MS = 60_000;

/** The deployment as `/roomkey-config.json` describes it (core/client/config.ts). */
export type { DeploymentConfig } from '../../core/client/index.ts';

/**
 * Reads `<gateway>roomkey-config.json`: UnavailableError when unreachable, MalformedError when wrong.
 * @example const cfg = await fetchDeploymentConfig('https://rooms.example.com/');
 */
export async function fetchDeploymentConfig(
  gateway: string,
  fetchFn: typeof fetch = fetch,
): Promise<DeploymentConfig> {
  const url = deploymentConfigUrl(gateway);
  let body: unknown;
  try {
    const response = await fetchFn(url, { cache: 'no-store', credentials: 'omit' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (cause) {
    throw new UnavailableError(`RoomKey: could not read ${url} (${(cause as Error)?.message ?? cause}).`, {
      cause,
    });
  }
  try {
    return parseDeploymentConfig(body);
  } catch (cause) {
    throw new MalformedError(`RoomKey: ${url} is not a RoomKey deployment config.`, { cause });
  }
}

/**
 * Reconnect waits that grow with the time spent offline: 250 ms at first, half the time offline
 * later, at most 30 s, with 20 % jitter; back to the start once online.
 * @example const backoff = new Backoff(); options.reconnectDelayHandler = backoff.delay;
 */
export class Backoff {
  #offlineSince: number | undefined;
  readonly #now: () => number;
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }
  readonly delay = (): number => {
    const now = this.#now();
    this.#offlineSince ??= now;
    const base = Math.min(30_000, Math.max(250, (now - this.#offlineSince) / 2));
    return Math.round(base * (1 + Math.random() * 0.2));
  };
  online(): void {
    this.#offlineSince = undefined;
  }
}

/** Message ids handed on per room (`n`: notified too), and when the background was last alive. */
interface DeliveredRecord {
  aliveAtMs: number;
  rooms: Record<string, [id: string, notified: 0 | 1][]>;
}

/**
 * The delivered-id window (see the top of this file), kept in the background's store; writes are
 * serialized and coalesced.
 * @example const window = await DeliveredWindow.load(store); if (window.mark(roomId, id)) show();
 */
export class DeliveredWindow {
  readonly #store: EncryptedStore;
  readonly #rooms = new Map<string, Map<string, 0 | 1>>();
  /** When the previous background last recorded a sign of life (0: never). */
  readonly previousAliveAtMs: number;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  private constructor(store: EncryptedStore, record: DeliveredRecord | undefined) {
    this.#store = store;
    this.previousAliveAtMs = record?.aliveAtMs ?? 0;
    for (const [roomId, ids] of Object.entries(record?.rooms ?? {})) {
      if (Array.isArray(ids)) this.#rooms.set(roomId, new Map(ids.filter((e) => Array.isArray(e))));
    }
  }

  static async load(store: EncryptedStore): Promise<DeliveredWindow> {
    let record: DeliveredRecord | undefined;
    try {
      const bytes = await store.get(DELIVERED);
      record = bytes ? (JSON.parse(fromUtf8(bytes)) as DeliveredRecord) : undefined;
    } catch {
      record = undefined; // a damaged window: at worst a message is shown again
    }
    return new DeliveredWindow(store, record);
  }

  has(roomId: string, id: string): boolean {
    return this.#rooms.get(roomId)?.has(id) ?? false;
  }

  notified(roomId: string, id: string): boolean {
    return this.#rooms.get(roomId)?.get(id) === 1;
  }

  /** Records `id` (and whether it was notified); returns false when it was there already with that much. */
  mark(roomId: string, id: string, notified: boolean): boolean {
    const ids = this.#rooms.get(roomId) ?? new Map<string, 0 | 1>();
    this.#rooms.set(roomId, ids);
    const before = ids.get(id);
    const after: 0 | 1 = notified || before === 1 ? 1 : 0;
    if (before === after) return false;
    ids.delete(id);
    ids.set(id, after);
    while (ids.size > WINDOW) ids.delete(ids.keys().next().value!);
    this.save();
    return true;
  }

  /** Writes the window (and "alive now") soon; resolves once written. */
  save(): Promise<void> {
    if (this.#dirty) return this.#writing;
    this.#dirty = true;
    this.#writing = this.#writing.then(async () => {
      this.#dirty = false;
      const record: DeliveredRecord = {
        aliveAtMs: Date.now(),
        rooms: Object.fromEntries([...this.#rooms].map(([room, ids]) => [room, [...ids]])),
      };
      await this.#store.set(DELIVERED, utf8(JSON.stringify(record))).catch(() => undefined);
    });
    return this.#writing;
  }
}

type Listener = (detail: unknown) => void;

/** RoomKeySession as the background's BackgroundSession (lib/background-session.ts). */
export class SdkSession implements BackgroundSession {
  readonly sdk: RoomKeySession;
  readonly session: { userId: string; username: string };
  readonly #window: DeliveredWindow;
  readonly #listeners = new Map<keyof SessionEvents, Set<Listener>>();
  /** Messages and notifications emitted before the background listened (during resume). */
  readonly #queued: [keyof SessionEvents, unknown][] = [];
  readonly #names = new Map<string, string>();
  readonly #off: (() => void)[];
  readonly #alive: ReturnType<typeof setInterval>;
  #presence = '';
  #closed = false;

  constructor(sdk: RoomKeySession, window: DeliveredWindow, backoff: Backoff) {
    this.sdk = sdk;
    this.session = { userId: sdk.userId, username: sdk.username };
    this.#window = window;
    this.#off = [
      sdk.on('connection', (state) => {
        if (state === 'online') backoff.online();
        this.#emit('connection', state);
      }),
      sdk.on('rooms', (rooms) => {
        this.#learn(rooms);
        this.#emit('rooms', rooms as RoomSummary[]);
      }),
      sdk.on('message', (message) => void this.#deliver(message)),
      sdk.on('notification', (note) => void this.#appNotification(note)),
      sdk.on('revoked', () => this.#emit('connection', 'offline')),
    ];
    this.#alive = setInterval(() => void window.save(), ALIVE_EVERY_MS);
  }

  get connection() {
    return this.sdk.connection;
  }

  async listRooms(): Promise<RoomSummary[]> {
    const rooms = await this.sdk.listRooms();
    this.#learn(rooms);
    return rooms;
  }

  async createRoom(name: string): Promise<RoomSummary> {
    const room = await this.sdk.createRoom(name);
    this.#names.set(room.roomId, room.name);
    return room;
  }

  invite(roomId: string, username: string, options: { shareHistory: boolean }): Promise<RoomSummary> {
    return this.sdk.invite(roomId, username, options);
  }

  removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    return this.sdk.removeMember(roomId, userId);
  }

  async send(roomId: string, text: string): Promise<SentMessage> {
    const message = await this.sdk.send(roomId, text);
    // The SDK does not echo this device's own sends: the other tabs hear of it here.
    await this.#deliver(message);
    return message;
  }

  history(
    roomId: string,
    options: { limit?: number; onProgress?: (progress: { loaded: number; total?: number }) => void },
  ): Promise<StoredMessage[]> {
    return this.sdk.history(roomId, options);
  }

  devices(): Promise<DeviceInfo[]> {
    return this.sdk.devices();
  }

  revokeDevice(deviceKey: Uint8Array): Promise<void> {
    return this.sdk.revokeDevice(deviceKey);
  }

  setPresence(presence: Presence): void {
    const key = `${presence.state}:${presence.focusedRoom ?? ''}`;
    if (key === this.#presence || this.sdk.keys !== 'ready') return;
    this.#presence = key;
    this.sdk.focusRoom(presence.focusedRoom);
    this.sdk.setPresence(presence.state);
  }

  on<K extends keyof SessionEvents>(type: K, listener: (detail: SessionEvents[K]) => void): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    set.add(listener as Listener);
    this.#listeners.set(type, set);
    const waiting = this.#queued.filter(([t]) => t === type);
    if (waiting.length) {
      for (let i = this.#queued.length - 1; i >= 0; i--)
        if (this.#queued[i]![0] === type) this.#queued.splice(i, 1);
      queueMicrotask(() => {
        for (const [, detail] of waiting) (listener as Listener)(detail);
      });
    }
    return () => set.delete(listener as Listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#alive);
    for (const off of this.#off) off();
    this.#listeners.clear();
    await this.#window.save();
    await this.sdk.close();
  }

  /**
   * After a resume: each room's recent history, minus what was handed on before (the window) and
   * what is older than the previous background's last sign of life.
   */
  async catchUp(): Promise<void> {
    const since = this.#window.previousAliveAtMs - SLACK_MS;
    if (this.#window.previousAliveAtMs === 0) return; // nothing handed on yet: nothing to catch up
    const rooms = await this.listRooms();
    await Promise.all(
      rooms
        .filter((r) => r.status === 'member')
        .map(async (room) => {
          const messages = await this.sdk.history(room.roomId, { limit: CATCH_UP }).catch(() => []);
          // Never by the sender's clock: what was stored after the newest message handed on
          // before (stream sequence), or since the last sign of life (the server's stored time).
          const handedOn = messages.filter((m) => this.#window.has(room.roomId, m.messageId));
          const after = Math.max(0, ...handedOn.map((m) => m.seq ?? 0));
          for (const m of messages) {
            const fresh = (after > 0 && (m.seq ?? 0) > after) || (m.storedAtMs ?? 0) >= since;
            if (m.messageId && fresh) await this.#deliver(m);
          }
        }),
    );
  }

  async #deliver(message: StoredMessage): Promise<void> {
    if (this.#closed || !message.messageId) return;
    const { roomId, messageId } = message;
    if (this.#window.has(roomId, messageId)) return;
    const notify = !message.own && message.status === 'received';
    this.#window.mark(roomId, messageId, notify);
    this.#emit('message', message);
    if (!notify) return;
    this.#emit('notification', {
      roomId,
      roomName: await this.#name(roomId),
      messageId,
      senderUsername: message.senderUsername,
      text: message.text,
      own: false,
    } satisfies IncomingNotification);
  }

  /** An App Notification from the gateway: only for a message this background has not notified. */
  async #appNotification(note: RoomNotification): Promise<void> {
    if (this.#closed || this.#window.notified(note.roomId, note.messageId)) return;
    this.#window.mark(note.roomId, note.messageId, true);
    this.#emit('notification', {
      roomId: note.roomId,
      roomName: note.roomName || (await this.#name(note.roomId)),
      messageId: note.messageId,
      senderUsername: note.senderUsername,
      text: note.preview ?? '',
      own: false,
    });
  }

  async #name(roomId: string): Promise<string> {
    if (!this.#names.has(roomId)) await this.listRooms().catch(() => undefined);
    return this.#names.get(roomId) ?? '';
  }

  #learn(rooms: readonly RoomSummary[]): void {
    for (const room of rooms) this.#names.set(room.roomId, room.name);
  }

  #emit<K extends keyof SessionEvents>(type: K, detail: SessionEvents[K]): void {
    const set = this.#listeners.get(type);
    if (!set?.size) {
      if (type === 'message' || type === 'notification') this.#queued.push([type, detail]);
      return;
    }
    for (const listener of set) listener(detail);
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
}

function clientConfig(cfg: DeploymentConfig, backoff: Backoff): ClientConfig {
  return {
    servers: cfg.natsWebSocketUrl,
    loginJwt: cfg.loginJwt,
    connectionOptions: {
      pingInterval: PING_MS,
      maxPingOut: 2,
      reconnectDelayHandler: backoff.delay,
    },
  };
}

const randomSecret = (): string => toBase64Url(randomBytes(32));

/**
 * The session factory of this build: RoomKeySession over extension storage.
 * @example const session = await createSessionFactory({ area, deviceName }).resume({ store, gateway });
 */
export function createSessionFactory(deps: SdkWiringDeps): SessionFactory {
  const backend = new ExtensionStorageBackend(deps.area, SDK_STORE_PREFIX);
  const fetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const options = (cfg: DeploymentConfig, backoff: Backoff) => ({
    config: clientConfig(cfg, backoff),
    backend,
    deviceName: deps.deviceName,
    storeParams: deps.storeParams,
    previews: true,
    onError: deps.onError,
  });

  const enter = async (how: 'signUp' | 'signIn', input: CredentialsInput): Promise<BackgroundSession> => {
    const cfg = await fetchDeploymentConfig(input.gateway, fetchFn);
    // The background's store is new, so any SDK store here is a leftover.
    await backend.clear();
    const backoff = new Backoff();
    const sdk = await RoomKeySession[how]({
      ...options(cfg, backoff),
      username: input.username,
      password: input.password,
    });
    try {
      const secret = randomSecret();
      const sdkStore = await EncryptedStore.open(backend);
      await sdkStore.changePassphrase(input.password, secret, SECRET_PARAMS);
      await input.store.set(SECRET, utf8(secret));
      await input.store.set(CONFIG, utf8(JSON.stringify(cfg)));
    } catch (error) {
      await sdk.close().catch(() => undefined);
      throw error;
    }
    const window = await DeliveredWindow.load(input.store);
    await window.save(); // alive from now on: a resume catches up from here
    return new SdkSession(sdk, window, backoff);
  };

  return {
    available: true,
    signUp: (input) => enter('signUp', input),
    signIn: (input) => enter('signIn', input),
    resume: async ({ store, gateway }) => {
      const secretBytes = await store.get(SECRET);
      if (!secretBytes || !(await RoomKeySession.hasAccount(backend))) return undefined;
      const cached = await store.get(CONFIG);
      let cfg: DeploymentConfig;
      try {
        cfg = await fetchDeploymentConfig(gateway, fetchFn);
        const fresh = utf8(JSON.stringify(cfg));
        // Unchanged (the usual case): no re-encrypting and rewriting the record on every resume.
        if (!cached || !equalBytes(cached, fresh)) await store.set(CONFIG, fresh);
      } catch (error) {
        if (!cached) throw error;
        cfg = JSON.parse(fromUtf8(cached)) as DeploymentConfig;
      }
      const backoff = new Backoff();
      const sdk = await RoomKeySession.resume({ ...options(cfg, backoff), password: fromUtf8(secretBytes) });
      const session = new SdkSession(sdk, await DeliveredWindow.load(store), backoff);
      // At once: what the catch-up hands on before the background listens is queued (SdkSession),
      // and what reaches the hub before a tab registered again is kept for it (lib/kept-messages.ts).
      queueMicrotask(() => void session.catchUp().catch((error: Error) => deps.onError?.(error)));
      return session;
    },
    signOut: async (session) => {
      await (session as SdkSession).sdk.signOut();
    },
  };
}
