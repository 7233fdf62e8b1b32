/**
 * Gateway figures against a real nats-server it starts and stops itself (the integration-test
 * stack: WebSocket, one in-process gateway), with bounded counts:
 *   gateway-login-e2e      logins/s, one client after another, including the client's OPAQUE
 *                          Argon2id (~0.2 s each): what one user waits for
 *   gateway-login-start    login-start requests/s, 16 in flight: the gateway's OPAQUE half + KV
 *   gateway-jwt-refresh    device JWT issues/s through the refresh endpoint, 16 in flight
 *   gateway-jwt-sign       device JWTs/s signed in-process (permissions + Ed25519), no NATS
 *   room-e2ee              E2EE messages/s through a room: SDK send (encrypt, sign, JetStream
 *                          publish, 64 in flight) → the other member receives live, verifies and
 *                          decrypts (core/client RoomKeySession, both in this process)
 *   room-raw-pubsub        raw NATS publish → subscribe of payloads of the same size, same server
 *   room-e2ee-vs-raw       the ratio of the two (how much of raw NATS the E2EE pipeline keeps)
 * @example await bench((name, value, unit) => console.log(`bench ${name} ${value} ${unit}`));
 */

import { readFileSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import * as opaque from '@serenity-kit/opaque';
import { fromBase64Url } from '../core/bytes.ts';
import { logIn, refreshDeviceJwt } from '../core/client/auth.ts';
import { encode } from '../core/codec.ts';
import { userNkey } from '../core/transport/nkey.ts';
import { newReplyKey } from '../core/transport/reply-seal.ts';
import { gatewayRequest } from '../core/transport/request.ts';
import { DEFAULT_ROOM_SHARDS, roomStreamName } from '../core/transport/stream-layout.ts';
import { LOGIN_SUBJECTS, roomSubject } from '../core/transport/subjects.ts';
import { stackPaths } from '../gateway/data-dir.ts';
import { devicePermissions } from '../gateway/permissions.ts';
import { issueDeviceJwt } from '../gateway/user-jwt.ts';
import { v1 } from '../proto/index.ts';
import { startStack, type TestStack } from '../test/helpers/stack.ts';

const E2E_LOGINS = 8;
const LOGIN_STARTS = 400;
const REFRESHES = 600;
const LOCAL_JWTS = 2000;
const IN_FLIGHT = 16;
const E2EE_MESSAGES = 2000;
const RAW_MESSAGES = 20_000;
const TEXT_BYTES = 1024;

/** Runs `count` tasks with at most `width` at once; returns tasks per second. */
async function rate(count: number, width: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (count / (performance.now() - start)) * 1000;
}

export async function bench(report: (name: string, value: number, unit: string) => void): Promise<void> {
  const unlimited = { maxAttempts: 1_000_000, windowMs: 60_000, lockMs: 1000 };
  const stack = await startStack({
    rateLimits: { username: unlimited, usernameGlobal: unlimited, connection: unlimited, source: unlimited },
  });
  try {
    const gateway = await stack.startGateway();
    await opaque.ready;
    const users = await Promise.all(Array.from({ length: 8 }, () => stack.registerUser()));
    const { user, device } = users[0]!;
    const login = await stack.loginConnection();

    await logIn(login, {
      username: user.username,
      password: user.password,
      deviceCertificate: device.certificate,
    }); // warm-up
    report(
      'gateway-login-e2e',
      await rate(E2E_LOGINS, 1, () =>
        logIn(login, {
          username: user.username,
          password: user.password,
          deviceCertificate: device.certificate,
        }),
      ),
      'logins/s',
    );

    // Client-side KE1s are cheap (no Argon2id before the server answers): make them up front,
    // for 8 users in turn (many users log in at once; one username is throttled on its own).
    const requests = Array.from({ length: LOGIN_STARTS }, (_, i) => {
      const replyKey = newReplyKey();
      const { user } = users[i % users.length]!;
      const { startLoginRequest } = opaque.client.startLogin({ password: user.password });
      const body = encode(v1.LoginStartRequest, {
        username: user.username,
        credentialRequest: fromBase64Url(startLoginRequest),
        replyKey,
      });
      return { body, replyKey };
    });
    report(
      'gateway-login-start',
      await rate(LOGIN_STARTS, IN_FLIGHT, (i) =>
        gatewayRequest(login, LOGIN_SUBJECTS.loginStart, requests[i]!.body, {
          replyKey: requests[i]!.replyKey,
        }),
      ),
      'req/s',
    );

    const me = await stack.logInDevice(user, device);
    report(
      'gateway-jwt-refresh',
      await rate(REFRESHES, IN_FLIGHT, () => refreshDeviceJwt(me.nc, device.secretKey)),
      'jwt/s',
    );

    const issuer = gateway.context.issuer;
    const key = ed25519.getPublicKey(randomBytes(32));
    const permissions = devicePermissions(userNkey(key), { pub: [], sub: [] });
    await roomBench(stack, report);

    report(
      'gateway-jwt-sign',
      await rate(LOCAL_JWTS, 1, () =>
        issueDeviceJwt(issuer, { deviceKey: key, userId: user.userId, permissions, lifetimeMs: 3600_000 }),
      ),
      'jwt/s',
    );
  } finally {
    await stack.stop();
  }
}

/** E2EE room throughput vs raw NATS pub/sub of the same payload size, on the same server. */
async function roomBench(
  stack: TestStack,
  report: (name: string, value: number, unit: string) => void,
): Promise<void> {
  const alice = await stack.signUpSession({ username: 'bench-alice' });
  const bob = await stack.signUpSession({ username: 'bench-bob' });
  const room = await alice.createRoom('bench');
  await alice.invite(room.roomId, 'bench-bob');
  await bob.listRooms();
  const text = 'x'.repeat(TEXT_BYTES);
  await alice.send(room.roomId, text); // warm-up: directory caches, JetStream, live subscription
  await new Promise((resolve) => setTimeout(resolve, 300));

  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const off = bob.on('message', (m) => {
    if (m.status === 'received' && ++received === E2EE_MESSAGES) done();
  });
  const start = performance.now();
  await rate(E2EE_MESSAGES, 64, () => alice.send(room.roomId, text));
  await all;
  const e2ee = (E2EE_MESSAGES / (performance.now() - start)) * 1000;
  off();
  report('room-e2ee', e2ee, 'msgs/s');

  // The same payload size, raw: what NATS alone does on this server and transport.
  const creds = readFileSync(stackPaths(stack.nats.stack.dir).gatewayAppCreds);
  const pub = stack.track(
    await wsconnect({ servers: stack.nats.wsUrl, authenticator: credsAuthenticator(creds) }),
  );
  const sub = stack.track(
    await wsconnect({ servers: stack.nats.wsUrl, authenticator: credsAuthenticator(creds) }),
  );
  const last = await (await jetstreamManager(pub)).streams.getMessage(
    roomStreamName(room.roomId, DEFAULT_ROOM_SHARDS),
    {
      last_by_subj: roomSubject(room.roomId, 'msg'),
    },
  );
  const envelopeBytes = last?.data.length ?? TEXT_BYTES;
  const payload = new Uint8Array(envelopeBytes).fill(7);
  let got = 0;
  const raw = new Promise<void>((resolve) => {
    sub.subscribe('bench.raw', {
      callback: () => {
        if (++got === RAW_MESSAGES) resolve();
      },
    });
  });
  await sub.flush();
  const rawStart = performance.now();
  for (let i = 0; i < RAW_MESSAGES; i++) {
    pub.publish('bench.raw', payload);
    if (i % 1000 === 999) await pub.flush();
  }
  await raw;
  const rawRate = (RAW_MESSAGES / (performance.now() - rawStart)) * 1000;
  report('room-raw-pubsub', rawRate, `msgs/s (${envelopeBytes} B payloads)`);
  report('room-e2ee-vs-raw', e2ee / rawRate, 'ratio');
}
