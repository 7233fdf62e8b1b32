// The RoomKey server side on a local 3-node cluster (cluster.ts) for integration tests: gateways
// in-process with R3 streams and buckets, users and devices with real keys, SDK sessions, and
// device connections pinned to chosen nodes. Everything is WebSocket (one transport per process,
// see stack.ts). stop() closes every session, connection, gateway and node it made.
import { readFileSync } from 'node:fs';
import { type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { randomBytes } from '@noble/hashes/utils.js';
import { toBase64Url } from '../../core/bytes.ts';
import { type DeviceCredential, logIn, signUp } from '../../core/client/auth.ts';
import type { ClientConfig } from '../../core/client/config.ts';
import { RoomKeySession, type SessionOptions } from '../../core/client/session.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { connectAsDevice, connectWithLoginCredential } from '../../core/transport/connect.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { type Gateway, type GatewayOptions, startGateway } from '../../gateway/gateway.ts';
import { type ClusterOptions, startTestCluster, type TestCluster } from './cluster.ts';
import { makeTestDevice, makeTestUser, TEST_STORE_PARAMS, type TestDevice, type TestUser } from './stack.ts';

const UNLIMITED = { maxAttempts: 1_000_000, windowMs: 60_000, lockMs: 1000 };

export interface ClusterStack {
  cluster: TestCluster;
  gateways: Gateway[];
  /** A gateway against every node, R3 buckets and streams (as `dev --cluster` runs it). */
  startGateway(options?: Partial<GatewayOptions>): Promise<Gateway>;
  /** The client config; `servers` default: every node. */
  clientConfig(servers?: string[]): ClientConfig;
  registerUser(): Promise<{ user: TestUser; device: TestDevice }>;
  newDevice(user: TestUser): Promise<TestDevice>;
  /** Logs `device` in (its JWT) and connects it to `servers` (default every node). */
  logInDevice(
    user: TestUser,
    device: TestDevice,
    servers?: string[],
  ): Promise<{ credential: DeviceCredential; nc: NatsConnection }>;
  signUpSession(options?: Partial<SessionOptions> & { username?: string }): Promise<RoomKeySession>;
  track(nc: NatsConnection): NatsConnection;
  stop(): Promise<void>;
}

let counter = 0;

export async function startClusterStack(options: ClusterOptions = {}): Promise<ClusterStack> {
  const cluster = await startTestCluster(options);
  const paths = stackPaths(cluster.stack.dir);
  const gateways: Gateway[] = [];
  const connections: NatsConnection[] = [];
  const sessions: RoomKeySession[] = [];
  const track = (nc: NatsConnection) => {
    connections.push(nc);
    return nc;
  };
  const clientConfig = (servers = cluster.wsUrls()): ClientConfig => ({
    servers,
    loginJwt: cluster.stack.public.loginJwt,
    requestTimeoutMs: 8000,
    connectionOptions: { reconnectTimeWait: 100 },
  });
  const withLogin = async <T>(use: (login: NatsConnection) => Promise<T>): Promise<T> => {
    const login = await connectWithLoginCredential({
      servers: cluster.wsUrls(),
      loginJwt: cluster.stack.public.loginJwt,
    });
    try {
      return await use(login);
    } finally {
      await login.close();
    }
  };
  const stack: ClusterStack = {
    cluster,
    gateways,
    track,
    clientConfig,
    async startGateway(overrides = {}) {
      const gateway = await startGateway({
        stack: cluster.stack,
        servers: cluster.wsUrls(),
        connect: wsconnect,
        gatewayCreds: readFileSync(paths.gatewayCreds),
        appCreds: readFileSync(paths.gatewayAppCreds),
        sysCreds: readFileSync(paths.sysCreds),
        replicas: 3,
        log: process.env['ROOMKEY_TEST_GATEWAY_LOG']
          ? (line) => console.error(`[gw] ${line}`)
          : () => undefined,
        signUpRateLimits: { connection: UNLIMITED, source: UNLIMITED },
        ...overrides,
      });
      gateways.push(gateway);
      return gateway;
    },
    newDevice: (user) => makeTestDevice(user),
    async registerUser() {
      const user = await makeTestUser();
      const device = await makeTestDevice(user);
      await withLogin((login) =>
        signUp(login, {
          username: user.username,
          password: user.password,
          identity: user.identity,
          deviceCertificate: device.certificate,
          userKeys: user.keys,
        }),
      );
      return { user, device };
    },
    async logInDevice(user, device, servers = cluster.wsUrls()) {
      const session = await withLogin((login) =>
        logIn(login, {
          username: user.username,
          password: user.password,
          deviceCertificate: device.certificate,
        }),
      );
      const credential: DeviceCredential = { userJwt: session.userJwt, expiresAtMs: session.expiresAtMs };
      const nc = track(
        await connectAsDevice({
          servers,
          jwt: () => credential.userJwt,
          deviceSecretKey: device.secretKey,
          options: { reconnectTimeWait: 100, maxReconnectAttempts: -1 },
        }),
      );
      return { credential, nc };
    },
    async signUpSession(options = {}) {
      const session = await RoomKeySession.signUp({
        config: clientConfig(),
        backend: new MemoryBackend(),
        storeParams: TEST_STORE_PARAMS,
        username: options.username ?? `cl${process.pid}x${++counter}`,
        password: `pw-${toBase64Url(randomBytes(9))}`,
        ...options,
      });
      sessions.push(session);
      return session;
    },
    async stop() {
      await Promise.allSettled(sessions.map((s) => s.close()));
      await Promise.allSettled(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
      await Promise.allSettled(gateways.map((g) => g.stop()));
      await cluster.stop();
    },
  };
  return stack;
}
