/**
 * A stand-in for the client SDK in the extension's UNIT tests only (the e2e tests and every build
 * use the real SDK, extension/lib/sdk-wiring.ts): one user, rooms and messages kept in the
 * encrypted store, no network. Tests deliver "incoming" messages through `probe.deliver(...)`.
 * Behind the Hub and a BridgeClient it must keep the RoomKeyClient contract as the real extension
 * does (test/unit/extension/client-contract.test.ts).
 * @example await probe.deliver({ roomId, text: 'hi', senderUsername: 'bob' });
 */
import type {
  ContactView,
  MembershipRow,
  MessageEventInput,
  ReceivedMessage,
  RoomSummary,
  SentMessage,
  StoredMessage,
} from '../../../components/client/types.ts';
import { fromBase64Url, fromUtf8, toBase64Url, toHex, utf8 } from '../../../core/bytes.ts';
import { receivedMessage, sentMessage } from '../../../core/client/chat-message.ts';
import { sha256 } from '../../../core/crypto/hash.ts';
import { ConflictError, NotFoundError } from '../../../core/errors.ts';
import type { EncryptedStore } from '../../../core/store/index.ts';
import type {
  BackgroundSession,
  CredentialsInput,
  DeviceInfo,
  Presence,
  SessionEvents,
  SessionFactory,
} from '../../../extension/lib/background-session.ts';

interface Saved {
  userId: string;
  username: string;
  rooms: RoomSummary[];
  /** Devices other than this one (added by tests through `probe.addDevice`). */
  devices?: { deviceKey: string; name: string; issuedAtMs: number; revokedAtMs: number }[];
}

/** The other users the loopback's directory knows (the real SDK asks the gateway's). */
export const LOOPBACK_USERS: ReadonlySet<string> = new Set(['bob', 'bob-peer', 'carol', 'dave', 'mallory']);

/** This device's key in the loopback: fixed, so tests can tell it apart. */
export const LOOPBACK_DEVICE_KEY = new Uint8Array(32).fill(1);

const ACCOUNT = 'loopback/account';
const messagesKey = (roomId: string): string => `loopback/messages/${roomId}`;
const hex = (n: number): string => toHex(crypto.getRandomValues(new Uint8Array(n)));

async function read<T>(store: EncryptedStore, name: string): Promise<T | undefined> {
  const bytes = await store.get(name);
  return bytes ? (JSON.parse(fromUtf8(bytes)) as T) : undefined;
}
const write = (store: EncryptedStore, name: string, value: unknown): Promise<void> =>
  store.set(name, utf8(JSON.stringify(value)));

/** What a test can see and do in the background of an e2e build. */
export interface LoopbackProbe {
  /** The last presence the background reported. */
  presence: Presence | undefined;
  /** Delivers a message from another user to the current session; resolves with it. */
  deliver(input: { roomId: string; text: string; senderUsername?: string }): Promise<StoredMessage>;
  /** Adds another device of the current user; resolves with its key. */
  addDevice(name: string): Promise<Uint8Array>;
  /** The directory serves `userId` under new keys: the contact's trust becomes key-changed. */
  keyChange(userId: string): Promise<void>;
}

const noSession = async (): Promise<never> => {
  throw new NotFoundError('loopback: no session is running');
};

/** Stream sequences of the loopback's messages (one stream for all rooms is enough here). */
let loopbackSeq = 0;

export const probe: LoopbackProbe = {
  presence: undefined,
  deliver: noSession,
  addDevice: noSession,
  keyChange: noSession,
};

class LoopbackSession implements BackgroundSession {
  readonly session: { userId: string; username: string };
  readonly connection = 'online' as const;
  readonly #store: EncryptedStore;
  readonly #saved: Saved;
  readonly #listeners = new Map<string, Set<(detail: unknown) => void>>();
  /** Contacts' trust (the real SDK keeps it in the encrypted store: core/client/contacts.ts). */
  readonly #trust = new Map<string, ContactView['trust']>();

  constructor(store: EncryptedStore, saved: Saved) {
    this.#store = store;
    this.#saved = saved;
    this.session = { userId: saved.userId, username: saved.username };
    probe.deliver = (input) => this.#deliver(input);
    probe.keyChange = async (userId) => {
      this.#trust.set(userId, 'key-changed');
      this.#emit('contacts', { userIds: [userId] });
    };
    probe.addDevice = async (name) => {
      const deviceKey = crypto.getRandomValues(new Uint8Array(32));
      this.#saved.devices = [
        ...(this.#saved.devices ?? []),
        { deviceKey: toBase64Url(deviceKey), name, issuedAtMs: Date.now(), revokedAtMs: 0 },
      ];
      await this.#save();
      return deviceKey;
    };
  }

  async listRooms(): Promise<RoomSummary[]> {
    return structuredClone(this.#saved.rooms);
  }

  async createRoom(name: string): Promise<RoomSummary> {
    const room: RoomSummary = {
      roomId: hex(16),
      name,
      epoch: 0,
      members: [{ userId: this.session.userId, username: this.session.username }],
      status: 'member',
      unread: 0,
    };
    this.#saved.rooms.push(room);
    await this.#save();
    this.#emit('rooms', structuredClone(this.#saved.rooms));
    return structuredClone(room);
  }

  async invite(roomId: string, username: string): Promise<RoomSummary> {
    const room = this.#room(roomId);
    // As the real SDK: the directory must know the user, and every membership change opens an epoch.
    if (!LOOPBACK_USERS.has(username))
      throw new NotFoundError(`There is no RoomKey user named "${username}".`);
    const added = { userId: `u${toHex(sha256(utf8(username))).slice(0, 15)}`, username };
    room.members = [...room.members, added];
    room.epoch += 1;
    await this.#save();
    // As core/client: the stored commit is a row of the history, and announced live.
    const now = Date.now();
    const row: MembershipRow = {
      status: 'membership',
      own: true,
      roomId,
      messageId: hex(16),
      epoch: room.epoch,
      seq: ++loopbackSeq,
      storedAtMs: now,
      change: 'added',
      byUserId: this.session.userId,
      byUsername: this.session.username,
      users: [added],
    };
    await this.#append(row);
    this.#emit('message', row);
    this.#emit('rooms', structuredClone(this.#saved.rooms));
    return structuredClone(room);
  }

  async removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    const room = this.#room(roomId);
    room.members = room.members.filter((m) => m.userId !== userId);
    room.epoch += 1;
    await this.#save();
    this.#emit('rooms', structuredClone(this.#saved.rooms));
    return structuredClone(room);
  }

  async send(roomId: string, text: string): Promise<SentMessage> {
    const room = this.#room(roomId);
    const message = this.#message(room, text, this.session.username, true) as SentMessage;
    await this.#append(message);
    this.#emit('message', message);
    return message;
  }

  /** Hidden rooms in memory (core/client hidden-rooms.ts keeps them in the store: its own tests). */
  readonly #hidden = new Set<string>();

  async hiddenRooms(): Promise<string[]> {
    return [...this.#hidden];
  }

  async setRoomHidden(roomId: string, hidden: boolean): Promise<string[]> {
    if (hidden) this.#hidden.add(roomId);
    else this.#hidden.delete(roomId);
    this.#emit('hidden', { roomIds: [...this.#hidden] });
    return [...this.#hidden];
  }

  /** As send, with the event's fields on the stored message (no crypto here: core/client's test it). */
  async sendEvent(roomId: string, event: MessageEventInput): Promise<SentMessage> {
    const room = this.#room(roomId);
    const text = event.action === 'reply' || event.action === 'edit' ? event.text : '';
    const { action: _, ...fields } = event;
    const base = this.#message(room, text, this.session.username, true) as SentMessage;
    const message: SentMessage =
      event.action === 'reply'
        ? { ...base, replyTo: event.replyTo }
        : { ...base, action: event.action, ...fields };
    await this.#append(message);
    this.#emit('message', message);
    return message;
  }

  async history(
    roomId: string,
    options: {
      limit?: number;
      membership?: boolean;
      onProgress?: (progress: { loaded: number; total?: number }) => void;
    },
  ): Promise<StoredMessage[]> {
    this.#room(roomId);
    // Membership rows only when asked, as core/client gives them.
    const all = ((await read<StoredMessage[]>(this.#store, messagesKey(roomId))) ?? []).filter(
      (m) => options.membership || m.status !== 'membership',
    );
    const list = options.limit ? all.slice(-options.limit) : all;
    options.onProgress?.({ loaded: list.length, total: list.length });
    return list;
  }

  async contacts(userIds: readonly string[]): Promise<ContactView[]> {
    return userIds.map((userId) => this.#contact(userId));
  }

  async verifyContact(userId: string): Promise<ContactView> {
    return this.#setTrust(userId, 'verified');
  }

  async unverifyContact(userId: string): Promise<ContactView> {
    return this.#setTrust(userId, 'unverified');
  }

  async acceptKeyChange(userId: string): Promise<ContactView> {
    return this.#setTrust(userId, 'unverified');
  }

  #setTrust(userId: string, trust: ContactView['trust']): ContactView {
    this.#trust.set(userId, trust);
    this.#emit('contacts', { userIds: [userId] });
    return this.#contact(userId);
  }

  /** A contact as the loopback knows it: a member of one of this user's rooms. */
  #contact(userId: string): ContactView {
    const member = this.#saved.rooms.flatMap((r) => r.members).find((m) => m.userId === userId);
    if (!member) throw new NotFoundError(`No identity for user ${userId}.`);
    const digits = toHex(sha256(utf8(`${this.session.userId}:${userId}`)))
      .replace(/[a-f]/g, '7')
      .repeat(2)
      .slice(0, 60);
    return {
      userId,
      username: member.username,
      trust: this.#trust.get(userId) ?? 'unverified',
      safetyNumber: {
        digits,
        groups: digits.match(/\d{5}/g) as string[],
        qrText: `roomkey-safety:v1:${digits}`,
      },
    };
  }

  async devices(): Promise<DeviceInfo[]> {
    return [
      { deviceKey: LOOPBACK_DEVICE_KEY, name: 'This browser', revokedAtMs: 0, current: true },
      ...(this.#saved.devices ?? []).map((d) => ({
        ...d,
        deviceKey: fromBase64Url(d.deviceKey),
        current: false,
      })),
    ];
  }

  async revokeDevice(deviceKey: Uint8Array): Promise<void> {
    const key = toBase64Url(deviceKey);
    const device = this.#saved.devices?.find((d) => d.deviceKey === key);
    if (!device) throw new NotFoundError('loopback: no such device');
    device.revokedAtMs ||= Date.now();
    await this.#save();
  }

  setPresence(presence: Presence): void {
    probe.presence = presence;
  }

  on<K extends keyof SessionEvents>(type: K, listener: (detail: SessionEvents[K]) => void): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    set.add(listener as (detail: unknown) => void);
    this.#listeners.set(type, set);
    return () => set.delete(listener as (detail: unknown) => void);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    probe.deliver = noSession;
    probe.addDevice = noSession;
    probe.keyChange = noSession;
  }

  async #deliver(input: { roomId: string; text: string; senderUsername?: string }): Promise<StoredMessage> {
    const room = this.#room(input.roomId);
    const message = this.#message(room, input.text, input.senderUsername ?? 'bob', false);
    await this.#append(message);
    this.#emit('message', message);
    this.#emit('notification', {
      roomId: room.roomId,
      roomName: room.name,
      messageId: message.messageId,
      senderUsername: message.senderUsername,
      text: message.text,
      own: false,
    });
    return message;
  }

  #message(room: RoomSummary, text: string, sender: string, own: boolean): SentMessage | ReceivedMessage {
    const now = Date.now();
    const common = {
      roomId: room.roomId,
      messageId: hex(16),
      senderUserId: own ? this.session.userId : `u${toHex(sha256(utf8(sender))).slice(0, 15)}`,
      senderUsername: sender,
      sentAtMs: now,
      seq: ++loopbackSeq,
      storedAtMs: now,
      text,
      epoch: room.epoch,
    };
    return own ? sentMessage(common) : receivedMessage(common);
  }

  async #append(message: StoredMessage): Promise<void> {
    const key = messagesKey(message.roomId);
    const list = (await read<StoredMessage[]>(this.#store, key)) ?? [];
    list.push(message);
    await write(this.#store, key, list);
  }

  #room(roomId: string): RoomSummary {
    const room = this.#saved.rooms.find((r) => r.roomId === roomId);
    if (!room) throw new NotFoundError(`loopback: no room ${roomId}`);
    return room;
  }

  #save(): Promise<void> {
    return write(this.#store, ACCOUNT, this.#saved);
  }

  #emit(type: keyof SessionEvents, detail: unknown): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(detail);
  }
}

async function enter(input: CredentialsInput, mustBeNew: boolean): Promise<BackgroundSession> {
  if (mustBeNew && (await input.store.has(ACCOUNT))) throw new ConflictError('loopback: account exists');
  const username = input.username.trim().toLowerCase();
  const saved: Saved = { userId: `u${toHex(sha256(utf8(username))).slice(0, 15)}`, username, rooms: [] };
  await write(input.store, ACCOUNT, saved);
  return new LoopbackSession(input.store, saved);
}

/**
 * The loopback SessionFactory.
 * @example const sessions = createLoopbackFactory();
 */
export function createLoopbackFactory(): SessionFactory {
  return {
    available: true,
    signUp: (input) => enter(input, true),
    signIn: (input) => enter(input, false),
    resume: async ({ store }) => {
      const saved = await read<Saved>(store, ACCOUNT);
      return saved ? new LoopbackSession(store, saved) : undefined;
    },
    signOut: async () => undefined,
  };
}
