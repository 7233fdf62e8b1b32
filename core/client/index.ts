/**
 * core/client: the SDK every RoomKey host builds on (browser-safe; Node 24 and Chromium).
 * RoomKeySession is the whole client (accounts, devices, rooms, messages, notifications, presence);
 * the lower layers (auth, directory, room handle) are exported for hosts and tests that need them.
 * @example const session = await RoomKeySession.signIn({ config, backend: new IdbBackend(), username, password });
 */

// AdminApi is its own light entry (admin-api.ts): re-exported here, its code would reach every
// bundle that imports this index (esbuild chunks by file), the in-page client's included (issue 19).
export type { LevelPolicy, RuleChanges } from './admin-api.ts';
export {
  type PolicyTarget,
  parseRole,
  parseTarget,
  ROLE_BY_NAME,
  type RoleName,
  RULE_NAMES,
  type RuleName,
  roleNameOf,
  targetText,
  withGrant,
  withRules,
} from './admin-edits.ts';
export {
  type DeviceCredential,
  type DeviceSession,
  enrollDevice,
  keepDeviceJwtFresh,
  logIn,
  logInNewDevice,
  preloadOpaque,
  refreshDelayMs,
  refreshDeviceJwt,
  refreshDeviceJwtOffline,
  revokeDevice,
  signUp,
} from './auth.ts';
export {
  failedMessage,
  heldMessage,
  messageKey,
  messageTime,
  readableMessage,
  receivedMessage,
  SENT_AT_TOLERANCE_MS,
  sendingMessage,
  sentMessage,
  unsentMessage,
} from './chat-message.ts';
export type { DnsView, PushStatus, RoomKeyClient, RoomKeyClientEvents, Session } from './client-api.ts';
export {
  type ClientConfig,
  type DeploymentConfig,
  deploymentConfigUrl,
  parseDeploymentConfig,
} from './config.ts';
export { Contacts, type ContactTrust, type ContactView } from './contacts.ts';
export { DeviceLink, type DeviceLinkOptions } from './device-link.ts';
export {
  type DeviceDetails,
  defaultDeviceName,
  deviceDetails,
  renameOwnDevice,
  shownDeviceName,
} from './device-names.ts';
export {
  DEVICE_UNLOCK_CREDENTIAL,
  type DeviceRecord,
  deleteDeviceRecord,
  deviceRecord,
  deviceRecords,
  disableDeviceUnlock,
  enableDeviceUnlock,
  openWithDeviceUnlock,
  saveDeviceRecord,
} from './device-unlock.ts';
export {
  commitRequest,
  createRoomRequest,
  directoryLookup,
  getPolicy,
  roomCommits,
  roomCursor,
  roomList,
  setPolicy,
} from './gateway-api.ts';
export { type DirectoryPins, GatewayDirectory, type KeyChange } from './gateway-directory.ts';
export { HIDDEN_ROOMS_RECORD, HiddenRooms, parseHiddenRooms } from './hidden-rooms.ts';
export type { HistoryOptions } from './history.ts';
export { LABEL_IDENTITY_BACKUP, openIdentityBackup, sealIdentityBackup } from './identity-backup.ts';
export { lastSeenWords } from './last-seen.ts';
export { LocalState } from './local-state.ts';
export {
  type EventMessage,
  firstLine,
  isEventMessage,
  MAX_WAITING_EVENTS,
  MessageEvents,
  type ReactionSummary,
  type ReplyQuote,
  type ShownMessage,
} from './message-events.ts';
export { eventToSend, type MessageEventInput } from './message-events-send.ts';
export { MAX_MESSAGE_BYTES, messageSizeProblem } from './message-size.ts';
export {
  type ClosableNotification,
  closeDeletedNotifications,
  type DeletedMessage,
  deletedMessageOf,
} from './notification-close.ts';
export { keptOnFailure, type OutboxHooks, OutboxSender, type OutboxSession } from './outbox-sender.ts';
export {
  approvalFlow,
  deviceViews,
  offerFlow,
  renameDeviceView,
  revokeDeviceView,
  signedInAs,
} from './pairing-client.ts';
export { devicesLastSeen } from './pairing-devices.ts';
export { offerPairing, type PairingHelloSeen, type PairingOffering } from './pairing-new-device.ts';
export { type ApprovePairingDeps, approvePairing, type PairingApproval } from './pairing-old-device.ts';
export type { DeviceView, PairingApprovalFlow, PairingOfferFlow } from './pairing-views.ts';
export {
  addPasskey,
  createPasskey,
  NO_PRF_MESSAGE,
  type PasskeyStatus,
  type PasskeyUnlock,
  passkeyCredentials,
  passkeyStatus,
  passkeyUnlockSecret,
  removePasskeys,
} from './passkey.ts';
export {
  disableWebPush,
  enableWebPush,
  type PushSubscribeResult,
  type PushSubscriptionRecord,
  pushSubscriptionMessage,
  removePushSubscription,
  type SubscribeOptions,
  savePushSubscription,
  subscribePush,
  type WebPushStatus,
  webPushStatus,
} from './push-subscription.ts';
export { ReadMarkers, type ReadMarkersDeps } from './read-markers.ts';
export { listReadMarkers, readMarkerOf, setReadMarker } from './read-markers-api.ts';
export { announceAwake, deviceReadMarkers } from './read-markers-device.ts';
export { type RecentOptions, type RecentRoom, readRecent } from './recent.ts';
export { deletedBy, textOfDeleted } from './recent-messages.ts';
export {
  type AccountFlows,
  Backoff,
  ClientRuntime,
  type ClientRuntimeEvents,
  type ClientRuntimeOptions,
  clientConfigFor,
  fetchDeploymentConfig,
  KeyStateMachine,
  type KeyStateSnapshot,
  LiveSession,
  type LiveSessionEvents,
  type NotificationPlace,
  NotifiedWindow,
  notifies,
  PresenceTracker,
  placeNotification,
  presenceFrom,
  type RecordStore,
  type RunningSdk,
  roomOnScreen,
  type ScreenView,
  type SessionInfo,
  settings,
  viewOf,
} from './runtime/index.ts';
export { type Credentials, RoomKeySession, type SessionOptions } from './session.ts';
export type {
  ChatMessage,
  ConnectionState,
  FailedMessage,
  HeldMessage,
  HistoryProgress,
  KeyState,
  MemberSummary,
  MembershipChange,
  MembershipRow,
  MessageEventAction,
  MessageEventFields,
  MessageStatus,
  PresenceState,
  ReceivedMessage,
  RoomNotification,
  RoomPermissions,
  RoomSummary,
  SendingMessage,
  SentMessage,
  SessionEvents,
  StoredMessage,
  UnsentMessage,
} from './types.ts';
export { MIN_PARALLEL, VerifyPool } from './verify-pool.ts';
