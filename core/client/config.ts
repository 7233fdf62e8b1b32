/**
 * What a client needs to reach a deployment: NATS URL(s) (WebSocket in browsers and Node 24) and
 * the public login JWT — the `/roomkey-config.json` the local stack serves — plus where new rooms go.
 * @example const config: ClientConfig = { servers: cfg.natsWebSocketUrl, loginJwt: cfg.loginJwt };
 */
import type { ConnectionOptions } from '@nats-io/nats-core';
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
