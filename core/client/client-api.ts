/**
 * The one API every RoomKey element and host page talks to, whatever runs behind it: core in the
 * page (`InPageClient`), the extension's background over the bridge (`BridgeClient`, and the page's
 * `ExtensionClient`), or a test fake. Its data shapes are core/client's own (types.ts), so a client
 * forwards what a RoomKeySession hands it unchanged.
 * @example const rooms = await client.listRooms(); client.addEventListener('message', show);
 */
import type { ContactView } from './contacts.ts';
import type { MessageEventInput } from './message-events-send.ts';
import type { DeviceView, PairingApprovalFlow, PairingOfferFlow } from './pairing-views.ts';
import type { PasskeyStatus } from './passkey.ts';
import type {
  ConnectionState,
  HistoryProgress,
  KeyState,
  RoomNotification,
  RoomSummary,
  SentMessage,
  StoredMessage,
  UnsentMessage,
} from './types.ts';

/** One KeyState for sessions and clients (types.ts): signed-out, locked, ready. */
export type { KeyState } from './types.ts';

/** Who is signed in. */
export interface Session {
  userId: string;
  username: string;
}

/**
 * How the server's name was looked up, in words (the extension's Private DNS check, core/dns
 * policy.ts): `private` true, false, or null when not checked. Only the extension's clients send it.
 */
export interface DnsView {
  private: boolean | null;
  /** "DNS: private", "DNS: not private — possible DNS tampering", … */
  text: string;
}

/**
 * Web Push on this device, as an element shows it: `on` (a closed page is woken by a content-free
 * push), `off` (it could be, with the user's consent), `unavailable` (not here: the message says why).
 */
export interface PushStatus {
  state: 'on' | 'off' | 'unavailable';
  /** What to tell the person, in words. */
  message: string;
}

/** Events a client dispatches (as CustomEvent with `detail`). */
export interface RoomKeyClientEvents {
  connection: ConnectionState;
  keys: KeyState;
  session: Session | null;
  rooms: readonly RoomSummary[];
  message: StoredMessage;
  notification: RoomNotification;
  /** The extension checked the server's name before connecting (DnsView). */
  dns: DnsView;
  /** These contacts' verification state changed (a key change seen, verified, accepted): ask again. */
  contacts: { userIds: string[] };
  /** The room's messages waiting in this device's outbox changed: the whole list (clients with `unsent`). */
  outbox: { roomId: string; unsent: readonly UnsentMessage[] };
  /** The rooms hidden on this device changed (hidden-rooms.ts): all of them (as far as this page may see). */
  hidden: { roomIds: readonly string[] };
}

export interface RoomKeyClient extends EventTarget {
  readonly connection: ConnectionState;
  readonly keys: KeyState;
  readonly session: Session | null;

  /** New account (username + password only). The password never leaves this device in any usable form. */
  signUp(username: string, password: string): Promise<Session>;
  signIn(username: string, password: string): Promise<Session>;
  signOut(): Promise<void>;
  /** Drops keys from memory; they stay encrypted at rest. */
  lock(): Promise<void>;
  unlock(password: string): Promise<void>;

  listRooms(): Promise<RoomSummary[]>;
  createRoom(name: string): Promise<RoomSummary>;
  invite(roomId: string, username: string, options?: { shareHistory?: boolean }): Promise<RoomSummary>;
  removeMember(roomId: string, userId: string): Promise<RoomSummary>;
  send(roomId: string, text: string): Promise<SentMessage>;
  /**
   * The outbox (core/client outbox-sender.ts), where the client keeps one: a `send` that failed
   * with code `unavailable` stays on this device, encrypted, as "not sent yet", and goes out with
   * the same message id once online (received once). `unsent` lists a room's, `retrySend` tries one
   * now, `discardSend` drops it; the `outbox` event gives a room's list after every change.
   */
  unsent?(roomId: string): Promise<UnsentMessage[]>;
  retrySend?(roomId: string, messageId: string): Promise<SentMessage>;
  discardSend?(roomId: string, messageId: string): Promise<void>;
  /**
   * Hidden rooms (hidden-rooms.ts): a local preference in this device's encrypted store, never
   * sent to the gateway. A hidden room still receives and counts messages; lists show it apart.
   * Both resolve with the hidden room ids; the `hidden` event follows every change.
   */
  hiddenRooms?(): Promise<string[]>;
  setRoomHidden?(roomId: string, hidden: boolean): Promise<string[]>;
  /**
   * A reply, an edit or delete of one's own message, a reaction or its removal: a signed, encrypted
   * room message every client applies to its history (message-events.ts). Resolves once stored.
   */
  sendEvent?(roomId: string, event: MessageEventInput): Promise<SentMessage>;
  /**
   * Decrypted history, oldest first; `onProgress` is called as pages are fetched and decrypted.
   * `membership: true` also gives the room's changes as rows in stream order (status
   * `membership`: who added, removed, left, renamed; core/client membership-rows.ts).
   */
  history(
    roomId: string,
    options?: { limit?: number; membership?: boolean; onProgress?: (progress: HistoryProgress) => void },
  ): Promise<StoredMessage[]>;
  /** Tells the client (and through it the gateway's presence) which room is on screen. */
  focusRoom(roomId: string | null): void;
  /**
   * Sealed mode (`<roomkey-room sealed>`): the URL of a page from the extension's origin that
   * shows the room inside an iframe, so the host page sees neither keys nor plaintext. Only
   * clients backed by the extension have it.
   */
  sealedRoomUrl?(roomId: string): Promise<string>;
  /**
   * With the extension: asks it to show its own sign-in / unlock window, where the password is
   * typed (never into the page). Only clients backed by the extension have it; elements then show
   * a button instead of password fields.
   */
  openSignIn?(): Promise<void>;
  /**
   * Web Push for this device (in-page clients with a service worker; the extension needs none: it
   * is the device's notifier). `enablePush` asks the browser's permission, so call it from the
   * user's own click only.
   */
  pushStatus?(): Promise<PushStatus>;
  enablePush?(): Promise<PushStatus>;
  disablePush?(): Promise<PushStatus>;
  /**
   * Contacts (core/client/contacts.ts): each one's trust (`verified`, `unverified`, `key-changed`)
   * and safety number, asked from the gateway again so a key change shows when a room opens.
   * `verifyContact` takes the text of the contact's scanned QR (or the typed number), or nothing
   * when the person confirmed that both screens show the same number.
   */
  contacts?(userIds: readonly string[]): Promise<ContactView[]>;
  verifyContact?(userId: string, scanned?: string): Promise<ContactView>;
  unverifyContact?(userId: string): Promise<ContactView>;
  acceptKeyChange?(userId: string): Promise<ContactView>;
  /**
   * With the extension: a page may not change trust itself (verify, accept a key change), so it
   * asks the extension to show its own verify window for the contact, where the user compares or
   * scans and confirms. The page hears the outcome as a `contacts` event. Clients that have
   * `verifyContact` do not need it.
   */
  openVerifyContact?(userId: string): Promise<void>;
  /**
   * Unlocking with a passkey (WebAuthn PRF, core/client/passkey.ts), where this client can show
   * the browser's passkey prompt itself (the in-page client, the extension's own pages).
   */
  passkeyStatus?(): Promise<PasskeyStatus>;
  addPasskey?(): Promise<PasskeyStatus>;
  removePasskey?(): Promise<PasskeyStatus>;
  unlockWithPasskey?(): Promise<void>;
  /**
   * This user's devices (core/client/pairing-*.ts): this one, the others with when each was last
   * seen, and revoking one for good (signed with the user key); renaming one (the name is sealed to
   * the user's key, so only the user's devices read it).
   */
  listDevices?(): Promise<DeviceView[]>;
  revokeDevice?(deviceKey: string): Promise<DeviceView[]>;
  renameDevice?(deviceKey: string, name: string): Promise<DeviceView[]>;
  /**
   * Adding a device by QR code. On the new device (signed out), `offerPairing` shows a one-shot
   * code; `password` will lock this device's keys. On a signed-in device, `approvePairing` reads
   * that code (scanned or pasted) and gives the confirmation code to compare before anything is sent.
   */
  offerPairing?(password: string): Promise<PairingOfferFlow>;
  approvePairing?(offerText: string): Promise<PairingApprovalFlow>;
}
