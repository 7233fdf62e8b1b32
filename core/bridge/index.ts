/**
 * core/bridge: the page ↔ extension bridge in one place — the versioned schema, the one validator,
 * the error table shared with the gateway's ErrorReply, `BridgeClient` (the RoomKeyClient over a
 * transport), the page's window transport and the ports' one reconnect policy. Depends on core only.
 * @example const client = new BridgeClient(new WindowTransport(window), { gateway }); await client.connect();
 */

// The room ids the validator accepts: core/room's pattern, for hosts that check one themselves.
export { ROOM_ID_PATTERN } from '../room/_checks.ts';
export { BridgeClient, type BridgeTransport } from './bridge-client.ts';
export { type ErrorFields, errorFields, isErrorCode, reviveError } from './error-table.ts';
export { ExtensionOnlyError, NotApprovedError } from './errors.ts';
export { ExtensionPageClient } from './extension-page-client.ts';
export { EXTENSION_MARKER } from './marker.ts';
export { type BridgePort, PortLink, type PortLinkOptions, RECONNECT_DELAYS_MS } from './port-link.ts';
export {
  BRIDGE_CHANNEL,
  BRIDGE_EVENT_TYPES,
  BRIDGE_ID_PATTERN,
  BRIDGE_LIMITS,
  BRIDGE_VERSION,
  type BridgeEvent,
  type BridgeMethod,
  type BridgeMethods,
  type BridgeReply,
  type BridgeRequest,
  type ClientStateSnapshot,
  CONTACT_TRUST_METHODS,
  type FrameState,
  type HelloResult,
  IDEMPOTENT_METHODS,
  PASSWORD_METHODS,
  type ParamsOf,
  type PortControl,
  type ReplyEnvelope,
  type RequestEnvelope,
  type ResultOf,
  type RoomAccess,
  replyEnvelope,
  requestEnvelope,
  type WireError,
} from './schema.ts';
export {
  type Boundary,
  CONTACT_TRUST_REFUSAL,
  checkRequest,
  type RequestVerdict,
  readFrameState,
  readReply,
  readRequest,
} from './validate.ts';
export { WindowTransport } from './window-transport.ts';
export { asRoomKeyError, fromWireError, toWireError } from './wire-error.ts';
