/**
 * The shapes a RoomKeySession hands its host: they match what client-api.ts's
 * RoomKeyClient needs (connection state, rooms with decrypted names, messages, notifications), so
 * an in-page client can forward them unchanged.
 * @example session.on('message', (message) => render(message));
 */

/** How the session is connected to NATS. */
export type ConnectionState = 'connecting' | 'online' | 'offline' | 'reconnecting';

export interface MemberSummary {
  userId: string;
  username: string;
  /**
   * The member's role as the gateway enforces it (grants at org, project and room, made with the
   * admin API too), from the room's last chain read; before that, the default policy's (the room's
   * creator owns it, everyone else is a member).
   */
  role?: MemberRole;
}

/** owner and admin manage the room (invite, remove, rename); a member reads, writes and may leave. */
export type MemberRole = 'owner' | 'admin' | 'member';

export interface RoomSummary {
  roomId: string;
  /** Decrypted room name ('' until known). */
  name: string;
  epoch: number;
  members: readonly MemberSummary[];
  /** member: can read and send; removed: was removed; outside: not a member. */
  status: 'member' | 'removed' | 'outside';
  /** Messages from others received live while the room was not focused. */
  unread: number;
  /** What this user's role allows here, as the gateway says (absent until it said). */
  may?: RoomPermissions;
}

/** Room management the gateway allows this user (each under the room's effective rules). */
export interface RoomPermissions {
  invite: boolean;
  remove: boolean;
  rename: boolean;
}

export type MessageStatus = ChatMessage['status'];

/** What the server says of a stored message: its stream sequence and when JetStream stored it. */
interface Stored {
  seq: number;
  storedAtMs: number;
}

/** An action a message takes on an earlier one (core/crypto padding.ts); a post has none. */
export type MessageEventAction = 'edit' | 'delete' | 'react' | 'unreact';

/**
 * What a readable message does besides being read, each field only when it applies: a reply names
 * the message it answers; an edit, delete, react or unreact names its target (message-events.ts
 * applies them). A message without `action` is an ordinary one.
 */
export interface MessageEventFields {
  /** Hex id of the message this one replies to. */
  replyTo?: string;
  action?: MessageEventAction;
  /** Hex id of the message acted on. */
  target?: string;
  /** The emoji of a react or unreact. */
  reaction?: string;
}

/** A readable message: who wrote what, verified here. */
interface Readable extends Stored, MessageEventFields {
  roomId: string;
  /** Hex of the 16-byte message id. */
  messageId: string;
  senderUserId: string;
  senderUsername: string;
  /** For display: the sender's own time, or the stored time when the two are far apart. */
  sentAtMs: number;
  text: string;
  epoch: number;
}

/** This user's message, stored by JetStream (sent from here, or read back from the stream). */
export interface SentMessage extends Readable {
  status: 'sent';
  own: true;
}

/** Another user's message, verified and decrypted on this device. */
export interface ReceivedMessage extends Readable {
  status: 'received';
  own: false;
  /**
   * Read already, on this or another of the user's devices (at or below the room's shared read
   * marker): delivered as data, never notified, never counted unread.
   */
  read?: true;
}

/** A message of an epoch whose key this device has not received yet: nothing of it can be read. */
export interface HeldMessage extends Stored {
  status: 'held';
  own: false;
  roomId: string;
  messageId: string;
  epoch: number;
  /** Why it cannot be shown yet, for a person to read. */
  reason: string;
}

/** A message being sent from here: on screen at once, before the client returns it as `sent`. */
export interface SendingMessage {
  status: 'sending';
  own: true;
  roomId: string;
  /** A local id for the row (the message id is made when the client encrypts it). */
  draftId: string;
  senderUserId: string;
  senderUsername: string;
  sentAtMs: number;
  text: string;
  epoch: number;
}

/** A stored message this device can never read (history not shared with it, or after its removal). */
export interface FailedMessage extends Stored {
  status: 'failed';
  own: false;
  roomId: string;
  messageId: string;
  epoch: number;
  /** What happened, for a person to read. */
  reason: string;
}

/**
 * This user's message kept in the device's outbox (core/client outbox.ts): written, not stored by
 * JetStream yet (offline, or an attempt failed). It keeps its message id, so the `sent` message it
 * becomes replaces its row; hosts offer Retry and Discard.
 */
export interface UnsentMessage {
  status: 'unsent';
  own: true;
  roomId: string;
  /** Hex; every attempt to send it uses this id. */
  messageId: string;
  senderUserId: string;
  senderUsername: string;
  /** When it was written. */
  sentAtMs: number;
  text: string;
  /** Why it is not sent yet, for a person to read. */
  reason: string;
}

/** What a membership row says happened (a remove of oneself is `left`). */
export type MembershipChange = 'added' | 'removed' | 'left' | 'renamed';

/**
 * A change of the room, from a signed commit this device verified (core/room Room.changes): who
 * added or removed whom, who left, who renamed the room. A row of the history in stream order
 * among the messages; never a message (no text, no actions, never unread).
 */
export interface MembershipRow extends Stored {
  status: 'membership';
  /** This user made the change. */
  own: boolean;
  roomId: string;
  /** Hex like a message id, derived from the room and epoch (membership-rows.ts). */
  messageId: string;
  /** The epoch the change opened. */
  epoch: number;
  change: MembershipChange;
  byUserId: string;
  /** From the verified directory ('' when unknown). */
  byUsername: string;
  /** Who was added or removed (none for `left` and `renamed`). */
  users: Array<{ userId: string; username: string }>;
  /** The new name, for `renamed`. */
  name?: string;
}

/** One row of a room, by status: each variant has exactly the fields that are true for it. */
export type ChatMessage =
  | SentMessage
  | ReceivedMessage
  | HeldMessage
  | SendingMessage
  | FailedMessage
  | UnsentMessage
  | MembershipRow;

/**
 * What a session or client hands out (`message` events, `send`, `history`): every variant but the
 * views' own `sending` rows, each stored by JetStream, so each has a message id, sequence and stored time.
 */
export type StoredMessage = SentMessage | ReceivedMessage | HeldMessage | FailedMessage | MembershipRow;

export interface HistoryProgress {
  loaded: number;
  total?: number;
}

/** An App Notification for this device, with a preview decrypted here (never by the server). */
export interface RoomNotification {
  roomId: string;
  roomName: string;
  messageId: string;
  senderUsername: string;
  preview?: string;
}

/** signed-out: no account on this device; locked: keys at rest, passphrase needed; ready: usable. */
export type KeyState = 'signed-out' | 'locked' | 'ready';

/** Presence as the host reports it (e.g. from document.visibilityState and focus). */
export type PresenceState = 'active' | 'idle' | 'hidden';

/** Events a RoomKeySession emits (`session.on(type, listener)`), named and shaped as RoomKeyClient's. */
export interface SessionEvents {
  connection: ConnectionState;
  keys: KeyState;
  rooms: readonly RoomSummary[];
  message: StoredMessage;
  notification: RoomNotification;
  /** The device was revoked: the session is closed for good. */
  revoked: { reason: string };
  /**
   * The room's shared read marker advanced (read here or on another of the user's devices): what
   * is at or below `seq` is read; hosts close the notifications they showed for it.
   */
  read: { roomId: string; seq: number };
  /** These contacts' verification state changed (a key change seen, verified, accepted): ask again. */
  contacts: { userIds: string[] };
}
