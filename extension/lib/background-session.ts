/**
 * The boundary between the extension's background and the client SDK (core/client's session).
 * The background owns the encrypted store (created, unlocked, locked and wiped here), the
 * approvals, the tab registry and the notification routing; the SDK owns the account inside the
 * store, the one NATS connection and the rooms. The SDK plugs in through `SessionFactory`, wired
 * in exactly one place: lib/sdk-wiring.ts.
 * @example const session = await factory.resume({ store, gateway }); session?.on('message', show);
 */
import type {
  ConnectionState,
  ContactView,
  DeviceDetails,
  HistoryProgress,
  MessageEventInput,
  PairingApproval,
  RoomSummary,
  SentMessage,
  Session,
  StoredMessage,
  UnsentMessage,
} from '../../core/client/index.ts';
import type { EncryptedStore } from '../../core/store/index.ts';

/** The user's presence from all tabs, for the gateway's beacons (DESIGN.md "Presence"). */
export interface Presence {
  state: 'active' | 'idle' | 'hidden';
  focusedRoom: string | null;
}

/**
 * A new message this device should notify about (the gateway's App Notification, decrypted by
 * the SDK). The background decides where it is shown (lib/notification-router.ts).
 */
export interface IncomingNotification {
  roomId: string;
  roomName: string;
  messageId: string;
  senderUsername: string;
  text: string;
  own: boolean;
}

/** One of the user's devices, as the directory lists it (its certificate verified by the SDK). */
export interface DeviceInfo {
  /** The device's public key (32 bytes). */
  deviceKey: Uint8Array;
  name: string;
  /** When its certificate was issued, if the SDK says (RoomKeySession.devices() does not, yet). */
  issuedAtMs?: number;
  /** When it was revoked; 0 while it is not. */
  revokedAtMs: number;
  /** Whether it is the device this session runs on. */
  current: boolean;
}

/** Events a session emits. `message` is every new message of every room (own ones too, once each). */
export interface SessionEvents {
  connection: ConnectionState;
  rooms: readonly RoomSummary[];
  message: StoredMessage;
  notification: IncomingNotification;
  /** A room's shared read marker advanced (here or on another device): close what it covers. */
  read: { roomId: string; seq: number };
  /** The room's messages waiting in the background's outbox changed (the whole list). */
  outbox: { roomId: string; unsent: readonly UnsentMessage[] };
  /** The rooms hidden on this device changed (all of them; the hub filters per site). */
  hidden: { roomIds: readonly string[] };
  /** These contacts' trust changed (a key change seen, verified, accepted): frames that see them ask again. */
  contacts: { userIds: string[] };
}

/**
 * A signed-in, unlocked session: what the SDK's session class must offer the background.
 * Errors are core/errors.ts classes (they cross the bridge by `code`).
 */
export interface BackgroundSession {
  readonly session: Session;
  readonly connection: ConnectionState;
  listRooms(): Promise<RoomSummary[]>;
  createRoom(name: string): Promise<RoomSummary>;
  invite(roomId: string, username: string, options: { shareHistory: boolean }): Promise<RoomSummary>;
  removeMember(roomId: string, userId: string): Promise<RoomSummary>;
  /**
   * Sends through the outbox (core/client outbox-sender.ts) where the session keeps one: a send
   * that fails for want of a connection stays, encrypted in the SDK's store, as "not sent yet" and
   * goes out with the same message id once online, also after the worker or browser restarted.
   */
  send(roomId: string, text: string): Promise<SentMessage>;
  /** The outbox: a room's waiting messages, Retry (the same message id), Discard. */
  unsent?(roomId: string): Promise<UnsentMessage[]>;
  retrySend?(roomId: string, messageId: string): Promise<SentMessage>;
  discardSend?(roomId: string, messageId: string): Promise<void>;
  /** Hidden rooms (core/client hidden-rooms.ts, in the SDK's store): all of them, and a change. */
  hiddenRooms?(): Promise<string[]>;
  setRoomHidden?(roomId: string, hidden: boolean): Promise<string[]>;
  /** A reply, edit, delete or reaction (core/client message-events-send.ts); the other tabs hear of it too. */
  sendEvent?(roomId: string, event: MessageEventInput): Promise<SentMessage>;
  history(
    roomId: string,
    options: { limit?: number; membership?: boolean; onProgress?: (progress: HistoryProgress) => void },
  ): Promise<StoredMessage[]>;
  /** This user's devices (network: the directory). */
  devices(): Promise<DeviceInfo[]>;
  /** Revokes one of this user's devices for good (signed with the user key). */
  revokeDevice(deviceKey: Uint8Array): Promise<void>;
  /** When each device was last seen (ms, 0 = not lately), by device key hex (lib/pairing-admin.ts). */
  devicesLastSeen?(): Promise<Map<string, number>>;
  /** Names (opened here: sealed on the gateway) and last-seen days, by device key hex (core/client device-names.ts). */
  deviceDetails?(): Promise<Map<string, DeviceDetails>>;
  /** Names one of this user's devices (sealed to the user's key). */
  renameDevice?(deviceKey: Uint8Array, name: string): Promise<void>;
  /** Reads a new device's pairing code and says hello; nothing is sent before `confirm`. */
  approvePairing?(offerText: string): Promise<PairingApproval>;
  /**
   * Contacts' trust and safety numbers (core/client/contacts.ts). Verifying, taking it back and
   * accepting a key change are the extension's own UI's to do (lib/contact-trust.ts).
   */
  contacts?(userIds: readonly string[]): Promise<ContactView[]>;
  verifyContact?(userId: string, scanned?: string): Promise<ContactView>;
  unverifyContact?(userId: string): Promise<ContactView>;
  acceptKeyChange?(userId: string): Promise<ContactView>;
  /** Called whenever the tabs change what is visible; the SDK sends presence beacons from it. */
  setPresence(presence: Presence): void;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof SessionEvents>(type: K, listener: (detail: SessionEvents[K]) => void): () => void;
  /** Closes the connection and drops every key it holds in memory (lock, sign-out). The store stays. */
  close(): Promise<void>;
}

/** What a sign-up or sign-in gets: a fresh, empty, unlocked store, created with `password`. */
export interface CredentialsInput {
  store: EncryptedStore;
  /** The deployment, absolute and ending in `/` (its `roomkey-config.json` is there). */
  gateway: string;
  username: string;
  password: string;
}

/**
 * How the background gets sessions. The SDK keeps its own records in `store` under names that do
 * not start with `extension/` (the background's own prefix).
 */
export interface SessionFactory {
  /** Whether this build has a real SDK (the popup says so when it has not). */
  readonly available: boolean;
  signUp(input: CredentialsInput): Promise<BackgroundSession>;
  signIn(input: CredentialsInput): Promise<BackgroundSession>;
  /**
   * The account already in the unlocked store (after unlock, or when a stopped background worker
   * starts again), without the password; undefined when the store holds no account.
   * Must not lose or repeat messages across a restart: it resumes from what the store remembers.
   */
  resume(input: { store: EncryptedStore; gateway: string }): Promise<BackgroundSession | undefined>;
  /** Best effort on sign-out, before the store is wiped (e.g. revoke this device at the gateway). */
  signOut(session: BackgroundSession): Promise<void>;
  /**
   * This device joins an account by pairing (lib/pairing-new.ts): shows `progress` the offer, then
   * the code; resolves with the session once the identity arrived. `password` locks the store.
   */
  pair?(input: PairInput): Promise<BackgroundSession>;
}

/** What pairing as a new device needs: the fresh store, the server, and where to say how it goes. */
export interface PairInput {
  store: EncryptedStore;
  gateway: string;
  password: string;
  progress: PairingProgress;
}

/** Pairing as a new device, as the popup shows it (lib/pairing-new.ts keeps the latest). */
export interface PairingProgress {
  offer(view: { qrText: string; expiresAtMs: number }, cancel: () => Promise<void>): void;
  hello(view: { code: string; username: string }): void;
}
