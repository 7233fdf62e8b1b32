/**
 * The DOM events RoomKey elements fire. All are `CustomEvent`s that bubble and are composed, so a
 * page can listen on the element or on any ancestor.
 * @example room.addEventListener('roomkey-message-sent', (e) => console.log(e.detail.message.messageId));
 */
import type { ChatMessage, RoomNotification, RoomSummary, Session } from './client/types.ts';

/** `roomkey-signed-in`: sign-in or sign-up succeeded (`created` for a new account). */
export interface SignedInDetail {
  session: Session;
  created: boolean;
}

/** `roomkey-error`: a user action failed; `message` is what the element shows. */
export interface ErrorDetail {
  action:
    | 'sign-in'
    | 'sign-up'
    | 'unlock'
    | 'lock'
    | 'sign-out'
    | 'list-rooms'
    | 'create-room'
    | 'hide-room'
    | 'show-room'
    | 'history'
    | 'send'
    | 'invite'
    | 'remove-member'
    | 'add-passkey'
    | 'remove-passkey'
    | 'unlock-passkey'
    | 'verify-contact'
    | 'accept-key-change'
    | 'list-devices'
    | 'revoke-device'
    | 'rename-device'
    | 'pair-device';
  message: string;
  error: unknown;
}

/** `roomkey-room-select`: the user picked a room in `<roomkey-rooms>`. */
export interface RoomSelectDetail {
  roomId: string;
  room: RoomSummary;
}

/** `roomkey-room-created`: `<roomkey-rooms>` created a room. */
export interface RoomCreatedDetail {
  room: RoomSummary;
}

/** `roomkey-history-loaded`: `<roomkey-room>` finished loading (catching up) a room's history. */
export interface HistoryLoadedDetail {
  roomId: string;
  count: number;
}

/** `roomkey-message-sent`: the composer's message was accepted by the client. */
export interface MessageSentDetail {
  message: ChatMessage;
}

/** `roomkey-member-invited`: a member was added from `<roomkey-room>`. */
export interface MemberInvitedDetail {
  room: RoomSummary;
  username: string;
}

/** `roomkey-member-removed`: a member was removed from `<roomkey-room>` (the room moved to a new epoch). */
export interface MemberRemovedDetail {
  room: RoomSummary;
  userId: string;
  username: string;
}

/** `roomkey-notification-show` (cancelable: `preventDefault()` suppresses the toast) and `roomkey-notification-click`. */
export interface NotificationDetail {
  roomId: string;
  messageId: string;
  notification: RoomNotification;
}

/** `roomkey-device-added`: this device sent its identity to a new device (`<roomkey-devices>`). */
export interface DeviceAddedDetail {
  deviceName: string;
}

/** `roomkey-paired`: this new device received the identity by pairing and signed in. */
export interface PairedDetail {
  username: string;
}

export interface RoomKeyEventMap {
  'roomkey-signed-in': SignedInDetail;
  'roomkey-signed-out': null;
  'roomkey-locked': null;
  'roomkey-unlocked': null;
  'roomkey-error': ErrorDetail;
  'roomkey-room-select': RoomSelectDetail;
  'roomkey-room-created': RoomCreatedDetail;
  'roomkey-history-loaded': HistoryLoadedDetail;
  'roomkey-message-sent': MessageSentDetail;
  'roomkey-member-invited': MemberInvitedDetail;
  'roomkey-member-removed': MemberRemovedDetail;
  'roomkey-notification-show': NotificationDetail;
  'roomkey-notification-click': NotificationDetail;
  'roomkey-device-added': DeviceAddedDetail;
  'roomkey-paired': PairedDetail;
}

declare global {
  interface HTMLElementEventMap {
    'roomkey-signed-in': CustomEvent<SignedInDetail>;
    'roomkey-signed-out': CustomEvent<null>;
    'roomkey-locked': CustomEvent<null>;
    'roomkey-unlocked': CustomEvent<null>;
    'roomkey-error': CustomEvent<ErrorDetail>;
    'roomkey-room-select': CustomEvent<RoomSelectDetail>;
    'roomkey-room-created': CustomEvent<RoomCreatedDetail>;
    'roomkey-history-loaded': CustomEvent<HistoryLoadedDetail>;
    'roomkey-message-sent': CustomEvent<MessageSentDetail>;
    'roomkey-member-invited': CustomEvent<MemberInvitedDetail>;
    'roomkey-member-removed': CustomEvent<MemberRemovedDetail>;
    'roomkey-device-added': CustomEvent<DeviceAddedDetail>;
    'roomkey-paired': CustomEvent<PairedDetail>;
    'roomkey-notification-show': CustomEvent<NotificationDetail>;
    'roomkey-notification-click': CustomEvent<NotificationDetail>;
  }
}
