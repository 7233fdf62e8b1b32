// The RoomKey server side for integration tests: one nats-server (nats-server.ts), gateways
// started in-process against it, and helpers that make users and devices with real keys and
// connect as the login credential or as a device over WebSocket, as browsers do.
// Everything started here is stopped by stop(). Every connection in a test process is WebSocket:
// nats.js v3 keeps one transport factory per process, and mixing TCP and WebSocket breaks reconnects.
import { readFileSync } from 'node:fs';
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { randomBytes } from '@noble/hashes/utils.js';
import { toBase64Url } from '../../core/bytes.ts';
import { type DeviceCredential, type DeviceSession, logIn, signUp } from '../../core/client/auth.ts';
import type { ClientConfig } from '../../core/client/config.ts';
import { RoomKeySession, type SessionOptions } from '../../core/client/session.ts';
import {
  createDeviceKey,
  createUserKeys,
  type SignedProps,
  signDeviceCertificate,
  signUserIdentity,
  type UserKeys,
} from '../../core/crypto/index.ts';
import type { StoreBackend } from '../../core/store/backend.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { connectAsDevice, connectWithLoginCredential } from '../../core/transport/connect.ts';
import { userNkey } from '../../core/transport/nkey.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { type Gateway, type GatewayOptions, startGateway } from '../../gateway/gateway.ts';
import { startTestNats, type TestNats } from './nats-server.ts';

type Signed = SignedProps;

export interface TestUser {
  username: string;
  password: string;
  userId: string;
  signingSecretKey: Uint8Array;
  signingPublicKey: Uint8Array;
  /** All four user keys (for core/room: the HPKE private key opens key wraps). */
  keys: UserKeys;
  identity: Signed;
}

export interface TestDevice {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  nkey: string;
  certificate: Signed;
}

export interface LoggedInDevice {
  device: TestDevice;
  session: DeviceSession;
  credential: DeviceCredential;
  nc: NatsConnection;
}

export interface TestStack {
  nats: TestNats;
  gateways: Gateway[];
  startGateway(options?: Partial<GatewayOptions>): Promise<Gateway>;
  /** A connection with the shared login credential (WebSocket). */
  loginConnection(): Promise<NatsConnection>;
  /** A gateway-account connection for inspecting KV (what a server-side admin sees). */
  adminConnection(): Promise<NatsConnection>;
  bucket(name: string): Promise<KV>;
  newUser(username?: string, password?: string): Promise<TestUser>;
  newDevice(user: TestUser, options?: { expiresAtMs?: number }): Promise<TestDevice>;
  /** newUser + newDevice + signUp over a fresh login connection. */
  registerUser(username?: string, password?: string): Promise<{ user: TestUser; device: TestDevice }>;
  /** Logs `device` in and connects it over WebSocket with its JWT. */
  logInDevice(user: TestUser, device: TestDevice): Promise<LoggedInDevice>;
  /** Closes a connection now and at stop() (safe to call twice). */
  track(nc: NatsConnection): NatsConnection;
  /** The client config of this deployment (WebSocket, as browsers use it). */
  clientConfig(): ClientConfig;
  /** A new account through the SDK (cheap store Argon2id); closed at stop(). */
  signUpSession(options?: SessionTestOptions): Promise<RoomKeySession>;
  /** Signs in through the SDK (new device unless `backend` holds the account). */
  signInSession(username: string, password: string, options?: SessionTestOptions): Promise<RoomKeySession>;
  stop(): Promise<void>;
}

let counter = 0;

const UNLIMITED = { maxAttempts: 1_000_000, windowMs: 60_000, lockMs: 1000 };
const UNLIMITED_SIGN_UPS = { connection: UNLIMITED, source: UNLIMITED };

/** Cheap Argon2id for test stores (the default costs ~1 s per unlock). */
export const TEST_STORE_PARAMS = { t: 1, mKib: 256, p: 1 };

export interface SessionTestOptions extends Partial<SessionOptions> {
  username?: string;
  password?: string;
  backend?: StoreBackend;
}

export async function startStack(gatewayDefaults: Partial<GatewayOptions> = {}): Promise<TestStack> {
  const nats = await startTestNats();
  const paths = stackPaths(nats.stack.dir);
  const connections: NatsConnection[] = [];
  const gateways: Gateway[] = [];
  const track = (nc: NatsConnection) => {
    connections.push(nc);
    return nc;
  };

  const sessions: RoomKeySession[] = [];
  const sessionOptions = (options: SessionTestOptions): SessionOptions => ({
    config: stack.clientConfig(),
    backend: options.backend ?? new MemoryBackend(),
    storeParams: TEST_STORE_PARAMS,
    ...options,
  });
  const stack: TestStack = {
    nats,
    gateways,
    track,
    clientConfig: () => ({
      servers: nats.wsUrl,
      loginJwt: nats.stack.public.loginJwt,
      requestTimeoutMs: 2500,
    }),
    async signUpSession(options = {}) {
      const session = await RoomKeySession.signUp({
        ...sessionOptions(options),
        username: options.username ?? `user${process.pid}x${++counter}`,
        password: options.password ?? `pw-${toBase64Url(randomBytes(9))}`,
      });
      sessions.push(session);
      return session;
    },
    async signInSession(username, password, options = {}) {
      const session = await RoomKeySession.signIn({ ...sessionOptions(options), username, password });
      sessions.push(session);
      return session;
    },
    async startGateway(options = {}) {
      // WebSocket like the clients: nats.js keeps one transport per process (see gateway.ts).
      const gateway = await startGateway({
        stack: nats.stack,
        servers: nats.wsUrl,
        connect: wsconnect,
        gatewayCreds: readFileSync(paths.gatewayCreds),
        appCreds: readFileSync(paths.gatewayAppCreds),
        sysCreds: readFileSync(paths.sysCreds),
        log: () => undefined,
        // Test files sign up many users from 127.0.0.1; auth-sign-up-limit.test.ts tests the limit.
        signUpRateLimits: UNLIMITED_SIGN_UPS,
        ...gatewayDefaults,
        ...options,
      });
      gateways.push(gateway);
      return gateway;
    },
    async loginConnection() {
      return track(
        await connectWithLoginCredential({ servers: nats.wsUrl, loginJwt: nats.stack.public.loginJwt }),
      );
    },
    async adminConnection() {
      return track(
        await wsconnect({
          servers: nats.wsUrl,
          authenticator: credsAuthenticator(readFileSync(paths.gatewayCreds)),
        }),
      );
    },
    async bucket(name) {
      return new Kvm(await stack.adminConnection()).open(name);
    },
    newUser: makeTestUser,
    newDevice: makeTestDevice,
    async registerUser(username, password) {
      const user = await stack.newUser(username, password);
      const device = await stack.newDevice(user);
      const login = await stack.loginConnection();
      try {
        await signUp(login, {
          username: user.username,
          password: user.password,
          identity: user.identity,
          deviceCertificate: device.certificate,
          userKeys: user.keys,
        });
      } finally {
        await login.close();
      }
      return { user, device };
    },
    async logInDevice(user, device) {
      const login = await stack.loginConnection();
      let session: DeviceSession;
      try {
        session = await logIn(login, {
          username: user.username,
          password: user.password,
          deviceCertificate: device.certificate,
        });
      } finally {
        await login.close();
      }
      const credential: DeviceCredential = { userJwt: session.userJwt, expiresAtMs: session.expiresAtMs };
      const nc = track(
        await connectAsDevice({
          servers: nats.wsUrl,
          jwt: () => credential.userJwt,
          deviceSecretKey: device.secretKey,
          options: { reconnectTimeWait: 100, maxReconnectAttempts: 20 },
        }),
      );
      return { device, session, credential, nc };
    },
    async stop() {
      await Promise.allSettled(sessions.map((s) => s.close()));
      await Promise.allSettled(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
      await Promise.allSettled(gateways.map((g) => g.stop()));
      await nats.stop();
    },
  };
  return stack;
}

/** A user with real keys (core/crypto) and a self-signed identity (not registered anywhere yet). */
export async function makeTestUser(
  username = `user${process.pid}x${++counter}`,
  password = `pw-${toBase64Url(randomBytes(9))}`,
): Promise<TestUser> {
  const keys = await createUserKeys();
  const userId = toBase64Url(randomBytes(16));
  const identity = await signUserIdentity(keys, {
    userId,
    username: username.normalize('NFKC').trim().toLowerCase(),
    createdAtMs: Date.now(),
  });
  return {
    username,
    password,
    userId,
    signingSecretKey: keys.signingSecretKey,
    signingPublicKey: keys.signingPublicKey,
    keys,
    identity,
  };
}

/** A new device key certified by `user`'s signing key. */
export async function makeTestDevice(
  user: TestUser,
  options: { expiresAtMs?: number } = {},
): Promise<TestDevice> {
  const { secretKey, publicKey } = createDeviceKey();
  const certificate = await signDeviceCertificate(user.keys, {
    userId: user.userId,
    deviceKey: publicKey,
    deviceName: 'test device',
    issuedAtMs: Date.now(),
    expiresAtMs: options.expiresAtMs ?? 0,
  });
  return { secretKey, publicKey, nkey: userNkey(publicKey), certificate };
}
