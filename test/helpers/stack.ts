// The RoomKey server side for integration tests: one nats-server (nats-server.ts), gateways
// started in-process against it, and helpers that make users and devices with real keys and
// connect as the login credential or as a device over WebSocket, as browsers do.
// Everything started here is stopped by stop(). Every connection in a test process is WebSocket:
// nats.js v3 keeps one transport factory per process, and mixing TCP and WebSocket breaks reconnects.
import { readFileSync } from 'node:fs';
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { concatBytes, toBase64Url, utf8 } from '../../core/bytes.ts';
import { type DeviceCredential, type DeviceSession, logIn, signUp } from '../../core/client/auth.ts';
import { encode } from '../../core/codec.ts';
import { connectAsDevice, connectWithLoginCredential } from '../../core/transport/connect.ts';
import { userNkey } from '../../core/transport/nkey.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { type Gateway, type GatewayOptions, startGateway } from '../../gateway/gateway.ts';
import { type roomkey, v1 } from '../../proto/index.ts';
import { startTestNats, type TestNats } from './nats-server.ts';

type Signed = roomkey.v1.Signed.$Properties;

export interface TestUser {
  username: string;
  password: string;
  userId: string;
  signingSecretKey: Uint8Array;
  signingPublicKey: Uint8Array;
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
  newUser(username?: string, password?: string): TestUser;
  newDevice(user: TestUser, options?: { expiresAtMs?: number }): TestDevice;
  /** newUser + newDevice + signUp over a fresh login connection. */
  registerUser(username?: string, password?: string): Promise<{ user: TestUser; device: TestDevice }>;
  /** Logs `device` in and connects it over WebSocket with its JWT. */
  logInDevice(user: TestUser, device: TestDevice): Promise<LoggedInDevice>;
  /** Closes a connection now and at stop() (safe to call twice). */
  track(nc: NatsConnection): NatsConnection;
  stop(): Promise<void>;
}

let counter = 0;

export async function startStack(gatewayDefaults: Partial<GatewayOptions> = {}): Promise<TestStack> {
  const nats = await startTestNats();
  const paths = stackPaths(nats.stack.dir);
  const connections: NatsConnection[] = [];
  const gateways: Gateway[] = [];
  const track = (nc: NatsConnection) => {
    connections.push(nc);
    return nc;
  };

  const stack: TestStack = {
    nats,
    gateways,
    track,
    async startGateway(options = {}) {
      // WebSocket like the clients: nats.js keeps one transport per process (see gateway.ts).
      const gateway = await startGateway({
        stack: nats.stack,
        servers: nats.wsUrl,
        connect: wsconnect,
        gatewayCreds: readFileSync(paths.gatewayCreds),
        sysCreds: readFileSync(paths.sysCreds),
        log: () => undefined,
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
      const user = stack.newUser(username, password);
      const device = stack.newDevice(user);
      const login = await stack.loginConnection();
      try {
        await signUp(login, {
          username: user.username,
          password: user.password,
          identity: user.identity,
          deviceCertificate: device.certificate,
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
      await Promise.allSettled(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
      await Promise.allSettled(gateways.map((g) => g.stop()));
      await nats.stop();
    },
  };
  return stack;
}

/** A user with real keys and a self-signed identity (not registered anywhere yet). */
export function makeTestUser(
  username = `user${process.pid}x${++counter}`,
  password = `pw-${toBase64Url(randomBytes(9))}`,
): TestUser {
  const signingSecretKey = randomBytes(32);
  const signingPublicKey = ed25519.getPublicKey(signingSecretKey);
  const userId = toBase64Url(randomBytes(16));
  const body = encode(v1.UserIdentityBody, {
    userId,
    username: username.normalize('NFKC').trim().toLowerCase(),
    signingKey: signingPublicKey,
    hpkeKey: x25519.getPublicKey(randomBytes(32)),
    createdAtMs: Date.now(),
  });
  return {
    username,
    password,
    userId,
    signingSecretKey,
    signingPublicKey,
    identity: signTest('roomkey/v1/user-identity', body, signingSecretKey),
  };
}

/** A new device key certified by `user`'s signing key. */
export function makeTestDevice(user: TestUser, options: { expiresAtMs?: number } = {}): TestDevice {
  const secretKey = randomBytes(32);
  const publicKey = ed25519.getPublicKey(secretKey);
  const body = encode(v1.DeviceCertificateBody, {
    userId: user.userId,
    deviceKey: publicKey,
    deviceName: 'test device',
    issuedAtMs: Date.now(),
    expiresAtMs: options.expiresAtMs ?? 0,
  });
  return {
    secretKey,
    publicKey,
    nkey: userNkey(publicKey),
    certificate: signTest('roomkey/v1/device-certificate', body, user.signingSecretKey),
  };
}

/** TODO(crypto): use core/crypto signBody — a Signed under `label`, made with noble directly. */
export function signTest(label: string, body: Uint8Array, secretKey: Uint8Array): Signed {
  const signature = ed25519.sign(concatBytes(utf8(label), new Uint8Array([0]), body), secretKey);
  return { body, signature, signer: ed25519.getPublicKey(secretKey) };
}
