/**
 * The RoomKeyClient vocabulary, as the elements import it: core/client's (client-api.ts for the
 * API, types.ts for the data shapes), so every client and host shares one definition.
 * @example import type { RoomKeyClient, RoomSummary } from './client/types.ts';
 */
export type {
  ChatMessage,
  ConnectionState,
  ContactTrust,
  ContactView,
  DeviceView,
  DnsView,
  FailedMessage,
  HeldMessage,
  HistoryProgress,
  KeyState,
  MemberSummary,
  MembershipChange,
  MembershipRow,
  MessageEventInput,
  MessageStatus,
  PairingApprovalFlow,
  PairingOfferFlow,
  PasskeyStatus,
  PushStatus,
  ReceivedMessage,
  RoomKeyClient,
  RoomKeyClientEvents,
  RoomNotification,
  RoomSummary,
  SendingMessage,
  SentMessage,
  Session,
  StoredMessage,
  UnsentMessage,
} from '../../core/client/index.ts';
