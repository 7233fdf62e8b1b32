/**
 * TEST DOUBLE. An in-memory stand-in for `RoomKeyClient` that lets component tests drive every
 * UI state: connection and key states, rooms, members, long histories with progress, held and
 * failed messages, notifications, slow calls (gates) and typed errors. It does no crypto and no
 * networking. It keeps the RoomKeyClient contract (test/contract/) as `InPageClient` does, and
 * `FakeExtensionClient` as the page's `ExtensionClient` does: test/browser/client-contract.test.ts
 * runs the same steps on them as test/e2e/ runs on the real clients.
 * @example const client = new FakeRoomKeyClient(); client.addAccount('alice', 'correct horse');
 */

import type {
  ConnectionState,
  HistoryProgress,
  KeyState,
  MembershipRow,
  RoomKeyClient,
  RoomKeyClientEvents,
  RoomNotification,
  RoomSummary,
  SentMessage,
  Session,
  StoredMessage,
} from '../../../components/client/types.ts';
import { ExtensionOnlyError, NotApprovedError } from '../../../core/bridge/index.ts';
import {
  failedMessage,
  heldMessage,
  readableMessage,
  sentMessage,
} from '../../../core/client/chat-message.ts';
import { BadCredentialsError, ConflictError, LockedError, NotFoundError } from '../../../core/errors.ts';

/** What a test may set on a made message (the variant follows `status`). */
export interface MessagePatch {
  status?: StoredMessage['status'];
  text?: string;
  epoch?: number;
  reason?: string;
  senderUserId?: string;
  senderUsername?: string;
  /** Default: a fixed day in 2025, a second per message. */
  sentAtMs?: number;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

type Method = Exclude<keyof RoomKeyClient, keyof EventTarget | 'connection' | 'keys' | 'session'>;
/** A call that may be held open by a test: a client method, or `history-page` (between history pages). */
export type GateName = Method | 'history-page';

export interface Gate {
  /** Lets the held call (and any later one) proceed. */
  release(): void;
  /** Resolves once a call is waiting at the gate. */
  reached: Promise<void>;
}

export class FakeRoomKeyClient extends EventTarget implements RoomKeyClient {
  connection: ConnectionState = 'online';
  keys: KeyState = 'signed-out';
  session: Session | null = null;
  /** Every API call, in order. */
  readonly calls: { method: Method; args: unknown[] }[] = [];
  readonly rooms = new Map<string, RoomSummary>();
  readonly histories = new Map<string, StoredMessage[]>();
  /** The room passed to the last `focusRoom` call. */
  focused: string | null = null;
  /** Messages per page of `history()`: each page reports progress. */
  historyPageSize = 1000;
  readonly #accounts = new Map<string, { userId: string; password: string }>();
  readonly #failures = new Map<GateName, unknown[]>();
  readonly #gates = new Map<GateName, { promise: Promise<void>; reached: () => void }>();
  #nextId = 1;

  // ---- controls for tests ----

  /** Registers an account that can sign in. */
  addAccount(username: string, password: string): Session {
    const userId = `user-${username}`;
    this.#accounts.set(username, { userId, password });
    return { userId, username };
  }

  /** Puts the client in the state of a signed-in, unlocked user, without events. */
  signedInAs(username: string, password = 'correct horse battery'): Session {
    const session = this.addAccount(username, password);
    this.session = session;
    this.keys = 'ready';
    return session;
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    this.#emit('connection', state);
  }

  setKeys(state: KeyState): void {
    this.keys = state;
    this.#emit('keys', state);
  }

  /** The next call to `name` rejects with `error`. */
  failNext(name: GateName, error: unknown): void {
    const queue = this.#failures.get(name) ?? [];
    queue.push(error);
    this.#failures.set(name, queue);
  }

  /** Holds calls to `name` until `release()`. */
  gate(name: GateName): Gate {
    let release!: () => void;
    let reached!: () => void;
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    this.#gates.set(name, { promise, reached });
    return {
      release: () => {
        this.#gates.delete(name);
        release();
      },
      reached: reachedPromise,
    };
  }

  /** Adds a room the session user belongs to (plus `others` as members); emits `rooms`. */
  addRoom(
    name: string,
    others: readonly string[] = [],
    extra: Partial<Pick<RoomSummary, 'epoch' | 'status' | 'unread' | 'roomId'>> = {},
  ): RoomSummary {
    const roomId = extra.roomId ?? `room-${this.#nextId++}`;
    // As core/client says roles: the room's creator (here the session user) owns it.
    const me = this.session
      ? [{ userId: this.session.userId, username: this.session.username, role: 'owner' as const }]
      : [];
    for (const username of others) if (!this.#accounts.has(username)) this.addAccount(username, 'x');
    const room: RoomSummary = {
      roomId,
      name,
      epoch: extra.epoch ?? 0,
      status: extra.status ?? 'member',
      unread: extra.unread ?? 0,
      members: [
        ...me,
        ...others.map((username) => ({ userId: `user-${username}`, username, role: 'member' as const })),
      ],
    };
    this.rooms.set(roomId, room);
    this.histories.set(roomId, this.histories.get(roomId) ?? []);
    this.#emitRooms();
    return room;
  }

  /** Replaces a room's summary fields (e.g. `status: 'removed'`); emits `rooms`. */
  updateRoom(roomId: string, patch: Partial<RoomSummary>): RoomSummary {
    const room = { ...this.#room(roomId), ...patch };
    this.rooms.set(roomId, room);
    this.#emitRooms();
    return room;
  }

  /** A message as another member would have sent it (not stored or emitted), built by core's factory. */
  makeMessage(roomId: string, text: string, extra: MessagePatch = {}): StoredMessage {
    const n = this.#nextId++;
    const at = extra.sentAtMs ?? Date.UTC(2025, 0, 1) + n * 1000;
    const common = {
      roomId,
      messageId: n.toString(16).padStart(32, '0'),
      epoch: extra.epoch ?? this.rooms.get(roomId)?.epoch ?? 0,
      seq: n,
      storedAtMs: at,
    };
    const status = extra.status ?? 'received';
    if (status === 'held' || status === 'failed') {
      const reason = extra.reason ?? '';
      return status === 'held' ? heldMessage({ ...common, reason }) : failedMessage({ ...common, reason });
    }
    const senderUserId = extra.senderUserId ?? 'user-bob';
    const senderUsername = extra.senderUsername ?? 'bob';
    if (status === 'sent')
      return sentMessage({ ...common, senderUserId, senderUsername, sentAtMs: at, text });
    return readableMessage(
      roomId,
      {
        ...common,
        messageId: hexBytes(common.messageId),
        senderUserId,
        senderDeviceKey: new Uint8Array(32),
        sentAtMs: at,
        contentType: 1,
        text,
        replyTo: new Uint8Array(),
      },
      { storedAtMs: at, seq: n },
      { senderUsername, myUserId: '' },
    );
  }

  /** Stores `count` messages as the room's history (texts "Message 1" … "Message count"). */
  seedHistory(roomId: string, count: number, make?: (i: number) => MessagePatch): StoredMessage[] {
    const list = Array.from({ length: count }, (_, i) =>
      this.makeMessage(roomId, `Message ${i + 1}`, make?.(i + 1) ?? {}),
    );
    this.histories.set(roomId, list);
    return list;
  }

  /** A message arrives live: stored (or replaced by id) and emitted as `message`. */
  deliver(message: StoredMessage): void {
    const list = this.histories.get(message.roomId) ?? [];
    const at = list.findIndex((m) => m.messageId === message.messageId);
    if (at >= 0) list[at] = message;
    else list.push(message);
    this.histories.set(message.roomId, list);
    this.#emit('message', message);
  }

  /** An App Notification arrives. */
  notify(notification: RoomNotification): void {
    this.#emit('notification', notification);
  }

  // ---- RoomKeyClient ----

  async signUp(username: string, password: string): Promise<Session> {
    await this.#enter('signUp', [username, password]);
    if (this.#accounts.has(username)) {
      throw new ConflictError(`The username "${username}" is taken: choose another one.`);
    }
    return this.#startSession(this.addAccount(username, password));
  }

  async signIn(username: string, password: string): Promise<Session> {
    await this.#enter('signIn', [username, password]);
    const account = this.#accounts.get(username);
    if (!account || account.password !== password) throw new BadCredentialsError();
    return this.#startSession({ userId: account.userId, username });
  }

  async signOut(): Promise<void> {
    await this.#enter('signOut', []);
    this.endSession();
  }

  async lock(): Promise<void> {
    await this.#enter('lock', []);
    this.setKeys('locked');
  }

  async unlock(password: string): Promise<void> {
    await this.#enter('unlock', [password]);
    const account = this.session && this.#accounts.get(this.session.username);
    if (!account || account.password !== password) throw new BadCredentialsError();
    this.setKeys('ready');
  }

  async listRooms(): Promise<RoomSummary[]> {
    await this.#enter('listRooms', []);
    this.needReady();
    return [...this.rooms.values()];
  }

  /** Rooms hidden on this "device" (core/client hidden-rooms.ts keeps them in the store). */
  readonly hidden = new Set<string>();

  async hiddenRooms(): Promise<string[]> {
    await this.#enter('hiddenRooms', []);
    this.needReady();
    return [...this.hidden];
  }

  async setRoomHidden(roomId: string, hidden: boolean): Promise<string[]> {
    await this.#enter('setRoomHidden', [roomId, hidden]);
    this.needReady();
    if (hidden) this.hidden.add(roomId);
    else this.hidden.delete(roomId);
    this.#emit('hidden', { roomIds: [...this.hidden] });
    return [...this.hidden];
  }

  async createRoom(name: string): Promise<RoomSummary> {
    await this.#enter('createRoom', [name]);
    this.needReady();
    return this.addRoom(name);
  }

  async invite(roomId: string, username: string, options?: { shareHistory?: boolean }): Promise<RoomSummary> {
    await this.#enter('invite', [roomId, username, options]);
    this.needReady();
    const account = this.#accounts.get(username);
    if (!account) throw new NotFoundError(`There is no RoomKey user named "${username}".`);
    const room = this.#room(roomId);
    if (room.members.some((m) => m.userId === account.userId)) return room;
    // As in core/room: every membership change opens a new epoch.
    const updated = this.updateRoom(roomId, {
      epoch: room.epoch + 1,
      members: [...room.members, { userId: account.userId, username, role: 'member' as const }],
    });
    this.deliver(this.membershipRow(roomId, 'added', [{ userId: account.userId, username }]));
    return updated;
  }

  /** A membership row by this user, as core/client makes one for a stored commit (membership-rows.ts). */
  membershipRow(
    roomId: string,
    change: MembershipRow['change'],
    users: MembershipRow['users'],
  ): MembershipRow {
    const n = this.#nextId++;
    return {
      status: 'membership',
      own: true,
      roomId,
      messageId: `c${n.toString(16).padStart(31, '0')}`,
      epoch: this.rooms.get(roomId)?.epoch ?? 0,
      seq: n,
      storedAtMs: Date.UTC(2025, 0, 1) + n * 1000,
      change,
      byUserId: this.session?.userId ?? '',
      byUsername: this.session?.username ?? '',
      users,
    };
  }

  async removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    await this.#enter('removeMember', [roomId, userId]);
    this.needReady();
    const room = this.#room(roomId);
    return this.updateRoom(roomId, {
      epoch: room.epoch + 1,
      members: room.members.filter((m) => m.userId !== userId),
      // Leaving (removing yourself) leaves the room's list with it marked removed, as core/client does.
      ...(userId === this.session?.userId ? { status: 'removed' as const } : {}),
    });
  }

  async send(roomId: string, text: string): Promise<SentMessage> {
    this.needReady();
    const session = this.session!;
    // As InPageClient: no event for one's own message; send() resolves with it once stored.
    await this.#enter('send', [roomId, text]);
    this.#room(roomId);
    const message = this.makeMessage(roomId, text, {
      status: 'sent',
      senderUserId: session.userId,
      senderUsername: session.username,
      sentAtMs: Date.now(),
    }) as SentMessage;
    this.histories.get(roomId)?.push(message);
    this.announceOwn(message);
    return message;
  }

  async history(
    roomId: string,
    options?: { limit?: number; membership?: boolean; onProgress?: (progress: HistoryProgress) => void },
  ): Promise<StoredMessage[]> {
    await this.#enter('history', [roomId, options]);
    this.needReady();
    // Membership rows only when asked, as core/client gives them.
    const all = (this.histories.get(roomId) ?? []).filter(
      (m) => options?.membership || m.status !== 'membership',
    );
    const list = options?.limit ? all.slice(-options.limit) : all.slice();
    for (let loaded = 0; loaded < list.length; ) {
      loaded = Math.min(list.length, loaded + this.historyPageSize);
      options?.onProgress?.({ loaded, total: list.length });
      await this.#wait('history-page');
    }
    return list;
  }

  focusRoom(roomId: string | null): void {
    this.calls.push({ method: 'focusRoom', args: [roomId] });
    this.focused = roomId;
  }

  // ---- internals ----

  async #enter(method: Method, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    await this.#wait(method);
    const queue = this.#failures.get(method);
    if (queue?.length) throw queue.shift();
  }

  async #wait(name: GateName): Promise<void> {
    const gate = this.#gates.get(name);
    if (!gate) {
      await Promise.resolve();
      return;
    }
    gate.reached();
    await gate.promise;
  }

  /** Signed out: keys go first, so a listener hearing `session: null` never finds keys still ready. */
  protected endSession(): void {
    this.setKeys('signed-out');
    this.session = null;
    this.#emit('session', null);
  }

  /** This user's own message was stored (InPageClient says nothing: send() returns it). */
  protected announceOwn(_message: SentMessage): void {}

  /** Calls that need an account: refused with what the real client says. */
  protected needReady(): void {
    if (this.keys === 'signed-out') throw new LockedError('Sign in first.');
    if (this.keys !== 'ready') throw new LockedError();
  }

  #startSession(session: Session): Session {
    this.session = session;
    this.#emit('session', session);
    this.setKeys('ready');
    return session;
  }

  #room(roomId: string): RoomSummary {
    const room = this.rooms.get(roomId);
    if (!room) throw new NotFoundError(`No room ${roomId}.`);
    return room;
  }

  #emitRooms(): void {
    this.#emit('rooms', [...this.rooms.values()]);
  }

  #emit<K extends keyof RoomKeyClientEvents>(type: K, detail: RoomKeyClientEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * TEST DOUBLE of the page's client when the RoomKey extension is installed: the account is the
 * extension's. Passwords are refused as the real ExtensionClient refuses them (nothing is sent),
 * and so is signing out; `openSignIn` records the ask; the test plays the user in the extension's
 * windows (`userSignsIn`, `userUnlocks`, `userSignsOut`), which the page only hears about as
 * events. As with the real extension: a page hears its own sent messages as events (every tab
 * does), calls before any sign-in are NotFoundError, and a sign-out takes the site's approvals
 * (and so its rooms) with it.
 * @example const client = new FakeExtensionClient(); el.client = client; client.userSignsIn('alice');
 */
export class FakeExtensionClient extends FakeRoomKeyClient {
  /** How often the page asked for the extension's window. */
  opened = 0;
  /** The next `openSignIn` rejects with this, once. */
  openError: unknown;
  /** Whether the user lets this site use RoomKey (a sign-out forgets it; a sign-in gives it again). */
  approved = true;

  async openSignIn(): Promise<void> {
    this.calls.push({ method: 'openSignIn', args: [] });
    this.opened++;
    const error = this.openError;
    this.openError = undefined;
    if (error) throw error;
    this.#needApproved();
  }

  /** The extension's sealed room page for `roomId`. */
  async sealedRoomUrl(roomId: string): Promise<string> {
    this.calls.push({ method: 'sealedRoomUrl', args: [roomId] });
    this.#needApproved();
    return `chrome-extension://roomkey-fake/sealed-room.html?room=${encodeURIComponent(roomId)}`;
  }

  override async signUp(username: string, password: string): Promise<Session> {
    this.calls.push({ method: 'signUp', args: [username, password] });
    throw new ExtensionOnlyError();
  }
  override async signIn(username: string, password: string): Promise<Session> {
    this.calls.push({ method: 'signIn', args: [username, password] });
    throw new ExtensionOnlyError();
  }
  override async unlock(password: string): Promise<void> {
    this.calls.push({ method: 'unlock', args: [password] });
    throw new ExtensionOnlyError();
  }
  override async signOut(): Promise<void> {
    this.calls.push({ method: 'signOut', args: [] });
    throw new ExtensionOnlyError();
  }

  /** A page may lock (it only takes access away). */
  override async lock(): Promise<void> {
    this.#needApproved();
    await super.lock();
  }

  /** The user signed in in the extension's window (and lets this site use RoomKey). */
  userSignsIn(username: string): void {
    const session = this.addAccount(username, 'typed in the extension');
    this.approved = true;
    this.session = session;
    this.dispatchEvent(new CustomEvent('session', { detail: session }));
    this.setKeys('ready');
  }

  /** The user unlocked in the extension's window. */
  userUnlocks(): void {
    this.setKeys('ready');
  }

  /** The user signed out in the extension's popup: the site's approvals (and room grants) go too. */
  userSignsOut(): void {
    this.endSession();
    this.approved = false;
    this.rooms.clear();
  }

  protected override announceOwn(message: SentMessage): void {
    this.dispatchEvent(new CustomEvent('message', { detail: message }));
  }

  protected override needReady(): void {
    this.#needApproved();
    if (this.keys === 'signed-out') throw new NotFoundError('Not signed in to RoomKey: sign in first.');
    if (this.keys !== 'ready')
      throw new LockedError('RoomKey is locked: unlock it with your password first.');
  }

  #needApproved(): void {
    if (!this.approved) throw new NotApprovedError('RoomKey: this site is not approved: connect first.');
  }
}
