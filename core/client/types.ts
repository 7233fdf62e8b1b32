/**
 * The shapes a RoomKeySession hands its host: they match what components/client/types.ts's
 * RoomKeyClient needs (connection state, rooms with decrypted names, messages, notifications), so
 * an in-page client can forward them unchanged.
 * @example session.on('message', (message) => render(message));
 */

/** How the session is connected to NATS. */
export type ConnectionState = 'connecting' | 'online' | 'offline' | 'reconnecting';

export interface MemberSummary {
  userId: string;
  username: string;
}

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
}

export type MessageStatus = 'sending' | 'sent' | 'received' | 'held' | 'failed';

export interface ChatMessage {
  roomId: string;
  /** Hex of the 16-byte message id. */
  messageId: string;
  senderUserId: string;
  senderUsername: string;
  /** For display: the sender's own time, or the stored time when the two are far apart. */
  sentAtMs: number;
  /** Stream sequence and when JetStream stored it (absent for held and failed entries). */
  seq?: number;
  storedAtMs?: number;
  text: string;
  epoch: number;
  own: boolean;
  status: MessageStatus;
  /** For 'held' and 'failed': what happened, for a person to read. */
  reason?: string;
}

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
  message: ChatMessage;
  notification: RoomNotification;
  /** The device was revoked: the session is closed for good. */
  revoked: { reason: string };
}
