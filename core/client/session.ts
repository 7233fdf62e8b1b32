/**
 * RoomKeySession: one signed-in user on one device, the SDK every host builds on (in-page client,
 * extension background, service worker runtime, bots, tests). Browser-safe: the platform enters
 * through the StoreBackend (MemoryBackend / FileBackend in Node, IdbBackend in browsers) and the
 * config's connect function. It speaks RoomKeyClient's vocabulary (`keys`, `removeMember`,
 * ChatMessage, RoomNotification), so a host forwards its events and results unchanged.
 *
 * - Opening: account-flows.ts (sign-up, sign-in on this device or a new one, resume).
 * - Running: the device link (JWT kept fresh, reconnects), the rooms (room-registry.ts: list with
 *   decrypted names, create, invite by username, remove, send, history with progress, live
 *   messages), the gateway's notices (device-notices.ts: App Notifications with previews decrypted
 *   here) and presence beacons (presence-beacon.ts); everything the gateway says is verified
 *   (gateway-directory.ts, core/room).
 * - The connection state is the link's, except that after a reconnect it stays `reconnecting` until
 *   the rooms are caught up (room-registry.ts retries that with backoff): "online" means what the
 *   user sees is current.
 * - Events go through one TypedEmitter (core/events.ts): `on(type, listener)` returns the unsubscribe.
 * @example const session = await RoomKeySession.signIn({ config, backend, username, password });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import * as v1 from '../../proto/index.ts';
import { equalBytes } from '../bytes.ts';
import { decode } from '../codec.ts';
import {
  GENERIC_DEVICE_NAME,
  type SignedProps,
  signingPublicKey,
  type UserKeys,
  verifyDeviceCertificate,
} from '../crypto/index.ts';
import { ConflictError, LockedError, MalformedError } from '../errors.ts';
import { TypedEmitter } from '../events.ts';
import { type LocalMember, newRoomId, Room } from '../room/index.ts';
import type { StoreBackend } from '../store/backend.ts';
import { userNkey } from '../transport/nkey.ts';
import { DEFAULT_ORG_ID, DEFAULT_PROJECT_ID } from '../transport/subjects.ts';
import {
  type Credentials,
  createAccount,
  type OpenedAccount,
  type SessionOptions,
  signInAccount,
  unlockStore,
} from './account-flows.ts';
import { revokeDevice } from './auth.ts';
import { Contacts } from './contacts.ts';
import { DeviceLink } from './device-link.ts';
import {
  type DeviceDetails,
  type DeviceNameDeps,
  defaultDeviceName,
  deviceDetails,
  nameThisDeviceOnce,
  renameOwnDevice,
} from './device-names.ts';
import { followDeviceNotices, notificationFor } from './device-notices.ts';
import { createRoomRequest, directoryLookup } from './gateway-api.ts';
import { GatewayDirectory } from './gateway-directory.ts';
import { type HistoryOptions, readHistory } from './history.ts';
import { LocalState, localMember } from './local-state.ts';
import { eventToSend, type MessageEventInput } from './message-events-send.ts';
import { devicesLastSeen } from './pairing-devices.ts';
import { approvePairing, type PairingApproval } from './pairing-old-device.ts';
import type { PasskeyUnlock } from './passkey.ts';
import { PresenceBeacon } from './presence-beacon.ts';
import {
  type PushSubscriptionRecord,
  removePushSubscription,
  savePushSubscription,
} from './push-subscription.ts';
import { ReadMarkers } from './read-markers.ts';
import { listReadMarkers, setReadMarker } from './read-markers-api.ts';
import { RoomRegistry } from './room-registry.ts';
import { viewOf } from './runtime/notify-decision.ts';
import type {
  ConnectionState,
  KeyState,
  PresenceState,
  RoomSummary,
  SentMessage,
  SessionEvents,
  StoredMessage,
} from './types.ts';

export type { Credentials, SessionOptions } from './account-flows.ts';

/** One of this user's devices as the directory lists it, its certificate verified here. */
export interface SessionDevice {
  deviceKey: Uint8Array;
  name: string;
  issuedAtMs: number;
  /** When it was revoked; 0 while it is not. */
  revokedAtMs: number;
  /** Whether it is the device this session runs on. */
  current: boolean;
}

/** What exists only while the session is unlocked (dropped, and its keys zeroed, by lock/close). */
interface Unlocked {
  state: LocalState;
  me: LocalMember;
  userKeys: UserKeys;
  directory: GatewayDirectory;
  link: DeviceLink;
  rooms: RoomRegistry;
  reads: ReadMarkers;
  contacts: Contacts;
}

/**
 * One signed-in user on one device (see the top of this file).
 * @example const session = await RoomKeySession.signUp({ config, backend, username, password });
 */
export class RoomKeySession {
  readonly userId: string;
  readonly username: string;
  readonly deviceKey: Uint8Array;
  readonly #options: SessionOptions;
  readonly #events: TypedEmitter<SessionEvents>;
  readonly #presence: PresenceBeacon;
  #open: Unlocked | undefined;
  #keys: KeyState = 'locked';
  #closed = false;
  /** The rooms are not caught up since the link last went down. */
  #behind = false;
  /** The connection state last announced. */
  #announced: ConnectionState | undefined;

  private constructor(
    options: SessionOptions,
    identity: { userId: string; username: string; deviceKey: Uint8Array },
  ) {
    this.#options = options;
    this.userId = identity.userId;
    this.username = identity.username;
    this.deviceKey = identity.deviceKey;
    this.#events = new TypedEmitter({ onListenerError: (e) => this.#error(e as Error) });
    this.#presence = new PresenceBeacon({
      nc: () => this.#open?.link.nc,
      deviceKey: identity.deviceKey,
      userId: identity.userId,
      state: options.presence,
      onError: (e) => this.#error(e),
    });
  }

  /** Makes a new account (username + password only) with this device as its first device. */
  static async signUp(options: SessionOptions & Credentials): Promise<RoomKeySession> {
    return RoomKeySession.#start(options, await createAccount(options));
  }

  /** Whether this device (backend) holds an account, locked or not: then `resume` with its password. */
  static hasAccount(backend: StoreBackend): Promise<boolean> {
    return LocalState.exists(backend);
  }

  /**
   * Opens the account this device holds with its password (after a reload): the store unlocks
   * locally, the device key proves the device for a fresh JWT. No username needed.
   */
  static async resume(
    options: SessionOptions & { password: string | PasskeyUnlock },
  ): Promise<RoomKeySession> {
    return RoomKeySession.#start(options, { state: await unlockStore(options.backend, options.password) });
  }

  /**
   * Signs in: unlocks this device's store when it holds this account, else signs in as a new
   * device with the password alone (account-flows.ts).
   */
  static signIn(options: SessionOptions & Credentials): Promise<RoomKeySession> {
    return signInAccount(options, (opened) => RoomKeySession.#start(options, opened));
  }

  /** Starts on the store a new device received by pairing (offerPairing's `done`). */
  static startPaired(options: SessionOptions, opened: OpenedAccount): Promise<RoomKeySession> {
    return RoomKeySession.#start(options, opened);
  }

  static async #start(
    options: SessionOptions,
    { state, credential }: OpenedAccount,
  ): Promise<RoomKeySession> {
    const stored = await state.identity();
    if (!stored?.identity?.body || !stored.deviceSecret)
      throw new MalformedError('The local store holds no identity.');
    const body = decode(v1.UserIdentityBody, stored.identity.body, 'identity');
    const session = new RoomKeySession(options, {
      userId: body.userId,
      username: body.username,
      deviceKey: signingPublicKey(stored.deviceSecret),
    });
    options.onCreated?.(session);
    await session.#boot(state, credential);
    return session;
  }

  async #boot(state: LocalState, credential?: OpenedAccount['credential']): Promise<void> {
    this.#behind = false;
    const stored = (await state.identity())!;
    const me = localMember(stored);
    let link: DeviceLink | undefined;
    const directory = new GatewayDirectory(() => link!.nc, { pins: await state.pins() });
    directory.onPinned = (pins) => void state.setPins(pins).catch((e: Error) => this.#error(e));
    link = await DeviceLink.open({
      config: this.#options.config,
      deviceSecretKey: stored.deviceSecret,
      credential: credential ?? { userJwt: '', expiresAtMs: 0 },
      onState: (s) => {
        if (s !== 'online') this.#behind = true;
        this.#announce(s);
      },
      onReconnected: () => void this.#open?.rooms.resync(),
      onRevoked: (error) => {
        this.#setKeys('signed-out');
        this.#events.emit('revoked', { reason: error.message });
        void this.close();
      },
      onError: (e) => this.#error(e),
    });
    const reads = this.#readMarkers(link);
    const rooms = new RoomRegistry({
      me,
      directory,
      link,
      state,
      timeoutMs: this.#options.config.requestTimeoutMs,
      onMessage: (m) => this.#events.emit('message', reads.received(m)),
      onRooms: (list) => this.#events.emit('rooms', withUnread(list, reads)),
      onError: (e) => this.#error(e),
      onCaughtUp: (caughtUp) => {
        this.#behind = !caughtUp;
        this.#announce(this.#open?.link.state ?? 'offline');
        if (caughtUp) void reads.load().catch((e: Error) => this.#error(e));
      },
    });
    rooms.focus(this.#presence.focusedRoomId);
    const contacts = new Contacts({
      store: state.store,
      directory,
      me: () => directory.identity(this.userId),
      onChange: (userIds) => this.#events.emit('contacts', { userIds }),
    });
    const open: Unlocked = { state, me, userKeys: me.userKeys, directory, link, rooms, reads, contacts };
    this.#open = open;
    try {
      await directory.trust(stored.identity!);
      await directory.trustDevice(stored.deviceCertificate as SignedProps, this.userId);
      this.#followNotices(open);
      // The markers first: what the readers catch up on and another device read is data at once.
      await settleWithin(
        reads.load().catch((e: Error) => this.#error(e)),
        MARKER_LOAD_MS,
      );
      await rooms.refresh();
      this.#presence.start();
    } catch (error) {
      await this.#shutdown();
      throw error;
    }
    this.#setKeys('ready');
    // Not awaited: a first session names its device in the background. A failure (offline, closed
    // meanwhile) is left for the next start, which tries again; it is no error for the user.
    void nameThisDeviceOnce(this.#nameDeps(open), this.deviceKey, this.#chosenName()).catch(() => undefined);
  }

  #nameDeps(open: Unlocked): DeviceNameDeps {
    return {
      nc: open.link.nc,
      userId: this.userId,
      userKeys: open.userKeys,
      timeoutMs: this.#options.config.requestTimeoutMs,
    };
  }

  /** The host's name for this device, else browser and OS from the user agent. */
  #chosenName(): string {
    const given = this.#options.deviceName?.trim();
    return given && given !== GENERIC_DEVICE_NAME
      ? given
      : defaultDeviceName(globalThis.navigator?.userAgent ?? '');
  }

  /** Safety numbers, verification and key changes of this user's contacts (contacts.ts). */
  get contacts(): Contacts {
    return this.#unlocked().contacts;
  }

  /** The unlocked encrypted store (a passkey is enrolled into its header: passkey.ts). */
  get store(): LocalState['store'] {
    return this.#unlocked().state.store;
  }

  /** The device's NATS connection (advanced hosts and tests). */
  get nc(): NatsConnection {
    return this.#unlocked().link.nc;
  }

  get connection(): ConnectionState {
    return this.#shown(this.#open?.link.state ?? 'offline');
  }

  /** `ready` while unlocked; `locked` after lock() or close(); `signed-out` after signOut() or a revocation. */
  get keys(): KeyState {
    return this.#keys;
  }

  /** The NATS nkey of this device. */
  get deviceNkey(): string {
    return userNkey(this.deviceKey);
  }

  /** Subscribes to a session event (SessionEvents); returns the unsubscribe function. */
  on<K extends keyof SessionEvents>(type: K, listener: (detail: SessionEvents[K]) => void): () => void {
    return this.#events.on(type, listener);
  }

  /** Rooms this user is or was in, names decrypted on this device. */
  async listRooms(): Promise<RoomSummary[]> {
    const { rooms } = this.#unlocked();
    await rooms.refresh(false);
    return withUnread(await rooms.summaries(), this.#unlocked().reads);
  }

  /** A new room (in the configured org/project unless given), with this user as its only member. */
  async createRoom(name: string, options: { orgId?: string; projectId?: string } = {}): Promise<RoomSummary> {
    const open = this.#unlocked();
    const { config } = this.#options;
    const room = await Room.create({
      me: open.me,
      directory: open.directory,
      roomId: newRoomId(),
      orgId: options.orgId ?? config.orgId ?? DEFAULT_ORG_ID,
      projectId: options.projectId ?? config.projectId ?? DEFAULT_PROJECT_ID,
      info: { name },
      nowMs: Date.now(),
    });
    await open.link.ready();
    await createRoomRequest(open.link.nc, room.genesisSigned, { timeoutMs: config.requestTimeoutMs });
    const handle = open.rooms.handle(room.roomId, room);
    await open.link.refresh(); // the new JWT covers the room
    await handle.startLive();
    await handle.flush();
    await open.rooms.emit();
    return handle.summary();
  }

  /** Adds a user (by username, verified by the directory) to a room; `shareHistory` gives them earlier epochs' keys. */
  async invite(
    roomId: string,
    username: string,
    options: { shareHistory?: boolean } = {},
  ): Promise<RoomSummary> {
    const open = this.#unlocked();
    const handle = await open.rooms.get(roomId);
    const identity = await open.directory.lookup(username);
    if (handle.room?.members.includes(identity.userId))
      throw new ConflictError(`${username} is already a member of this room.`);
    await handle.commit((room) =>
      room.add([identity.userId], { nowMs: Date.now(), shareHistory: options.shareHistory }),
    );
    await open.rooms.emit();
    return handle.summary();
  }

  /** Removes a member (a new epoch they never get the key of); removing yourself leaves the room. */
  async removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    const open = this.#unlocked();
    const handle = await open.rooms.get(roomId);
    await handle.commit((room) => room.remove([userId], { nowMs: Date.now() }));
    if (userId === this.userId) await handle.stopLive();
    await open.rooms.emit();
    return handle.summary();
  }

  /** Rotates the room's key (a new epoch for the same members); `name` renames it too. */
  async rotate(roomId: string, options: { name?: string } = {}): Promise<RoomSummary> {
    const open = this.#unlocked();
    const handle = await open.rooms.get(roomId);
    await handle.commit((room) =>
      options.name === undefined
        ? room.rotate({ nowMs: Date.now() })
        : room.rename({ name: options.name }, { nowMs: Date.now() }),
    );
    await open.rooms.emit();
    return handle.summary();
  }

  /**
   * Sends a text message; resolves once JetStream stored it. `messageId` and `sentAtMs` are an
   * outbox message's own (outbox-sender.ts): each attempt of it is the same message.
   */
  async send(
    roomId: string,
    text: string,
    options: { messageId?: Uint8Array; sentAtMs?: number } = {},
  ): Promise<SentMessage> {
    const open = this.#unlocked();
    const { messageId, sentAtMs = Date.now() } = options;
    const sent = await (await open.rooms.get(roomId)).send(text, sentAtMs, messageId ? { messageId } : {});
    open.reads.shown(roomId, sent.seq);
    return sent;
  }

  /**
   * A reply, edit, delete, reaction or its removal: a signed, encrypted room message like any
   * other, which every client applies to its history (message-events.ts).
   */
  async sendEvent(roomId: string, event: MessageEventInput): Promise<SentMessage> {
    const open = this.#unlocked();
    const { text, options } = eventToSend(event);
    const sent = await (await open.rooms.get(roomId)).send(text, Date.now(), options);
    open.reads.shown(roomId, sent.seq);
    return sent;
  }

  /** Decrypted history, oldest first. */
  async history(roomId: string, options: HistoryOptions = {}): Promise<StoredMessage[]> {
    const open = this.#unlocked();
    const handle = await open.rooms.get(roomId);
    await open.link.ready();
    const read = await readHistory(
      handle,
      open.link.nc,
      { timeoutMs: this.#options.config.requestTimeoutMs, ...options },
      { verifier: this.#options.verifier, opener: this.#options.opener },
    );
    // Marked before this read moves the marker: a view puts "New since you left" after them.
    const messages = read.map((m) =>
      m.status === 'received' && open.reads.isRead(roomId, m.seq) ? { ...m, read: true as const } : m,
    );
    open.reads.shown(roomId, messages.at(-1)?.seq ?? 0);
    return messages;
  }

  /** Which room is on screen (presence and unread counts follow it). */
  focusRoom(roomId: string | null): void {
    this.#open?.rooms.focus(roomId);
    this.#presence.set({ focusedRoomId: roomId });
    this.#open?.reads.setView(viewOf(this.#presence.state, roomId));
  }

  /** The host's visibility: 'active' devices get App Notifications, others are left for Web Push. */
  setPresence(state: PresenceState): void {
    this.#presence.set({ state });
    this.#open?.reads.setView(viewOf(state, this.#presence.focusedRoomId));
  }

  /**
   * Saves (replaces) this device's Web Push subscription with the gateway, which then wakes it with
   * a content-free sentinel when none of the user's devices is active.
   */
  async savePush(subscription: PushSubscriptionRecord): Promise<void> {
    const open = this.#unlocked();
    await open.link.ready();
    await savePushSubscription(open.link.nc, this.deviceKey, subscription, {
      timeoutMs: this.#options.config.requestTimeoutMs,
    });
  }

  /** Removes this device's Web Push subscription from the gateway: no more pushes reach it. */
  async removePush(): Promise<void> {
    const open = this.#unlocked();
    await open.link.ready();
    await removePushSubscription(open.link.nc, this.deviceKey, {
      timeoutMs: this.#options.config.requestTimeoutMs,
    });
  }

  /** Drops keys from memory and disconnects; the store stays encrypted at rest. */
  async lock(): Promise<void> {
    await this.#shutdown();
    if (this.#keys === 'ready') this.#setKeys('locked');
  }

  /** Unlocks again with the account password (no network login: the device key proves the device). */
  async unlock(password: string | PasskeyUnlock): Promise<void> {
    if (this.#closed) throw new LockedError('This session was closed: sign in again.');
    if (this.#open) return;
    await this.#boot(await unlockStore(this.#options.backend, password));
  }

  /** This user's devices as the directory lists them, each certificate verified here. */
  async devices(): Promise<SessionDevice[]> {
    const open = this.#unlocked();
    await open.link.ready();
    const res = await directoryLookup(open.link.nc, 'devices', { userId: this.userId });
    const identity = await open.directory.identity(this.userId);
    const out: SessionDevice[] = [];
    for (const entry of res.devices) {
      if (!entry.deviceCertificate) continue;
      const certificate = await verifyDeviceCertificate(entry.deviceCertificate, identity, 0);
      out.push({
        deviceKey: certificate.deviceKey,
        name: certificate.deviceName,
        issuedAtMs: certificate.issuedAtMs,
        revokedAtMs: Number(entry.revokedAtMs ?? 0),
        current: equalBytes(certificate.deviceKey, this.deviceKey),
      });
    }
    return out;
  }

  /** Revokes one of this user's devices for good (signed with the user key); NATS cuts it off at once. */
  async revokeDevice(deviceKey: Uint8Array): Promise<void> {
    const open = this.#unlocked();
    await open.link.ready();
    await revokeDevice(open.link.nc, { deviceKey, userSigningSecretKey: open.userKeys.signingSecretKey });
  }

  /** This user's devices' names (opened here: the gateway holds them sealed) and last seen, by key hex. */
  async deviceDetails(): Promise<Map<string, DeviceDetails>> {
    const open = this.#unlocked();
    await open.link.ready();
    return deviceDetails(this.#nameDeps(open));
  }

  /** Names one of this user's devices, sealed to the user's key (device-names.ts). */
  async renameDevice(deviceKey: Uint8Array, name: string): Promise<void> {
    const open = this.#unlocked();
    await open.link.ready();
    await renameOwnDevice(this.#nameDeps(open), deviceKey, name);
  }

  /** When each of this user's devices was last seen (ms, 0 = not lately), by device key hex. */
  async devicesLastSeen(): Promise<Map<string, number>> {
    const open = this.#unlocked();
    await open.link.ready();
    return devicesLastSeen(open.link.nc, { timeoutMs: this.#options.config.requestTimeoutMs });
  }

  /**
   * Adds a new device that shows a pairing QR code (pairing-old-device.ts): says hello and returns
   * the code to compare; nothing secret is sent before `confirm()`.
   */
  async approvePairing(offerText: string): Promise<PairingApproval> {
    const open = this.#unlocked();
    await open.link.ready();
    const identity = await open.state.identity();
    if (!identity) throw new MalformedError('The local store holds no identity.');
    return approvePairing(
      { nc: open.link.nc, identity, userId: this.userId, timeoutMs: this.#options.config.requestTimeoutMs },
      offerText,
    );
  }

  /**
   * Signs this device out: revokes its device key with the gateway (it can never be used again)
   * and deletes the local store. The account stays; sign in again with the password.
   */
  async signOut(): Promise<void> {
    const open = this.#open;
    if (open) {
      try {
        await revokeDevice(open.link.nc, {
          deviceKey: this.deviceKey,
          userSigningSecretKey: open.userKeys.signingSecretKey,
        });
      } catch (error) {
        this.#error(error as Error); // offline: the local keys are deleted anyway
      }
    }
    await this.close();
    await LocalState.wipe(this.#options.backend);
    this.#setKeys('signed-out');
  }

  /** Disconnects and writes room snapshots; the session cannot be used afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#shutdown();
    if (this.#keys === 'ready') this.#setKeys('locked');
  }

  async #shutdown(): Promise<void> {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    this.#presence.stop();
    await settleWithin(open.reads.flush(), MARKER_FLUSH_MS); // a read marker waiting to go, if it can
    open.reads.close();
    await open.rooms.close();
    await open.link.close();
    open.state.lock();
    for (const key of [
      open.userKeys.signingSecretKey,
      open.userKeys.hpkePrivateKey,
      open.me.device.secretKey,
    ])
      key.fill(0);
  }

  #unlocked(): Unlocked {
    if (!this.#open)
      throw new LockedError(
        this.#closed ? 'This session was closed: sign in again.' : 'Locked: unlock with your password first.',
      );
    return this.#open;
  }

  #followNotices(open: Unlocked): void {
    followDeviceNotices(open.link.nc, this.deviceNkey, {
      onMembership: async () => {
        await open.link.refresh(); // the next JWT covers (or no longer covers) the room
        await open.rooms.refresh();
      },
      onRead: ({ roomId, seq }) => open.reads.apply(roomId, seq),
      onMessage: async (notice) => {
        // Read on another of the user's devices meanwhile: nothing to notify here.
        if (open.reads.isRead(notice.roomId ?? '', Number(notice.streamSequence ?? 0))) return;
        const handle = notice.roomId ? open.rooms.known(notice.roomId) : undefined;
        const previews = this.#options.previews !== false;
        const notification = await notificationFor(notice, handle, open.directory, previews);
        if (notification) this.#events.emit('notification', notification);
      },
      onError: (e) => this.#error(e),
    });
  }

  /** The read markers of an unlocked session: shared through the gateway, announced as `read`. */
  #readMarkers(link: DeviceLink): ReadMarkers {
    const timeoutMs = this.#options.config.requestTimeoutMs;
    const reads = new ReadMarkers({
      send: async (roomId, seq) => {
        await link.ready();
        return setReadMarker(link.nc, { roomId, seq }, { timeoutMs });
      },
      list: async () => {
        await link.ready();
        return listReadMarkers(link.nc, { timeoutMs });
      },
      onRead: (roomId, seq) => {
        this.#events.emit('read', { roomId, seq });
        // The unread counts follow the markers (at boot the rooms are announced once they are read).
        if (this.#keys === 'ready') void this.#open?.rooms.emit();
      },
      onError: (e) => this.#error(e),
    });
    reads.setView(viewOf(this.#presence.state, this.#presence.focusedRoomId));
    return reads;
  }

  /** The link's state as the user should see it: not online while the rooms are behind. */
  #shown(link: ConnectionState): ConnectionState {
    return link === 'online' && this.#behind ? 'reconnecting' : link;
  }

  #announce(link: ConnectionState): void {
    const shown = this.#shown(link);
    if (shown === this.#announced) return;
    this.#announced = shown;
    this.#events.emit('connection', shown);
  }

  #setKeys(keys: KeyState): void {
    if (keys === this.#keys) return;
    this.#keys = keys;
    this.#events.emit('keys', keys);
  }

  #error(error: Error): void {
    this.#options.onError?.(error);
  }
}

/** How long closing waits for a read marker to reach the gateway. */
const MARKER_FLUSH_MS = 1000;
/** How long opening waits for the read markers (late ones still apply: counts follow, notifications close). */
const MARKER_LOAD_MS = 3000;

/** The rooms with the unread counts of the shared read markers. */
function withUnread(rooms: readonly RoomSummary[], reads: ReadMarkers): RoomSummary[] {
  return rooms.map((room) => ({ ...room, unread: reads.unread(room.roomId) }));
}

/** Waits for `work`, at most `ms`. */
async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
