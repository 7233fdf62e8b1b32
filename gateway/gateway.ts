/**
 * The gateway service: connects to NATS (gateway account for the API and KV, system account for
 * account updates), opens its KV buckets and answers the auth endpoints. It keeps no state of its
 * own: start as many as you like against one NATS cluster, restart them at will.
 * @example const gateway = await startGateway({ stack, servers, gatewayCreds, sysCreds }); await gateway.stop();
 */
import { type ConnectionOptions, credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect as tcpConnect } from '@nats-io/transport-node';
import * as opaque from '@serenity-kit/opaque';
import { fromHex } from '../core/bytes.ts';
import { type AccountPublisher, startAccountPublisher } from './account-publisher.ts';
import {
  MAX_JWT_LIFETIME_MS,
  MAX_LOGIN_HANDLE_LIFETIME_MS,
  MAX_RATE_LIMIT_WINDOW_MS,
  openBuckets,
} from './buckets.ts';
import type { GatewayContext } from './context.ts';
import type { Stack } from './data-dir.ts';
import { fastKeyPair } from './fast-key-pair.ts';
import { loginFinish, loginStart } from './handlers/login.ts';
import { refresh } from './handlers/refresh.ts';
import { registerFinish, registerStart } from './handlers/register.ts';
import { revoke } from './handlers/revoke.ts';
import { DEFAULT_LOGIN_RATE_LIMITS, LoginRateLimiter, type LoginRateLimits } from './rate-limit.ts';
import { noRooms, type RoomGrantSource } from './room-permissions.ts';
import { deriveServerKeys } from './server-keys.ts';
import { type Service, type ServiceStats, serve } from './service.ts';

export const DEFAULT_JWT_LIFETIME_MS = 3600_000;
export const DEFAULT_LOGIN_HANDLE_LIFETIME_MS = 60_000;

export interface GatewayOptions {
  stack: Stack;
  /** NATS URL(s): nats:// for the default TCP transport, ws:// when `connect` is wsconnect. */
  servers: string | string[];
  /**
   * How to connect; default transport-node's TCP `connect`. nats.js v3 keeps ONE transport
   * factory per process (the last connect function used wins, and reconnects use it), so a process
   * that also opens WebSocket client connections (tests, benches) must pass wsconnect here too.
   */
  connect?: (options: ConnectionOptions) => Promise<NatsConnection>;
  /** The gateway's service user in the gateway account (gateway.creds). */
  gatewayCreds: Uint8Array;
  /** A system-account user (sys.creds): pushes the app account JWT with revocations. */
  sysCreds: Uint8Array;
  /** Lifetime of issued device JWTs; default 1 h, at most 24 h. */
  jwtLifetimeMs?: number;
  loginHandleLifetimeMs?: number;
  rateLimits?: Partial<LoginRateLimits>;
  /** The rooms each user is in (the directory's hook); default: none. */
  roomGrants?: RoomGrantSource;
  /** JetStream replicas of the gateway's KV buckets (3 on a cluster). */
  replicas?: number;
  name?: string;
  log?: (line: string) => void;
  now?: () => number;
}

export interface Gateway {
  readonly context: GatewayContext;
  /** Requests this instance answered so far. */
  stats(): ServiceStats;
  /** Stops answering, waits for requests in flight, closes the connections. */
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.log ?? ((line: string) => console.error(`[gateway] ${line}`));
  const jwtLifetimeMs = options.jwtLifetimeMs ?? DEFAULT_JWT_LIFETIME_MS;
  const loginHandleLifetimeMs = options.loginHandleLifetimeMs ?? DEFAULT_LOGIN_HANDLE_LIFETIME_MS;
  const rateLimits = { ...DEFAULT_LOGIN_RATE_LIMITS, ...options.rateLimits };
  checkRange('jwtLifetimeMs', jwtLifetimeMs, 1000, MAX_JWT_LIFETIME_MS);
  checkRange('loginHandleLifetimeMs', loginHandleLifetimeMs, 1000, MAX_LOGIN_HANDLE_LIFETIME_MS);
  for (const policy of Object.values(rateLimits)) {
    checkRange('rate limit window', policy.windowMs, 1, MAX_RATE_LIMIT_WINDOW_MS);
    checkRange('rate limit lock', policy.lockMs, 1, MAX_RATE_LIMIT_WINDOW_MS);
  }
  await opaque.ready;

  const { stack } = options;
  const name = options.name ?? 'roomkey-gateway';
  const connections: NatsConnection[] = [];
  let publisher: AccountPublisher | undefined;
  let service: Service | undefined;
  const closeAll = async () => {
    await service?.stop();
    await publisher?.stop();
    await Promise.allSettled(connections.map((nc) => nc.drain()));
  };
  try {
    const connect = options.connect ?? tcpConnect;
    const nc = await connect({
      servers: options.servers,
      authenticator: credsAuthenticator(options.gatewayCreds),
      name,
      maxReconnectAttempts: -1,
    });
    connections.push(nc);
    const sys = await connect({
      servers: options.servers,
      authenticator: credsAuthenticator(options.sysCreds),
      name: `${name}-sys`,
      maxReconnectAttempts: -1,
    });
    connections.push(sys);

    logConnectionEvents('api', nc, log);
    logConnectionEvents('sys', sys, log);
    const keys = deriveServerKeys(fromHex(stack.secrets.serverSecret));
    const now = options.now ?? Date.now;
    const buckets = await openBuckets(nc, keys, { replicas: options.replicas });
    publisher = await startAccountPublisher({ sys, revocations: buckets.revocations, stack, log });
    const context: GatewayContext = {
      stack,
      keys,
      buckets,
      limiter: new LoginRateLimiter(buckets.rateLimit, keys, rateLimits, now),
      issuer: {
        appAccountPublicKey: stack.public.appAccount.publicKey,
        appSigningKey: fastKeyPair(stack.secrets.appSigningSeed),
      },
      publisher,
      roomGrants: options.roomGrants ?? noRooms,
      jwtLifetimeMs,
      loginHandleLifetimeMs,
      now,
    };
    const endpoints = [registerStart, registerFinish, loginStart, loginFinish, refresh, revoke].map((make) =>
      make(context),
    );
    service = serve(nc, endpoints, { appAccount: stack.public.appAccount.publicKey, log });
    await nc.flush(); // subscriptions are live on the server before we say we are up
    const running = service;
    return { context, stats: () => running.stats(), stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Disconnects, reconnects and server errors, for the operator's log. */
function logConnectionEvents(label: string, nc: NatsConnection, log: (line: string) => void): void {
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        const detail = 'error' in status ? `: ${(status as { error?: Error }).error?.message}` : '';
        log(`${label} connection ${status.type}${detail}`);
      }
    }
  })();
}

function checkRange(what: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${what} must be between ${min} and ${max} ms (got ${value})`);
  }
}
