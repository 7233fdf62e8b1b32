/**
 * RoomKeySession: one signed-in user on one device, the SDK every host builds on (in-page client,
 * extension background, bots, tests). Browser-safe: the platform enters through the StoreBackend
 * (MemoryBackend / FileBackend in Node, IdbBackend in browsers) and the config's connect function.
 *
 * - signUp: user keys + device key + certificate made here; OPAQUE registration with an identity
 *   backup sealed under the OPAQUE export key (identity-backup.ts); then a log-in for the JWT.
 * - signIn: with a store on this device, unlocking it with the password is the sign-in (the device
 *   key proves the device for a fresh JWT); without one (a new device), OPAQUE log-in, restore the
 *   user keys from the backup, certify a new device key, enroll it.
 * - The local store's passphrase IS the account password: one secret unlocks both.
 * - Rooms: list (names decrypted here), create, invite by username, remove, send, history (batch
 *   verified, with progress), live messages, App Notifications with locally decrypted previews,
 *   presence beacons; everything the gateway says is verified (gateway-directory.ts, core/room).
 * @example const session = await RoomKeySession.signIn({ config, backend, username, password });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { type roomkey, v1 } from '../../proto/index.ts';
import { equalBytes, toBase64Url, toHex } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import {
  createDeviceKey,
  createUserKeys,
  randomBytes,
  type SignedProps,
  signDeviceCertificate,
  signingPublicKey,
  signUserIdentity,
  type UserKeys,
  verifyDeviceCertificate,
} from '../crypto/index.ts';
import {
  BadCredentialsError,
  ConflictError,
  LockedError,
  MalformedError,
  NotFoundError,
  RevokedError,
  WrongPassphraseError,
} from '../errors.ts';
import { TypedEmitter } from '../events.ts';
import { type LocalMember, newRoomId, Room } from '../room/index.ts';
import type { StoreBackend } from '../store/backend.ts';
import type { Argon2Params } from '../store/params.ts';
import { connectWithLoginCredential } from '../transport/connect.ts';
import { userNkey } from '../transport/nkey.ts';
import {
  DEFAULT_ORG_ID,
  DEFAULT_PROJECT_ID,
  notifySubject,
  presenceSubject,
  roomSubject,
} from '../transport/subjects.ts';
import { normalizeUsername } from '../transport/username.ts';
import {
  type DeviceCredential,
  enrollDevice,
  logIn,
  logInNewDevice,
  signUp as registerUser,
  revokeDevice,
} from './auth.ts';
import type { ClientConfig } from './config.ts';
import { DeviceLink } from './device-link.ts';
import { createRoomRequest, directoryLookup, roomList } from './gateway-api.ts';
import { GatewayDirectory } from './gateway-directory.ts';
import { type HistoryOptions, readHistory } from './history.ts';
import { openIdentityBackup } from './identity-backup.ts';
import { LocalState, localMember } from './local-state.ts';
import { RoomHandle } from './room-handle.ts';
import type {
  ConnectionState,
  KeyState,
  PresenceState,
  RoomNotification,
  RoomSummary,
  SentMessage,
  SessionEvents,
  StoredMessage,
} from './types.ts';

export interface SessionOptions {
  config: ClientConfig;
  /** Where the encrypted store lives (one account per backend). */
  backend: StoreBackend;
  /** Argon2id costs for a NEW store; default DEFAULT_ARGON2_PARAMS (tests pass cheap ones). */
  storeParams?: Argon2Params;
  /** This device's name in its certificate (default "web"). */
  deviceName?: string;
  /** Decrypted previews in notifications (default true). */
  previews?: boolean;
  /** Presence state at start (default 'active'); the host updates it with setPresence. */
  presence?: PresenceState;
  /** Called for background failures (a live message that failed to apply, a refresh that failed). */
  onError?: (error: Error) => void;
  /**
   * Called with the new session before it connects, so the host's listeners hear its first events
   * too (the rooms, and what a resumed live reader delivers at once); nothing is kept for later.
   */
  onCreated?: (session: RoomKeySession) => void;
}

export interface Credentials {
  username: string;
  password: string;
}

const PRESENCE_EVERY_MS = 30_000;
const PREVIEW_WAIT_MS = 1500;
const PRESENCE_CODE: Record<PresenceState, number> = {
  active: v1.PresenceState.PRESENCE_STATE_ACTIVE,
  idle: v1.PresenceState.PRESENCE_STATE_IDLE,
  hidden: v1.PresenceState.PRESENCE_STATE_HIDDEN,
};

interface Unlocked {
  state: LocalState;
  me: LocalMember;
  userKeys: UserKeys;
  certificate: SignedProps;
  directory: GatewayDirectory;
  link: DeviceLink;
  rooms: Map<string, RoomHandle>;
  presenceTimer: ReturnType<typeof setInterval> | undefined;
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
  #open: Unlocked | undefined;
  #presence: PresenceState;
  #focused: string | null = null;
  #closed = false;
  #keys: KeyState = 'locked';
  readonly #events = new TypedEmitter<SessionEvents>({ onListenerError: (e) => this.#error(e as Error) });

  private constructor(
    options: SessionOptions,
    identity: { userId: string; username: string; deviceKey: Uint8Array },
  ) {
    this.#options = options;
    this.userId = identity.userId;
    this.username = identity.username;
    this.deviceKey = identity.deviceKey;
    this.#presence = options.presence ?? 'active';
  }

  /** Makes a new account (username + password only) with this device as its first device. */
  static async signUp(options: SessionOptions & Credentials): Promise<RoomKeySession> {
    if (await LocalState.exists(options.backend)) {
      throw new ConflictError('This device already holds an account: sign out (or sign in) first.');
    }
    const username = normalizeUsername(options.username);
    const userKeys = await createUserKeys();
    const device = createDeviceKey();
    const userId = toBase64Url(randomBytes(16));
    const now = Date.now();
    const identity = await signUserIdentity(userKeys, { userId, username, createdAtMs: now });
    const certificate = await signDeviceCertificate(userKeys, {
      userId,
      deviceKey: device.publicKey,
      deviceName: options.deviceName ?? 'web',
      issuedAtMs: now,
    });
    const login = await loginConnection(options.config);
    let credential: DeviceCredential;
    try {
      await registerUser(
        login,
        { username, password: options.password, identity, deviceCertificate: certificate, userKeys },
        { timeoutMs: options.config.requestTimeoutMs },
      );
      const session = await logIn(
        login,
        { username, password: options.password, deviceCertificate: certificate },
        { timeoutMs: options.config.requestTimeoutMs },
      );
      credential = { userJwt: session.userJwt, expiresAtMs: session.expiresAtMs };
    } finally {
      await login.close().catch(() => undefined);
    }
    const state = await LocalState.create(options.backend, options.password, options.storeParams);
    await state.setIdentity(localIdentity(identity, userKeys, device.secretKey, certificate));
    return RoomKeySession.#start(options, state, credential);
  }

  /** Whether this device (backend) holds an account, locked or not: then `resume` with its password. */
  static hasAccount(backend: StoreBackend): Promise<boolean> {
    return LocalState.exists(backend);
  }

  /**
   * Opens the account this device holds with its password (after a reload): the store unlocks
   * locally, the device key proves the device for a fresh JWT. No username needed.
   */
  static async resume(options: SessionOptions & { password: string }): Promise<RoomKeySession> {
    let state: LocalState;
    try {
      state = await LocalState.open(options.backend, options.password);
    } catch (error) {
      if (error instanceof WrongPassphraseError) throw new BadCredentialsError();
      throw error;
    }
    return RoomKeySession.#start(options, state);
  }

  /**
   * Signs in: unlocks this device's store when it holds this account, else signs in as a new
   * device with the password alone (the identity backup restores the user keys). A device that
   * was revoked meanwhile is forgotten here and replaced by a new one.
   */
  static async signIn(options: SessionOptions & Credentials): Promise<RoomKeySession> {
    const username = normalizeUsername(options.username);
    if (await LocalState.exists(options.backend)) {
      let state: LocalState;
      try {
        state = await LocalState.open(options.backend, options.password);
      } catch (error) {
        if (error instanceof WrongPassphraseError) throw new BadCredentialsError();
        throw error;
      }
      const stored = await state.identity();
      const storedName = stored?.identity?.body
        ? decode(v1.UserIdentityBody, stored.identity.body, 'identity').username
        : '';
      if (storedName !== username) {
        state.lock();
        throw new ConflictError(
          `This device holds the account "${storedName}": sign out first to use another.`,
        );
      }
      try {
        return await RoomKeySession.#start(options, state);
      } catch (error) {
        if (!(error instanceof RevokedError)) throw error;
        state.lock();
        await LocalState.wipe(options.backend); // its keys can never be used again
      }
    }
    const login = await loginConnection(options.config);
    try {
      const first = await logInNewDevice(
        login,
        { username, password: options.password },
        { timeoutMs: options.config.requestTimeoutMs },
      );
      const userKeys = openIdentityBackup(first.exportKey, first.identity, first.identityBackup);
      const device = createDeviceKey();
      const certificate = await signDeviceCertificate(userKeys, {
        userId: first.identity.userId,
        deviceKey: device.publicKey,
        deviceName: options.deviceName ?? 'web',
        issuedAtMs: Date.now(),
      });
      const credential = await enrollDevice(
        login,
        { enrollToken: first.enrollToken, deviceCertificate: certificate },
        { timeoutMs: options.config.requestTimeoutMs },
      );
      const state = await LocalState.create(options.backend, options.password, options.storeParams);
      await state.setIdentity(
        localIdentity(first.identitySigned as SignedProps, userKeys, device.secretKey, certificate),
      );
      return RoomKeySession.#start(options, state, credential);
    } finally {
      await login.close().catch(() => undefined);
    }
  }

  static async #start(
    options: SessionOptions,
    state: LocalState,
    credential?: DeviceCredential,
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

  async #boot(state: LocalState, credential?: DeviceCredential): Promise<void> {
    const stored = (await state.identity())!;
    const me = localMember(stored);
    const { userKeys } = me;
    let link: DeviceLink | undefined;
    const directory = new GatewayDirectory(() => link!.nc, { pins: await state.pins() });
    directory.onPinned = (pins) => void state.setPins(pins).catch((e: Error) => this.#error(e));
    link = await DeviceLink.open({
      config: this.#options.config,
      deviceSecretKey: stored.deviceSecret,
      credential: credential ?? { userJwt: '', expiresAtMs: 0 },
      onState: (s) => this.#emit('connection', s),
      onReconnected: () => void this.#resync(),
      onRevoked: (error) => {
        this.#setKeys('signed-out');
        this.#emit('revoked', { reason: error.message });
        void this.close();
      },
      onError: (e) => this.#error(e),
    });
    const open: Unlocked = {
      state,
      me,
      userKeys,
      certificate: stored.deviceCertificate as SignedProps,
      directory,
      link,
      rooms: new Map(),
      presenceTimer: undefined,
    };
    this.#open = open;
    try {
      await directory.trust(stored.identity!);
      await directory.trustDevice(stored.deviceCertificate!, this.userId);
      this.#followNotices(open);
      await this.#refreshRooms(open);
      this.#sendPresence();
      open.presenceTimer = setInterval(() => this.#sendPresence(), PRESENCE_EVERY_MS);
    } catch (error) {
      await this.#shutdown();
      throw error;
    }
    this.#setKeys('ready');
  }

  /** The device's NATS connection (advanced hosts and tests). */
  get nc(): NatsConnection {
    return this.#unlocked().link.nc;
  }

  get connection(): ConnectionState {
    return this.#open?.link.state ?? 'offline';
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
    const open = this.#unlocked();
    await this.#refreshRooms(open, false);
    return this.#summaries(open);
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
    const handle = this.#handle(open, room.roomId, room);
    await open.link.refresh(); // the new JWT covers the room
    await handle.startLive();
    await handle.flush();
    await this.#emitRooms(open);
    return handle.summary();
  }

  /** Adds a user (by username, verified by the directory) to a room; `shareHistory` gives them earlier epochs' keys. */
  async invite(
    roomId: string,
    username: string,
    options: { shareHistory?: boolean } = {},
  ): Promise<RoomSummary> {
    const open = this.#unlocked();
    const handle = await this.#room(open, roomId);
    const identity = await open.directory.lookup(username);
    await handle.commit((room) =>
      room.add([identity.userId], { nowMs: Date.now(), shareHistory: options.shareHistory }),
    );
    await this.#emitRooms(open);
    return handle.summary();
  }

  /** Removes a member (a new epoch they never get the key of); removing yourself leaves the room. */
  async removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    const open = this.#unlocked();
    const handle = await this.#room(open, roomId);
    await handle.commit((room) => room.remove([userId], { nowMs: Date.now() }));
    if (userId === this.userId) await handle.stopLive();
    await this.#emitRooms(open);
    return handle.summary();
  }

  /** Rotates the room's key (a new epoch for the same members); `name` renames it too. */
  async rotate(roomId: string, options: { name?: string } = {}): Promise<RoomSummary> {
    const open = this.#unlocked();
    const handle = await this.#room(open, roomId);
    await handle.commit((room) =>
      options.name === undefined
        ? room.rotate({ nowMs: Date.now() })
        : room.rename({ name: options.name }, { nowMs: Date.now() }),
    );
    await this.#emitRooms(open);
    return handle.summary();
  }

  async send(roomId: string, text: string): Promise<SentMessage> {
    const open = this.#unlocked();
    return (await this.#room(open, roomId)).send(text);
  }

  /** Decrypted history, oldest first. */
  async history(roomId: string, options: HistoryOptions = {}): Promise<StoredMessage[]> {
    const open = this.#unlocked();
    const handle = await this.#room(open, roomId);
    await open.link.ready();
    return readHistory(handle, open.link.nc, {
      timeoutMs: this.#options.config.requestTimeoutMs,
      ...options,
    });
  }

  /** Which room is on screen (presence and unread counts follow it). */
  focusRoom(roomId: string | null): void {
    this.#focused = roomId;
    for (const [id, handle] of this.#open?.rooms ?? []) {
      handle.focused = id === roomId;
      if (handle.focused) handle.unread = 0;
    }
    this.#sendPresence();
  }

  /** The host's visibility: 'active' devices get App Notifications, others are left for Web Push. */
  setPresence(state: PresenceState): void {
    this.#presence = state;
    this.#sendPresence();
  }

  /** Drops keys from memory and disconnects; the store stays encrypted at rest. */
  async lock(): Promise<void> {
    await this.#shutdown();
    if (this.#keys === 'ready') this.#setKeys('locked');
  }

  /** Unlocks again with the account password (no network login: the device key proves the device). */
  async unlock(password: string): Promise<void> {
    if (this.#closed) throw new LockedError('This session was closed: sign in again.');
    if (this.#open) return;
    let state: LocalState;
    try {
      state = await LocalState.open(this.#options.backend, password);
    } catch (error) {
      if (error instanceof WrongPassphraseError) throw new BadCredentialsError();
      throw error;
    }
    await this.#boot(state);
  }

  /** This user's devices as the directory lists them, each certificate verified here. */
  async devices(): Promise<
    Array<{ deviceKey: Uint8Array; name: string; issuedAtMs: number; revokedAtMs: number; current: boolean }>
  > {
    const open = this.#unlocked();
    await open.link.ready();
    const res = await directoryLookup(open.link.nc, 'devices', { userId: this.userId });
    const identity = await open.directory.identity(this.userId);
    const out = [];
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
    if (open.presenceTimer !== undefined) clearInterval(open.presenceTimer);
    await Promise.allSettled([...open.rooms.values()].map((h) => h.close()));
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

  #handle(open: Unlocked, roomId: string, room?: Room): RoomHandle {
    let handle = open.rooms.get(roomId);
    if (!handle) {
      handle = new RoomHandle(
        roomId,
        {
          me: open.me,
          directory: open.directory,
          nc: () => open.link.nc,
          ready: () => open.link.ready(),
          timeoutMs: this.#options.config.requestTimeoutMs,
          onMessage: (m) => this.#emit('message', m),
          onChange: () => void this.#emitRooms(open),
          save: (id, bytes) => open.state.setRoom(id, bytes),
          onError: (e) => this.#error(e),
        },
        room,
      );
      handle.focused = this.#focused === roomId;
      open.rooms.set(roomId, handle);
    } else if (room && !handle.room) {
      handle.room = room;
    }
    return handle;
  }

  async #room(open: Unlocked, roomId: string): Promise<RoomHandle> {
    let handle = open.rooms.get(roomId);
    if (!handle) {
      await this.#refreshRooms(open, false);
      handle = open.rooms.get(roomId);
    }
    if (!handle) throw new NotFoundError('No such room (or you are not in it).');
    if (!handle.room) await handle.sync();
    return handle;
  }

  /** Reads the room list, restores or fetches each room, follows the ones this user is in. */
  async #refreshRooms(open: Unlocked, emit = true): Promise<void> {
    await open.link.ready();
    const { rooms } = await roomList(open.link.nc, { timeoutMs: this.#options.config.requestTimeoutMs });
    await Promise.all(
      rooms.map(async (entry) => {
        const roomId = entry.roomId ?? '';
        const epoch = entry.epoch ?? 0;
        const known = open.rooms.get(roomId);
        const handle = known ?? this.#handle(open, roomId, await this.#restore(open, roomId));
        handle.listedStatus = entry.member ? 'member' : 'removed';
        if (
          !handle.room ||
          handle.room.epoch < epoch ||
          handle.status !== (entry.member ? 'member' : 'removed')
        ) {
          await handle.sync().catch((e: Error) => this.#error(e));
        }
      }),
    );
    // A room this user is in that the current JWT does not cover yet: refresh before following it.
    const member = [...open.rooms.values()].filter((h) => h.status === 'member');
    if (member.some((h) => !open.link.allowsPublish(roomSubject(h.roomId, 'msg')))) await open.link.refresh();
    // Followed before the rooms are announced: what is stored from then on is delivered live.
    await Promise.all(
      [...open.rooms.values()].map((handle) =>
        handle.status === 'member' ? handle.startLive() : handle.stopLive(),
      ),
    );
    if (emit) await this.#emitRooms(open);
  }

  async #restore(open: Unlocked, roomId: string): Promise<Room | undefined> {
    try {
      const snapshot = await open.state.room(roomId);
      return snapshot ? await Room.restore(snapshot, open.me, open.directory) : undefined;
    } catch (error) {
      this.#error(error as Error); // a damaged snapshot: the chain is fetched again instead
      return undefined;
    }
  }

  #resyncing: Promise<void> | undefined;
  #resyncAgain = false;

  /** After a reconnect: catch up on commits (coalesced: reconnects may come in bursts). */
  async #resync(): Promise<void> {
    if (this.#resyncing) {
      this.#resyncAgain = true;
      return this.#resyncing;
    }
    this.#resyncing = (async () => {
      do {
        this.#resyncAgain = false;
        const open = this.#open;
        if (!open) return;
        try {
          // What the server sent while the connection was down is lost to the old pulls: each
          // room's reader places its consumer again after the last sequence it delivered.
          for (const handle of open.rooms.values()) handle.resumeLive();
          await this.#refreshRooms(open);
        } catch (error) {
          this.#error(error as Error);
        }
      } while (this.#resyncAgain);
    })().finally(() => {
      this.#resyncing = undefined;
    });
    return this.#resyncing;
  }

  #followNotices(open: Unlocked): void {
    const sub = open.link.nc.subscribe(notifySubject(this.deviceNkey));
    void (async () => {
      for await (const msg of sub) {
        let notice: roomkey.v1.DeviceNotice;
        try {
          notice = decode(v1.DeviceNotice, msg.data, 'device notice');
        } catch {
          continue;
        }
        void this.#onNotice(open, notice).catch((e: Error) => this.#error(e));
      }
    })();
  }

  async #onNotice(open: Unlocked, notice: roomkey.v1.DeviceNotice): Promise<void> {
    if (notice.kind === 'membership' && notice.membership) {
      await open.link.refresh(); // the next JWT covers (or no longer covers) the room
      await this.#refreshRooms(open);
      return;
    }
    const n = notice.message;
    if (notice.kind !== 'message' || !n?.roomId || !(n.messageId instanceof Uint8Array)) return;
    const handle = open.rooms.get(n.roomId);
    if (!handle?.room) return;
    const hex = toHex(n.messageId);
    const message = await handle.recent(hex, PREVIEW_WAIT_MS);
    let sender = message?.senderUsername ?? '';
    if (!sender && n.senderUserId)
      sender = await open.directory.identity(n.senderUserId).then(
        (i) => i.username,
        () => '',
      );
    const notification: RoomNotification = {
      roomId: n.roomId,
      roomName: handle.room.info.name,
      messageId: hex,
      senderUsername: sender,
      ...(message && this.#options.previews !== false ? { preview: message.text } : {}),
    };
    this.#emit('notification', notification);
  }

  #sendPresence(): void {
    const open = this.#open;
    if (!open || open.link.nc.isClosed()) return;
    const beacon = encode(v1.PresenceBeacon, {
      deviceKey: this.deviceKey,
      userId: this.userId,
      state: PRESENCE_CODE[this.#presence],
      focusedRoomId: this.#focused ?? '',
      sentAtMs: Date.now(),
    });
    try {
      open.link.nc.publish(presenceSubject(this.deviceNkey), beacon);
    } catch (error) {
      this.#error(error as Error);
    }
  }

  async #summaries(open: Unlocked): Promise<RoomSummary[]> {
    return Promise.all([...open.rooms.values()].map((h) => h.summary()));
  }

  async #emitRooms(open: Unlocked): Promise<void> {
    if (this.#open !== open) return;
    this.#emit('rooms', await this.#summaries(open));
  }

  #emit<K extends keyof SessionEvents>(type: K, detail: SessionEvents[K]): void {
    this.#events.emit(type, detail);
  }

  #setKeys(keys: KeyState): void {
    if (keys === this.#keys) return;
    this.#keys = keys;
    this.#emit('keys', keys);
  }

  #error(error: Error): void {
    this.#options.onError?.(error);
  }
}

async function loginConnection(config: ClientConfig): Promise<NatsConnection> {
  return connectWithLoginCredential({
    servers: config.servers,
    connect: config.connect,
    loginJwt: config.loginJwt,
    options: { timeout: 5000 },
  });
}

function localIdentity(
  identity: SignedProps,
  keys: UserKeys,
  deviceSecret: Uint8Array,
  certificate: SignedProps,
): roomkey.v1.LocalIdentity.$Properties {
  return {
    identity,
    signingSecret: keys.signingSecretKey,
    hpkeSecret: keys.hpkePrivateKey,
    deviceSecret,
    deviceCertificate: certificate,
  };
}
