// Revoking a device: the gateway marks it revoked, adds its nkey to the app account JWT's
// revocation list and pushes that account JWT to nats-server 2.9 through the system account. The
// server closes the device's live connection at once and refuses its JWT from then on — also after
// it was killed (-9) and restarted, on the very first attempt — and the device's consumers are gone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { decode as decodeJwt } from '@nats-io/jwt';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { logIn, refreshDeviceJwt, revokeDevice } from '../../core/client/auth.ts';
import { BadSignatureError, NotFoundError, RevokedError, UnavailableError } from '../../core/errors.ts';
import { connectAsDevice } from '../../core/transport/connect.ts';
import {
  DEFAULT_ROOM_SHARDS,
  deviceConsumerName,
  roomStreamName,
} from '../../core/transport/stream-layout.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('a revoked device is disconnected at once, and refused on reconnect, refresh and login', async () => {
  const { user, device: phone } = await stack.registerUser();
  const laptop = await stack.newDevice(user);
  const onPhone = await stack.logInDevice(user, phone);
  const onLaptop = await stack.logInDevice(user, laptop);
  const statuses: string[] = [];
  void (async () => {
    for await (const s of onLaptop.nc.status())
      statuses.push(`${s.type}:${'error' in s ? (s as { error?: Error }).error?.message : ''}`);
  })();

  const started = Date.now();
  await revokeDevice(onPhone.nc, {
    deviceKey: laptop.publicKey,
    userSigningSecretKey: user.signingSecretKey,
  });
  // Bounded wait for the server to cut the laptop off.
  for (let i = 0; i < 50 && !statuses.some((s) => /revoked/i.test(s)); i++) await sleep(50);
  assert.ok(
    statuses.some((s) => /revoked/i.test(s)),
    `statuses: ${statuses.join(', ')}`,
  );
  assert.ok(Date.now() - started < 3000, 'cut off within the revoke round trip');

  // Its still-valid (unexpired) JWT no longer opens a connection.
  const claims = decodeJwt(onLaptop.credential.userJwt);
  assert.ok(claims.exp && claims.exp * 1000 > Date.now(), 'the JWT itself has not expired');
  await assert.rejects(
    connectAsDevice({
      servers: stack.nats.wsUrl,
      jwt: () => onLaptop.credential.userJwt,
      deviceSecretKey: laptop.secretKey,
      options: { maxReconnectAttempts: 0, reconnect: false, timeout: 3000 },
    }),
    /authorization|authentication/i,
  );
  // Logging in again with its certificate is refused with a typed error.
  const login = await stack.loginConnection();
  await assert.rejects(
    logIn(login, { username: user.username, password: user.password, deviceCertificate: laptop.certificate }),
    RevokedError,
  );
  // The phone is untouched.
  const fresh = await refreshDeviceJwt(onPhone.nc, phone.secretKey);
  assert.ok(fresh.userJwt);
});

/** Connects once with `jwt` (no retry): resolves with the connection or rejects with why not. */
function connectOnce(jwt: string, secretKey: Uint8Array) {
  return connectAsDevice({
    servers: stack.nats.wsUrl,
    jwt: () => jwt,
    deviceSecretKey: secretKey,
    options: { maxReconnectAttempts: 0, reconnect: false, timeout: 2000 },
  });
}

/** Only an authorization refusal counts: "connection refused" (server not up) is a failure here. */
async function assertRefused(attempt: Promise<NatsConnection>, what: string): Promise<void> {
  const outcome = await attempt.then(
    async (nc) => {
      await nc.close();
      return 'connected';
    },
    (error: unknown) => String((error as Error)?.message ?? error),
  );
  assert.match(outcome, /authorization|authentication/i, `${what}: the revoked JWT must be refused`);
}

/** Retries `call` while the gateway is not back yet after a restart (bounded). */
async function untilGatewayAnswers<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof UnavailableError) || attempt >= 6) throw error;
    }
  }
}

/** Resolves when `nc` has reconnected (bounded), with the time it took from `since`. */
async function reconnected(nc: NatsConnection, since: number, ms = 15_000): Promise<number> {
  const timeout = sleep(ms, 'timeout' as const, { ref: false });
  const statuses = (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') return Date.now() - since;
    return -1;
  })();
  const result = await Promise.race([statuses, timeout]);
  assert.notEqual(result, 'timeout', 'the good device reconnected');
  return result as number;
}

test("a removed member's cut-off JWT stays refused across nats-server kill -9 and restart", async () => {
  const alice = await stack.signUpSession({ username: `alice-k${process.pid}` });
  const bob = await stack.registerUser();
  const onBob = await stack.logInDevice(bob.user, bob.device);
  const oldJwt = onBob.credential.userJwt;
  const room = await alice.createRoom('Crash');
  await alice.invite(room.roomId, bob.user.username);
  await alice.removeMember(room.roomId, bob.user.userId);
  await assertRefused(connectOnce(oldJwt, bob.device.secretKey), 'cut off before the restart');

  await stack.nats.restart({ kill: true });
  await assertRefused(connectOnce(oldJwt, bob.device.secretKey), 'first attempt after kill -9');
  // The cutoff is not a revocation: a JWT issued after it is let in (once the gateway is back).
  const fresh = await untilGatewayAnswers(() => stack.logInDevice(bob.user, bob.device));
  assert.notEqual(fresh.credential.userJwt, oldJwt);
  assert.equal(fresh.nc.isClosed(), false);
});

test('a revocation survives nats-server kill -9 and restart: the old JWT is refused on its first attempt', async (t) => {
  const { user, device } = await stack.registerUser();
  const other = await stack.newDevice(user);
  const me = await stack.logInDevice(user, device);
  const onOther = await stack.logInDevice(user, other);
  const revokedJwt = onOther.credential.userJwt;
  assert.equal(stack.gateways[0]?.context.publisher.persistent, true, 'the server stores account JWTs');
  await revokeDevice(me.nc, { deviceKey: other.publicKey, userSigningSecretKey: user.signingSecretKey });
  await assertRefused(connectOnce(revokedJwt, other.secretKey), 'before the restart');

  // A crash right after the revocation, the gateway still running: the very first attempt after
  // the server is back must be refused (no window until a gateway pushes the list again).
  const good = reconnected(me.nc, Date.now());
  await stack.nats.restart({ kill: true });
  const upAt = Date.now();
  await assertRefused(connectOnce(revokedJwt, other.secretKey), 'first attempt after kill -9');
  t.diagnostic(
    `kill -9 + restart: revoked JWT refused on the first attempt, ${Date.now() - upAt} ms after the server was up`,
  );
  const goodNow = await connectOnce(me.credential.userJwt, device.secretKey);
  await goodNow.close();
  t.diagnostic(`the good device's live connection reconnected ${await good} ms after the kill`);

  // No gateway at all: nobody could push the list again, the server keeps it by itself.
  await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
  await stack.nats.restart({ kill: true });
  await assertRefused(connectOnce(revokedJwt, other.secretKey), 'first attempt, no gateway running');
  (await connectOnce(me.credential.userJwt, device.secretKey)).close();

  // A gateway started again serves the good device on its reconnected connection.
  await stack.startGateway();
  const fresh = await untilGatewayAnswers(() =>
    refreshDeviceJwt(me.nc, device.secretKey, { timeoutMs: 5000 }),
  );
  assert.ok(fresh.userJwt, 'the gateway answers again after the restart');
  await assertRefused(connectOnce(revokedJwt, other.secretKey), 'after the gateway started again');
});

test('revoking a device deletes its consumers on every room stream; the other devices keep theirs', async () => {
  const password = `pw-consumers-${process.pid}`;
  const username = `carol-c${process.pid}`;
  const phone = await stack.signUpSession({ username, password });
  const rooms = [await phone.createRoom('One'), await phone.createRoom('Two')];
  for (const room of rooms) await phone.send(room.roomId, `in ${room.name}`);
  const laptop = await stack.signInSession(username, password);
  for (const room of rooms) {
    assert.equal((await laptop.history(room.roomId)).length, 1);
    await phone.history(room.roomId);
  }
  const app = stack.track(
    await wsconnect({
      servers: stack.nats.wsUrl,
      authenticator: credsAuthenticator(readFileSync(stackPaths(stack.nats.stack.dir).gatewayAppCreds)),
    }),
  );
  const jsm = await jetstreamManager(app);
  const consumerOf = (roomId: string, nkey: string) =>
    jsm.consumers.info(roomStreamName(roomId, DEFAULT_ROOM_SHARDS), deviceConsumerName(nkey, roomId)).then(
      (info) => info.name,
      (error: Error) => (/consumer not found/i.test(error.message) ? undefined : Promise.reject(error)),
    );
  for (const room of rooms) assert.ok(await consumerOf(room.roomId, laptop.deviceNkey), 'laptop consumer');

  await phone.revokeDevice(laptop.deviceKey);
  for (const room of rooms) {
    assert.equal(await consumerOf(room.roomId, laptop.deviceNkey), undefined, `gone from ${room.name}`);
    assert.ok(
      await consumerOf(room.roomId, phone.deviceNkey),
      `the phone keeps its consumer on ${room.name}`,
    );
  }
});

test('only the user key may revoke, and only its own devices', async () => {
  const alice = await stack.registerUser();
  const bob = await stack.registerUser();
  const onAlice = await stack.logInDevice(alice.user, alice.device);
  // Signed with Bob's user key: the signature does not verify under Alice's identity.
  await assert.rejects(
    revokeDevice(onAlice.nc, {
      deviceKey: alice.device.publicKey,
      userSigningSecretKey: bob.user.signingSecretKey,
    }),
    BadSignatureError,
  );
  // Bob's device is not one of Alice's.
  await assert.rejects(
    revokeDevice(onAlice.nc, {
      deviceKey: bob.device.publicKey,
      userSigningSecretKey: alice.user.signingSecretKey,
    }),
    NotFoundError,
  );
  // Bob is fine.
  const onBob = await stack.logInDevice(bob.user, bob.device);
  assert.ok(await refreshDeviceJwt(onBob.nc, bob.device.secretKey));
});
