/**
 * A running session as every host uses it: core/client's RoomKeySession plus what each host used
 * to add on its own — each message handed on once (the notified window: after a restart the live
 * reader resumes after the room's last saved sequence, so the last few may come again), each
 * notification once whether it came from the gateway (an App Notification) or, for a host that
 * notifies on its own, from a live message; room names for those notifications; the reconnect
 * backoff reset once online; presence handed to the session; and messages that arrive before the
 * host listens (right after a resume) kept for its first listener.
 * @example const live = new LiveSession(sdk, { window, backoff, notifyLive: true }); live.on('notification', route);
 */
import { TypedEmitter } from '../../events.ts';
import type {
  ConnectionState,
  PresenceState,
  RoomNotification,
  RoomSummary,
  SessionEvents,
  StoredMessage,
} from '../types.ts';
import type { Backoff } from './backoff.ts';
import type { NotifiedWindow } from './notified-window.ts';
import { notifies } from './notify-decision.ts';
import { type PresenceTarget, PresenceTracker } from './presence.ts';

/** What the live session needs of core/client's RoomKeySession. */
export interface RunningSdk extends PresenceTarget {
  readonly connection: ConnectionState;
  on<K extends keyof SessionEvents>(type: K, listener: (detail: SessionEvents[K]) => void): () => void;
  listRooms(): Promise<RoomSummary[]>;
}

/** Events of a live session: each message and each notification once. */
export interface LiveSessionEvents {
  connection: ConnectionState;
  rooms: readonly RoomSummary[];
  message: StoredMessage;
  notification: RoomNotification;
  revoked: { reason: string };
}

export interface LiveSessionOptions {
  window: NotifiedWindow;
  /** The backoff of the session's connection (clientConfigFor): reset once online. */
  backoff?: Backoff;
  /** The host's presence (kept across lock and unlock); default a new one. */
  presence?: PresenceTracker;
  /**
   * Live messages from others are notified too, not only the gateway's App Notifications: for a
   * host that is the device's notifier whatever its presence (the extension, which gets no Web
   * Push). A page leaves the rest to the gateway's push and its service worker.
   */
  notifyLive?: boolean;
  /** Message text in notifications (default true). */
  previews?: boolean;
}

/** Events kept until the host listens (nothing handed on may be lost). */
const KEPT: readonly (keyof LiveSessionEvents)[] = ['message', 'notification'];

/**
 * One running session, de-duplicated (see the top of this file).
 * @example live.on('message', render); live.setPresence({ state: 'active', focusedRoom: roomId });
 */
export class LiveSession {
  readonly sdk: RunningSdk;
  readonly presence: PresenceTracker;
  readonly #options: LiveSessionOptions;
  readonly #events = new TypedEmitter<LiveSessionEvents>();
  readonly #waiting: { type: keyof LiveSessionEvents; detail: unknown }[] = [];
  readonly #names = new Map<string, string>();
  readonly #off: (() => void)[];
  #closed = false;

  constructor(sdk: RunningSdk, options: LiveSessionOptions) {
    this.sdk = sdk;
    this.#options = options;
    this.presence = options.presence ?? new PresenceTracker();
    this.#off = [
      sdk.on('connection', (state) => {
        if (state === 'online') options.backoff?.online();
        this.#emit('connection', state);
      }),
      sdk.on('rooms', (rooms) => {
        this.#learn(rooms);
        this.#emit('rooms', rooms);
      }),
      sdk.on('message', (message) => void this.deliver(message)),
      sdk.on('notification', (note) => this.#appNotification(note)),
      sdk.on('revoked', (detail) => this.#emit('revoked', detail)),
    ];
    this.presence.attach(sdk);
  }

  get connection(): ConnectionState {
    return this.sdk.connection;
  }

  /** The notified window (shared with the host's catch-up, if it has one). */
  get window(): NotifiedWindow {
    return this.#options.window;
  }

  /**
   * Subscribes; the first listener of `message` or `notification` also gets what came before it.
   * Returns the unsubscribe function.
   */
  on<K extends keyof LiveSessionEvents>(
    type: K,
    listener: (detail: LiveSessionEvents[K]) => void,
  ): () => void {
    const off = this.#events.on(type, listener);
    const kept = this.#waiting.filter((w) => w.type === type);
    if (kept.length > 0) {
      for (let i = this.#waiting.length - 1; i >= 0; i--)
        if (this.#waiting[i]!.type === type) this.#waiting.splice(i, 1);
      queueMicrotask(() => {
        for (const { detail } of kept) listener(detail as LiveSessionEvents[K]);
      });
    }
    return off;
  }

  /** Room names, learned from the room list (for notifications derived from messages). */
  async listRooms(): Promise<RoomSummary[]> {
    const rooms = await this.sdk.listRooms();
    this.#learn(rooms);
    return rooms;
  }

  /**
   * Hands a message on once: a live one from the session, or one the host has (this device's own
   * sends, which the session does not echo: the host's other views hear of them here).
   */
  async deliver(message: StoredMessage): Promise<void> {
    if (this.#closed) return;
    const { roomId, messageId } = message;
    if (!messageId) {
      this.#emit('message', message);
      return;
    }
    if (this.window.has(roomId, messageId)) return;
    const notify = this.#options.notifyLive === true && notifies(message);
    this.window.mark(roomId, messageId, { notified: notify, seq: message.seq });
    this.#emit('message', message);
    if (!notify) return;
    this.#emit('notification', {
      roomId,
      roomName: await this.#name(roomId),
      messageId,
      senderUsername: message.senderUsername,
      ...(this.#options.previews !== false ? { preview: message.text } : {}),
    });
  }

  /** The host's presence (state and room on screen); the session sends beacons on change. */
  setPresence(presence: { state: PresenceState; focusedRoom: string | null }): void {
    this.presence.update(presence);
  }

  /** Stops handing on (lock, sign-out, close) and writes the window; the host closes the session. */
  async detach(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#off) off();
    this.presence.detach(this.sdk);
    this.#events.clear();
    this.#waiting.length = 0;
    await this.window.save();
  }

  /** An App Notification from the gateway: only for a message not notified yet. */
  #appNotification(note: RoomNotification): void {
    if (this.#closed) return;
    if (note.messageId) {
      if (this.window.notified(note.roomId, note.messageId)) return;
      this.window.mark(note.roomId, note.messageId, { notified: true });
    }
    const known = this.#names.get(note.roomId);
    this.#emit('notification', note.roomName || !known ? note : { ...note, roomName: known });
  }

  async #name(roomId: string): Promise<string> {
    if (!this.#names.has(roomId)) await this.listRooms().catch(() => undefined);
    return this.#names.get(roomId) ?? '';
  }

  #learn(rooms: readonly RoomSummary[]): void {
    for (const room of rooms) this.#names.set(room.roomId, room.name);
  }

  #emit<K extends keyof LiveSessionEvents>(type: K, detail: LiveSessionEvents[K]): void {
    if (this.#closed) return;
    if (!this.#events.has(type)) {
      if (KEPT.includes(type)) this.#waiting.push({ type, detail });
      return;
    }
    this.#events.emit(type, detail);
  }
}
