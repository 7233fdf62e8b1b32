/**
 * Connecting to NATS as a RoomKey client. Browsers and Node 24 use WebSocket (wsconnect); a Node
 * host may pass transport-node's `connect` instead. Both kinds of connection use a private inbox
 * prefix that their credential alone may subscribe to.
 * @example const nc = await connectWithLoginCredential({ servers: config.natsWebSocketUrl, loginJwt: config.loginJwt });
 */
import { type ConnectionOptions, jwtAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { deviceAuthenticator } from './device-authenticator.ts';
import { userNkey } from './nkey.ts';
import { deviceInboxPrefix, LOGIN_INBOX_PREFIX } from './subjects.ts';

export type ConnectFn = (options: ConnectionOptions) => Promise<NatsConnection>;

export interface ConnectCommon {
  /** NATS WebSocket URL(s) (ws:// or wss://), or TCP URLs when `connect` is transport-node's. */
  servers: string | string[];
  /** Defaults to wsconnect. */
  connect?: ConnectFn;
  /** Extra nats.js options (name, reconnect policy, timeouts); auth and inbox are set here. */
  options?: Partial<ConnectionOptions>;
}

/** Connects with the shared login credential (a bearer JWT that may only sign up and log in). */
export function connectWithLoginCredential(
  input: ConnectCommon & { loginJwt: string },
): Promise<NatsConnection> {
  return (input.connect ?? wsconnect)({
    name: 'roomkey-login',
    maxReconnectAttempts: 10,
    ...input.options,
    servers: input.servers,
    authenticator: jwtAuthenticator(input.loginJwt),
    inboxPrefix: LOGIN_INBOX_PREFIX,
  });
}

export interface DeviceConnectInput extends ConnectCommon {
  /** The current user JWT; called again on every reconnect, so a refreshed JWT is picked up. */
  jwt: () => string;
  /** The device's 32-byte Ed25519 secret key (the device key is the connection's nkey). */
  deviceSecretKey: Uint8Array;
}

/** Connects as a device with its gateway-issued user JWT. */
export function connectAsDevice(input: DeviceConnectInput): Promise<NatsConnection> {
  const nkey = userNkey(ed25519.getPublicKey(input.deviceSecretKey));
  return (input.connect ?? wsconnect)({
    name: 'roomkey-device',
    maxReconnectAttempts: -1,
    ...input.options,
    servers: input.servers,
    authenticator: deviceAuthenticator(input.jwt, input.deviceSecretKey),
    inboxPrefix: deviceInboxPrefix(nkey),
  });
}
