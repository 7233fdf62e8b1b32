/**
 * The versioned schema of the bridge between a web page (or an extension page) and the RoomKey
 * extension's background: every request with its params and result, the replies, the events, and
 * the one envelope a request travels in. A page posts a request envelope on `window`; the content
 * script checks it (validate.ts) and posts the same envelope on its port; the background checks it
 * again with the same validator. Extension pages post the same envelope on their own port.
 * Nothing here imports an extension API or the DOM: the page bundle, the content script, the
 * extension pages and the background all share it.
 * @example window.postMessage(requestEnvelope({ id: 'r1', method: 'listRooms', params: {} }), location.origin);
 */
import type { KeyState, RoomKeyClientEvents, Session } from '../client/client-api.ts';
import type { ContactView } from '../client/contacts.ts';
import type { MessageEventInput } from '../client/message-events-send.ts';
import type {
  ConnectionState,
  HistoryProgress,
  RoomSummary,
  SentMessage,
  StoredMessage,
  UnsentMessage,
} from '../client/types.ts';
import type { ErrorFields } from './error-table.ts';

/** The `channel` field of every bridge envelope. */
export const BRIDGE_CHANNEL = 'roomkey-bridge';
/** The schema version; a request with another version gets an `unsupported` error. */
export const BRIDGE_VERSION = 1;

/** Request ids: what a page may use, and what a reply may carry. */
export const BRIDGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Limits checked on every request; anything larger gets a `too-large` error. */
export const BRIDGE_LIMITS = {
  /** A whole request, as JSON characters. */
  requestChars: 256 * 1024,
  idChars: 64,
  usernameChars: 256,
  passwordChars: 1024,
  gatewayChars: 2048,
  /** Message text in UTF-16 units: at most ~180 KiB of UTF-8, under the 256 KiB envelope limit. */
  textChars: 60_000,
  roomNameBytes: 256,
  historyLimit: 100_000,
  /** User ids in one `contacts` request. */
  contactIds: 1000,
  /** A scanned safety-number QR's text or the typed digits (with spaces). */
  scannedChars: 256,
} as const;

/** How far a site may see into a room: `read` (the page gets plaintext) or `sealed` (only the extension's iframe does). */
export type RoomAccess = 'read' | 'sealed';

/** The client's state in one answer (to `connect`), so a page can render before any event. */
export interface ClientStateSnapshot {
  connection: ConnectionState;
  keys: KeyState;
  session: Session | null;
}

/** What `hello` answers: the extension is present and speaks these versions. */
export interface HelloResult {
  versions: number[];
}

/** Every request a page can make: its params and its result. */
export interface BridgeMethods {
  hello: { params: Record<string, never>; result: HelloResult };
  /** Asks the user (once) to let this site use RoomKey; then the frame receives client events. */
  connect: { params: Record<string, never>; result: ClientStateSnapshot };
  /** signUp, signIn, signOut and unlock are for the extension's own pages only: a site gets ExtensionOnlyError. */
  signUp: { params: { gateway: string; username: string; password: string }; result: Session };
  signIn: { params: { gateway: string; username: string; password: string }; result: Session };
  signOut: { params: Record<string, never>; result: null };
  /** Allowed to sites: it only takes access away. */
  lock: { params: Record<string, never>; result: null };
  unlock: { params: { password: string }; result: null };
  /**
   * Asks the extension to show its own sign-in / unlock window (one at a time; focused when open).
   * `gateway` is only a suggestion the window shows next to the site's origin; nothing secret comes back.
   */
  openSignIn: { params: { gateway: string | null }; result: null };
  listRooms: { params: Record<string, never>; result: RoomSummary[] };
  createRoom: { params: { name: string }; result: RoomSummary };
  invite: { params: { roomId: string; username: string; shareHistory: boolean }; result: RoomSummary };
  removeMember: { params: { roomId: string; userId: string }; result: RoomSummary };
  send: { params: { roomId: string; text: string }; result: SentMessage };
  /** A reply, edit, delete, reaction or its removal (core/client message-events-send.ts); access as `send`. */
  sendEvent: { params: { roomId: string; event: MessageEventInput }; result: SentMessage };
  history: {
    params: { roomId: string; limit: number | null; membership?: boolean };
    result: StoredMessage[];
  };
  focusRoom: { params: { roomId: string | null }; result: null };
  /** Asks for a room explicitly (the user is asked once); other room requests ask for `read` themselves. */
  requestRoom: { params: { roomId: string; access: RoomAccess }; result: { access: RoomAccess } };
  /** The extension page that shows the room inside an iframe (sealed mode); asks for `sealed` access. */
  sealedRoomUrl: { params: { roomId: string }; result: { url: string } };
  // The outbox the background keeps (core/client outbox-sender.ts); access as `send`.
  /** The room's messages not sent yet from this device, oldest first. */
  unsent: { params: { roomId: string }; result: UnsentMessage[] };
  /** Sends a kept message now, with its own message id (Retry); it stays kept when this fails too. */
  retrySend: { params: { roomId: string; messageId: string }; result: SentMessage };
  /** Drops a kept message unsent (Discard). */
  discardSend: { params: { roomId: string; messageId: string }; result: null };
  // Hidden rooms (core/client hidden-rooms.ts), a preference the background keeps: a site sees and
  // changes only those of the rooms it may reach.
  hiddenRooms: { params: Record<string, never>; result: string[] };
  setRoomHidden: { params: { roomId: string; hidden: boolean }; result: string[] };
  // ---- contacts (core/client/contacts.ts): a site reads, only the extension's own UI decides ----
  /**
   * The trust and safety number of each contact, for members of rooms the caller may read only
   * (NotApprovedError for anyone else, with no data).
   */
  contacts: { params: { userIds: string[] }; result: ContactView[] };
  /** Asks the extension to show its own verify window for that contact (same rule as `contacts`). */
  openVerifyContact: { params: { userId: string }; result: null };
  /** Management acts on trust: the extension's own pages only (CONTACT_TRUST_METHODS). */
  verifyContact: { params: { userId: string; scanned: string | null }; result: ContactView };
  unverifyContact: { params: { userId: string }; result: ContactView };
  acceptKeyChange: { params: { userId: string }; result: ContactView };
}

export type BridgeMethod = keyof BridgeMethods;
export type ParamsOf<M extends BridgeMethod> = BridgeMethods[M]['params'];
export type ResultOf<M extends BridgeMethod> = BridgeMethods[M]['result'];

/** One checked request: what the validator returns and the background handles. */
export type BridgeRequest = {
  [M in BridgeMethod]: { id: string; method: M; params: ParamsOf<M> };
}[BridgeMethod];

/** Requests that can be sent again after the background restarted without doing anything twice. */
export const IDEMPOTENT_METHODS: ReadonlySet<BridgeMethod> = new Set<BridgeMethod>([
  'hello',
  'connect',
  'listRooms',
  'history',
  'focusRoom',
  'requestRoom',
  'sealedRoomUrl',
  'lock',
  'unsent',
  'hiddenRooms',
  'setRoomHidden',
  'contacts',
]);

/**
 * Methods that carry a password: a page's window never gets to send them (the content script
 * refuses them before anything reaches the background), so a password typed into a page cannot
 * even travel this way. The extension's own pages send them over their own port.
 */
export const PASSWORD_METHODS: ReadonlySet<BridgeMethod> = new Set<BridgeMethod>([
  'signUp',
  'signIn',
  'unlock',
]);

/**
 * Methods that change how far the user trusts a contact's keys: only the extension's own UI does
 * them (the user confirms there), so a page's window never gets to send them (refused like the
 * password methods) and the background refuses them from any site's frame.
 */
export const CONTACT_TRUST_METHODS: ReadonlySet<BridgeMethod> = new Set<BridgeMethod>([
  'verifyContact',
  'unverifyContact',
  'acceptKeyChange',
]);

/** A client event as it crosses the bridge. */
export type BridgeEvent = {
  [K in keyof RoomKeyClientEvents]: { type: K; detail: RoomKeyClientEvents[K] };
}[keyof RoomKeyClientEvents];

/** The event types a reply may carry (RoomKeyClientEvents' keys). */
export const BRIDGE_EVENT_TYPES: ReadonlySet<string> = new Set<keyof RoomKeyClientEvents>([
  'connection',
  'keys',
  'session',
  'rooms',
  'message',
  'notification',
  'dns',
  'outbox',
  'hidden',
  'contacts',
]);

/** An error as it crosses the bridge: a core error code, its message, and the fields its class carries. */
export type WireError = { code: string; message: string } & ErrorFields;

/** What the extension sends back for a request, or on its own (events). */
export type BridgeReply =
  | { kind: 'result'; id: string; result: unknown }
  | { kind: 'error'; id: string; error: WireError }
  | { kind: 'progress'; id: string; progress: HistoryProgress }
  | { kind: 'event'; event: BridgeEvent };

/**
 * What a frame tells the background about itself over its port: whether it is visible, whether it
 * registered (`connect` succeeded, so it receives events), and the room it shows. The background
 * believes only what the frame's approvals allow.
 */
export interface FrameState {
  visible: boolean;
  connected: boolean;
  focusedRoom: string | null;
}

/**
 * A port's own messages besides request envelopes: the frame's state (first on every new port, and
 * on each change) and pings that keep an MV3 worker from idling out.
 */
export type PortControl = { type: 'frame'; state: FrameState } | { type: 'ping' };

/**
 * A request on its way to the background: the one envelope. The page posts it on `window`, the
 * content script posts its checked copy on the port, an extension page posts it on its port.
 */
export interface RequestEnvelope {
  channel: typeof BRIDGE_CHANNEL;
  version: typeof BRIDGE_VERSION;
  from: 'page';
  id: string;
  method: string;
  params: unknown;
}

/** content script → page, on `window`: a reply or event in the same envelope. */
export type ReplyEnvelope = {
  channel: typeof BRIDGE_CHANNEL;
  version: typeof BRIDGE_VERSION;
  from: 'extension';
} & BridgeReply;

/**
 * Wraps a request (once, where it is made).
 * @example port.postMessage(requestEnvelope({ id, method: 'hello', params: {} }));
 */
export function requestEnvelope(request: { id: string; method: string; params: unknown }): RequestEnvelope {
  return {
    channel: BRIDGE_CHANNEL,
    version: BRIDGE_VERSION,
    from: 'page',
    id: request.id,
    method: request.method,
    params: request.params,
  };
}

/**
 * Wraps a reply for `window.postMessage`.
 * @example window.postMessage(replyEnvelope({ kind: 'result', id, result }), location.origin);
 */
export function replyEnvelope(reply: BridgeReply): ReplyEnvelope {
  return { channel: BRIDGE_CHANNEL, version: BRIDGE_VERSION, from: 'extension', ...reply };
}
