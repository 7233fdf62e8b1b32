/**
 * What a client needs to reach a deployment: NATS URL(s) (WebSocket in browsers and Node 24) and
 * the public login JWT — the `/roomkey-config.json` the local stack serves — plus where new rooms go.
 * @example const config: ClientConfig = { servers: cfg.natsWebSocketUrl, loginJwt: cfg.loginJwt };
 */
import type { ConnectionOptions } from '@nats-io/nats-core';
import { fromBase64Url } from '../bytes.ts';
import { parseDohUrl } from '../dns/endpoint.ts';
import { MalformedError } from '../errors.ts';
import type { ConnectFn } from '../transport/connect.ts';

export interface ClientConfig {
  servers: string | string[];
  loginJwt: string;
  /** Org and project new rooms are created in; default the deployment's default ones. */
  orgId?: string;
  projectId?: string;
  /** Defaults to wsconnect. */
  connect?: ConnectFn;
  /** Extra nats.js options for the device connection (timeouts, reconnect wait). */
  connectionOptions?: Partial<ConnectionOptions>;
  /** Gateway request timeout; default 5 s. */
  requestTimeoutMs?: number;
}

/** The `roomkey-config.json` a deployment serves next to its gateway URL. */
export interface DeploymentConfig {
  version: 1;
  natsWebSocketUrl: string | string[];
  loginJwt: string;
  /** The deployment's own DNS-over-HTTPS resolver (core/dns parseDohUrl: https, http only on loopback). */
  dohUrl?: string;
  /**
   * The gateway's VAPID public key (RFC 8292: base64url, uncompressed P-256, 65 bytes) that Web Push
   * subscriptions are made with; absent while the deployment sends no Web Push.
   */
  vapidPublicKey?: string;
}

/**
 * Where a deployment's configuration lives: `roomkey-config.json` next to the gateway URL.
 * @example deploymentConfigUrl('https://rooms.example.com/base/') // 'https://rooms.example.com/base/roomkey-config.json'
 */
export function deploymentConfigUrl(gatewayUrl: string): string {
  return new URL('roomkey-config.json', gatewayUrl).href;
}

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * Checks a parsed `roomkey-config.json`: `version` 1 (or absent), `natsWebSocketUrl` a non-empty
 * string or a non-empty array of them, `loginJwt` a non-empty string, `dohUrl` absent or a DoH URL
 * (core/dns parseDohUrl), `vapidPublicKey` absent or a base64url uncompressed P-256 point.
 * MalformedError otherwise.
 * @example const cfg = parseDeploymentConfig(await response.json());
 */
export function parseDeploymentConfig(body: unknown): DeploymentConfig {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MalformedError('Deployment config: not a JSON object.');
  const {
    version,
    natsWebSocketUrl: servers,
    loginJwt,
    dohUrl,
    vapidPublicKey,
  } = body as Record<string, unknown>;
  if (version !== undefined && version !== 1)
    throw new MalformedError(
      `Deployment config: unsupported version ${JSON.stringify(version)} (expected 1).`,
    );
  const validServers =
    nonEmptyString(servers) ||
    (Array.isArray(servers) && servers.length > 0 && servers.every(nonEmptyString));
  if (!validServers)
    throw new MalformedError(
      'Deployment config: natsWebSocketUrl must be a non-empty string or a non-empty array of non-empty strings.',
    );
  if (!nonEmptyString(loginJwt))
    throw new MalformedError('Deployment config: loginJwt must be a non-empty string.');
  let doh: string | undefined;
  try {
    doh = dohUrl === undefined || dohUrl === null ? undefined : parseDohUrl(dohUrl as string);
  } catch (cause) {
    throw new MalformedError(`Deployment config: dohUrl: ${(cause as Error).message}`, { cause });
  }
  const vapid =
    vapidPublicKey === undefined || vapidPublicKey === null ? undefined : vapidKey(vapidPublicKey);
  return {
    version: 1,
    natsWebSocketUrl: Array.isArray(servers) ? [...(servers as string[])] : (servers as string),
    loginJwt,
    ...(doh !== undefined && { dohUrl: doh }),
    ...(vapid !== undefined && { vapidPublicKey: vapid }),
  };
}

/** An uncompressed P-256 point (0x04 ‖ x ‖ y), as PushManager.subscribe's applicationServerKey wants. */
const P256_UNCOMPRESSED_BYTES = 65;

function vapidKey(value: unknown): string {
  let bytes: Uint8Array | undefined;
  try {
    if (typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value)) bytes = fromBase64Url(value);
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== P256_UNCOMPRESSED_BYTES || bytes[0] !== 0x04)
    throw new MalformedError(
      'Deployment config: vapidPublicKey must be base64url of an uncompressed P-256 public key (65 bytes, 0x04 first): ask the operator to restart the gateway, which makes one.',
    );
  return value as string;
}
