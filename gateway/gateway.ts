/**
 * The gateway service: connects to NATS (gateway account for the API and KV, app account for room
 * streams, notices and presence, system account for account updates), opens its KV buckets, makes
 * the default org and project, and answers auth, directory, room and admin requests; it routes
 * notifications and keeps presence. It keeps no state of its own: start as many as you like
 * against one NATS cluster, restart them at will.
 * @example const gateway = await startGateway({ stack, servers, gatewayCreds, appCreds, sysCreds }); await gateway.stop();
 */
import { type ConnectionOptions, credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect as tcpConnect } from '@nats-io/transport-node';
import * as opaque from '@serenity-kit/opaque';
import { fromHex } from '../core/bytes.ts';
import { v1 } from '../proto/index.ts';
import { type AccountPublisher, startAccountPublisher } from './account-publisher.ts';
import {
  MAX_JWT_LIFETIME_MS,
  MAX_LOGIN_HANDLE_LIFETIME_MS,
  MAX_RATE_LIMIT_WINDOW_MS,
  openBuckets,
  PRESENCE_TTL_MS,
} from './buckets.ts';
import type { GatewayContext } from './context.ts';
import type { Stack } from './data-dir.ts';
import { startIdleSweep } from './device-idle-sweep.ts';
import { fastKeyPair } from './fast-key-pair.ts';
import { adminEndpoints } from './handlers/admin.ts';
import { deviceName } from './handlers/device-name.ts';
import { directoryEndpoints } from './handlers/directory.ts';
import { enrollDevice } from './handlers/enroll.ts';
import { loginFinish, loginStart } from './handlers/login.ts';
import { markerList } from './handlers/marker-list.ts';
import { markerSet } from './handlers/marker-set.ts';
import { openPairing, type PairingRateLimits } from './handlers/pairing-channel.ts';
import { pairingEndpoints } from './handlers/pairing-endpoints.ts';
import { pushRemove } from './handlers/push-remove.ts';
import { pushSave } from './handlers/push-save.ts';
import { refresh, refreshOffline } from './handlers/refresh.ts';
import { registerFinish, registerStart } from './handlers/register.ts';
import { revoke } from './handlers/revoke.ts';
import { roomCommit } from './handlers/room-commit.ts';
import { roomCreate } from './handlers/room-create.ts';
import { roomCommits, roomCursor, roomList } from './handlers/room-read.ts';
import { instrument } from './instrument.ts';
import { migrateLegacyRooms } from './legacy-migration.ts';
import { LegacyRooms } from './legacy-rooms.ts';
import { createLogger, type Logger, lineLog } from './logger.ts';
import type { GatewayMetrics } from './metrics.ts';
import { type NotificationRouter, startNotificationRouter } from './notification-router.ts';
import { ensureDefaultPolicies } from './policy-store.ts';
import { type Presence, startPresence } from './presence.ts';
import {
  DEFAULT_LOGIN_RATE_LIMITS,
  DEFAULT_SIGN_UP_RATE_LIMITS,
  type LoginRateLimits,
  RateLimiter,
  SIGN_UP_SCOPE,
  type SignUpRateLimits,
} from './rate-limit.ts';
import { RoomCache } from './room-chain.ts';
import { kvRoomGrants } from './room-grants.ts';
import type { RoomGrantSource } from './room-permissions.ts';
import { ensureRoomShards } from './room-shards.ts';
import { RoomStreams } from './room-streams.ts';
import { deriveServerKeys } from './server-keys.ts';
import { type Service, type ServiceStats, serve } from './service.ts';
import { vapidKeys } from './vapid-keys.ts';
import { type PushStats, type PushTiming, startPushDispatcher } from './web-push-dispatcher.ts';
import { type MarkerFanout, startMarkerFanout } from './web-push-marker-fanout.ts';
import { PUSH_REQUEST_TIMEOUT_MS, pushTopic, sendPush } from './web-push-sender.ts';

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
  /** The gateway's service user in the app account (gateway-app.creds): room streams, notices, presence. */
  appCreds: Uint8Array;
  /** A system-account user (sys.creds): pushes the app account JWT with revocations. */
  sysCreds: Uint8Array;
  /** Lifetime of issued device JWTs; default 1 h, at most 24 h. */
  jwtLifetimeMs?: number;
  loginHandleLifetimeMs?: number;
  rateLimits?: Partial<LoginRateLimits>;
  signUpRateLimits?: Partial<SignUpRateLimits>;
  /** Pairing channels opened and hellos said, per connection and address (handlers/pairing-channel.ts). */
  pairingRateLimits?: Partial<PairingRateLimits>;
  /** The rooms each user is in, for device JWTs; default: read from KV (room-grants.ts). Tests may override. */
  roomGrants?: RoomGrantSource;
  /** JetStream replicas of the gateway's KV buckets and of the room shard streams (3 on a cluster). */
  replicas?: number;
  /**
   * How many shard streams hold room history (1–256). Default: roomkey.json's `roomShards`, else
   * what the existing shard streams say, else 16. Fixed per deployment: a gateway whose count
   * disagrees with the existing streams refuses to start (room-shards.ts).
   */
  roomShards?: number;
  /** Web Push (web-push-dispatcher.ts); the VAPID keys derive from the server secret (vapid-keys.ts). */
  push?: PushOptions;
  /** Whether any signed-in device may create a new org (becoming its owner); default true. */
  allowOrgCreation?: boolean;
  name?: string;
  /** Structured logs (logger.ts); default: JSON on stdout at info. `log`, if given, takes the parts' lines instead. */
  logger?: Logger;
  log?: (line: string) => void;
  /** Prometheus metrics (metrics.ts) this gateway feeds; none by default. */
  metrics?: GatewayMetrics;
  now?: () => number;
  /** How often the idle sign-out sweep runs (device-idle-sweep.ts); default 1 h. It also runs at start. */
  idleSweepIntervalMs?: number;
}

export interface PushOptions {
  /** VAPID `sub`, a contact for push services' operators (mailto: or https:); default below. */
  subject?: string;
  /** Accept plain-http push endpoints (a loopback push service in tests); default false: https only. */
  allowHttpEndpoints?: boolean;
  /** Seconds a push service may hold a sentinel for an offline device; default 4 h. */
  ttlSeconds?: number;
  /** Wake timeout, per-device interval, retries (tests shorten them). */
  timing?: Partial<PushTiming>;
}

export const DEFAULT_VAPID_SUBJECT = 'mailto:webpush@roomkey.invalid';
const DEFAULT_PUSH_TTL_S = 4 * 3600;

export interface Gateway {
  readonly context: GatewayContext;
  /** The deployment's VAPID public key (base64url): the served config's `vapidPublicKey`. */
  readonly vapidPublicKey: string;
  /** Requests this instance answered so far, messages it routed notifications for, and its pushes. */
  stats(): ServiceStats & { routed: number; pushes: PushStats };
  /** Stops answering, waits for requests in flight, closes the connections. */
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  // Embedded without a logger (benches, tools), warnings go to stderr as they always did.
  const logger = options.logger ?? (options.log ? undefined : createLogger({ fd: 2 }));
  const log = options.log ?? lineLog((logger ?? createLogger({ fd: 2 })).child({ component: 'gateway' }));
  const hooks = instrument(options.metrics, logger);
  const jwtLifetimeMs = options.jwtLifetimeMs ?? DEFAULT_JWT_LIFETIME_MS;
  const loginHandleLifetimeMs = options.loginHandleLifetimeMs ?? DEFAULT_LOGIN_HANDLE_LIFETIME_MS;
  const rateLimits = { ...DEFAULT_LOGIN_RATE_LIMITS, ...options.rateLimits };
  const signUpRateLimits = { ...DEFAULT_SIGN_UP_RATE_LIMITS, ...options.signUpRateLimits };
  checkRange('jwtLifetimeMs', jwtLifetimeMs, 1000, MAX_JWT_LIFETIME_MS);
  checkRange('loginHandleLifetimeMs', loginHandleLifetimeMs, 1000, MAX_LOGIN_HANDLE_LIFETIME_MS);
  for (const policy of [...Object.values(rateLimits), ...Object.values(signUpRateLimits)]) {
    checkRange('rate limit window', policy.windowMs, 1, MAX_RATE_LIMIT_WINDOW_MS);
    checkRange('rate limit lock', policy.lockMs, 1, MAX_RATE_LIMIT_WINDOW_MS);
  }
  await opaque.ready;

  const { stack } = options;
  const name = options.name ?? 'roomkey-gateway';
  const connections: NatsConnection[] = [];
  let publisher: AccountPublisher | undefined;
  let service: Service | undefined;
  let presence: Presence | undefined;
  let router: NotificationRouter | undefined;
  let pushes: ReturnType<typeof startPushDispatcher> | undefined;
  let fanout: MarkerFanout | undefined;
  let idleSweep: { stop(): Promise<void> } | undefined;
  const closeAll = async () => {
    await idleSweep?.stop();
    await service?.stop();
    await router?.stop();
    fanout?.stop();
    pushes?.stop();
    await presence?.stop();
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
      // nats.js otherwise builds an async stack trace per request: ~18% of a busy gateway's CPU.
      noAsyncTraces: true,
    });
    connections.push(nc);
    const sys = await connect({
      servers: options.servers,
      authenticator: credsAuthenticator(options.sysCreds),
      name: `${name}-sys`,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    });
    connections.push(sys);
    const app = await connect({
      servers: options.servers,
      authenticator: credsAuthenticator(options.appCreds),
      name: `${name}-app`,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    });
    connections.push(app);

    logConnectionEvents('api', nc, log);
    logConnectionEvents('sys', sys, log);
    logConnectionEvents('app', app, log);
    const keys = deriveServerKeys(fromHex(stack.secrets.serverSecret));
    const now = options.now ?? Date.now;
    const buckets = await openBuckets(nc, keys, { replicas: options.replicas });
    options.metrics?.watchRooms(async () => (await buckets.rooms.kv.status()).values);
    publisher = await startAccountPublisher({
      sys,
      revocations: buckets.revocations,
      cutoffs: buckets.cutoffs,
      stack,
      log,
    });
    await ensureDefaultPolicies(buckets);
    const layout = await ensureRoomShards(app, {
      shards: options.roomShards ?? stack.public.roomShards,
      replicas: options.replicas,
      log,
    });
    const streams = new RoomStreams(app, layout);
    // Per-room streams of an older deployment move into the shards before anything is served.
    const legacy = await LegacyRooms.open(nc, app, keys, { replicas: options.replicas });
    await migrateLegacyRooms({ app, layout, rooms: buckets.rooms, legacy, log });
    const context: GatewayContext = {
      stack,
      keys,
      buckets,
      limiter: new RateLimiter(buckets.rateLimit, keys, rateLimits, { now }),
      signUpLimiter: new RateLimiter(buckets.rateLimit, keys, signUpRateLimits, {
        now,
        scope: SIGN_UP_SCOPE,
      }),
      issuer: {
        appAccountPublicKey: stack.public.appAccount.publicKey,
        appSigningKey: fastKeyPair(stack.secrets.appSigningSeed),
      },
      publisher,
      roomGrants: options.roomGrants ?? kvRoomGrants(buckets),
      jwtLifetimeMs,
      loginHandleLifetimeMs,
      now,
      app,
      streams,
      legacy,
      rooms: new RoomCache(streams, buckets, now),
      log,
      onJwtIssued: hooks.jwtIssued,
    };
    presence = await startPresence({ app, buckets, log, now });
    const vapid = vapidKeys(fromHex(stack.secrets.serverSecret));
    const pushOptions = options.push ?? {};
    pushes = startPushDispatcher({
      buckets,
      presence,
      send: (nkey, subscription, kind) =>
        sendPush(subscription, kind, {
          vapid,
          subject: pushOptions.subject ?? DEFAULT_VAPID_SUBJECT,
          topic: pushTopic(keys, nkey),
          ttlSeconds: pushOptions.ttlSeconds ?? DEFAULT_PUSH_TTL_S,
          urgency: kind === v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE ? 'high' : 'normal',
          timeoutMs: PUSH_REQUEST_TIMEOUT_MS,
        }).then(hooks.pushed),
      log,
      now,
      presenceTtlMs: PRESENCE_TTL_MS,
      timing: pushOptions.timing,
    });
    const dispatcher = pushes;
    const advances = startMarkerFanout(nc, dispatcher, log);
    fanout = advances;
    const endpoints = [
      ...[registerStart, registerFinish, loginStart, loginFinish, refreshOffline, enrollDevice].map((make) =>
        make(context),
      ),
      ...[refresh, revoke, deviceName, roomCreate, roomCommit, roomCommits, roomList, roomCursor].map(
        (make) => make(context),
      ),
      pushSave(context, { allowHttp: pushOptions.allowHttpEndpoints ?? false }, (userId) =>
        dispatcher.subscribed(userId),
      ),
      pushRemove(context, (nkey) => dispatcher.forgetDevice(nkey)),
      markerSet(context, (userId, roomId, seq, fromNkey) =>
        advances.publish({ userId, roomId, seq, fromNkey }),
      ),
      markerList(context),
      ...pairingEndpoints(
        context,
        await openPairing(nc, {
          keys,
          rateLimit: buckets.rateLimit,
          now,
          replicas: options.replicas,
          limits: options.pairingRateLimits,
        }),
      ),
      ...directoryEndpoints(context),
      ...adminEndpoints(context, { allowOrgCreation: options.allowOrgCreation }),
    ];
    router = await startNotificationRouter({
      app,
      buckets,
      presence,
      pushes,
      layout,
      log,
      now,
      onRouted: hooks.routed,
    });
    service = serve(nc, endpoints, { appAccount: stack.public.appAccount.publicKey, log, observe: hooks });
    await Promise.all([nc.flush(), app.flush()]); // subscriptions are live before we say we are up
    idleSweep = startIdleSweep(context, options.idleSweepIntervalMs);
    const running = service;
    const routing = router;
    return {
      context,
      vapidPublicKey: vapid.publicKey,
      stats: () => ({ ...running.stats(), routed: routing.routed(), pushes: dispatcher.stats() }),
      stop: closeAll,
    };
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
