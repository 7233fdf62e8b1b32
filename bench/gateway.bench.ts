/**
 * Gateway figures against a real nats-server it starts and stops itself (the integration-test
 * stack: WebSocket, one in-process gateway), with bounded counts:
 *   gateway-login-e2e      logins/s, one client after another, including the client's OPAQUE
 *                          Argon2id (~0.2 s each): what one user waits for
 *   gateway-login-start    login-start requests/s, 16 in flight: the gateway's OPAQUE half + KV
 *   gateway-jwt-refresh    device JWT issues/s through the refresh endpoint, 16 in flight
 *   gateway-jwt-sign       device JWTs/s signed in-process (permissions + Ed25519), no NATS
 * @example await bench((name, value, unit) => console.log(`bench ${name} ${value} ${unit}`));
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import * as opaque from '@serenity-kit/opaque';
import { fromBase64Url } from '../core/bytes.ts';
import { logIn, refreshDeviceJwt } from '../core/client/auth.ts';
import { encode } from '../core/codec.ts';
import { userNkey } from '../core/transport/nkey.ts';
import { newReplyKey } from '../core/transport/reply-seal.ts';
import { gatewayRequest } from '../core/transport/request.ts';
import { LOGIN_SUBJECTS } from '../core/transport/subjects.ts';
import { devicePermissions } from '../gateway/permissions.ts';
import { issueDeviceJwt } from '../gateway/user-jwt.ts';
import { v1 } from '../proto/index.ts';
import { startStack } from '../test/helpers/stack.ts';

const E2E_LOGINS = 8;
const LOGIN_STARTS = 400;
const REFRESHES = 600;
const LOCAL_JWTS = 2000;
const IN_FLIGHT = 16;

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
    rateLimits: { username: unlimited, connection: unlimited, source: unlimited },
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
