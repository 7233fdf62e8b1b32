/**
 * Connecting to NATS as a RoomKey client. Browsers and Node 24 use WebSocket (wsconnect); a Node
 * host may pass transport-node's `connect` instead. Both kinds of connection use a private inbox
 * prefix that their credential alone may subscribe to.
 * @example const nc = await connectWithLoginCredential({ servers: config.natsWebSocketUrl, loginJwt: config.loginJwt });
 */
import {
  type ConnectionOptions,
  jwtAuthenticator,
  type NatsConnection,
  type WsConnectionOptions,
  wsconnect,
} from '@nats-io/nats-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { watchConnection } from './connection-watch.ts';
import { deviceAuthenticator } from './device-authenticator.ts';
import { probeGatewayWith } from './gateway-probe.ts';
import { userNkey } from './nkey.ts';
import { deviceInboxPrefix, LOGIN_INBOX_PREFIX, presenceSubject } from './subjects.ts';

/**
 * nats-server before 2.10.24 answers a close frame that carries no status with status 1005, which
 * RFC 6455 reserves, and browsers log "Received a broken close frame" on every clean close
 * (nats-io/nats-server#6259). Closing with 1000 (normal closure) is right on every server version.
 */
function closingNormally(url: string): Promise<{ socket: WebSocket; encrypted: boolean }> {
  const socket = new WebSocket(url);
  const close = socket.close.bind(socket);
  socket.close = (code = 1000, reason?: string) => close(code, reason);
  return Promise.resolve({ socket, encrypted: url.startsWith('wss://') });
}

/** wsconnect, or transport-node's connect (which ignores the WebSocket-only options). */
export type ConnectFn = (options: WsConnectionOptions) => Promise<NatsConnection>;

export interface ConnectCommon {
  /** NATS WebSocket URL(s) (ws:// or wss://), or TCP URLs when `connect` is transport-node's. */
  servers: string | string[];
  /** Defaults to wsconnect. */
  connect?: ConnectFn;
  /** Extra nats.js options (name, reconnect policy, timeouts); auth and inbox are set here. */
  options?: Partial<ConnectionOptions>;
}

/** Connects with the shared login credential (a bearer JWT that may only sign up and log in). */
export async function connectWithLoginCredential(
  input: ConnectCommon & { loginJwt: string },
): Promise<NatsConnection> {
  const nc = await (input.connect ?? wsconnect)({
    name: 'roomkey-login',
    maxReconnectAttempts: 10,
    wsFactory: closingNormally,
    ...input.options,
    servers: input.servers,
    authenticator: jwtAuthenticator(input.loginJwt),
    inboxPrefix: LOGIN_INBOX_PREFIX,
  });
  watchConnection(nc);
  return nc;
}

export interface DeviceConnectInput extends ConnectCommon {
  /** The current user JWT; called again on every reconnect, so a refreshed JWT is picked up. */
  jwt: () => string;
  /** The device's 32-byte Ed25519 secret key (the device key is the connection's nkey). */
  deviceSecretKey: Uint8Array;
}

/**
 * Connects as a device with its gateway-issued user JWT. Its gateway requests fail at once when no
 * gateway runs (probed on the device's presence subject: gateway-probe.ts).
 */
export async function connectAsDevice(input: DeviceConnectInput): Promise<NatsConnection> {
  const nkey = userNkey(ed25519.getPublicKey(input.deviceSecretKey));
  const nc = await (input.connect ?? wsconnect)({
    name: 'roomkey-device',
    maxReconnectAttempts: -1,
    wsFactory: closingNormally,
    ...input.options,
    servers: input.servers,
    authenticator: deviceAuthenticator(input.jwt, input.deviceSecretKey),
    inboxPrefix: deviceInboxPrefix(nkey),
  });
  watchConnection(nc);
  probeGatewayWith(nc, presenceSubject(nkey));
  return nc;
}
