/**
 * core/transport: NATS for RoomKey clients (browser-safe).
 * @example import { connectAsDevice, gatewayRequest, DEVICE_SUBJECTS } from '../core/transport/index.ts';
 */
export {
  type ConnectCommon,
  type ConnectFn,
  connectAsDevice,
  connectWithLoginCredential,
  type DeviceConnectInput,
} from './connect.ts';
export { deviceAuthenticator } from './device-authenticator.ts';
export { DEVICE_SESSION_INFO, openDeviceSession, sealDeviceSession } from './device-session-key.ts';
export { errorFromReply, errorToReply } from './error-codes.ts';
export * from './legacy-time.ts';
export { publicKeyOfUserNkey, userNkey } from './nkey.ts';
export * from './proof-labels.ts';
export { isReplyKey, newReplyKey, openReply, REPLY_KEY_BYTES, sealReply } from './reply-seal.ts';
export { type GatewayRequestOptions, gatewayRequest, natsFailure, unwrapReply } from './request.ts';
export * from './stream-layout.ts';
export * from './subjects.ts';
export { normalizeUsername, USERNAME_MAX, USERNAME_MIN } from './username.ts';
