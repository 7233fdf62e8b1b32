// Brute force: login attempts without a success are limited per (username, source address), per
// connection and per source address, shared by all gateways through KV; the typed error says when
// to retry. A stranger elsewhere cannot lock a username's owner out, and guessing one username
// from many addresses is slowed down (never locked) for addresses the owner never signed in from.
// Other "addresses" are real: the test relays WebSocket connections through sockets bound to
// other loopback addresses (127.0.0.x), and nats-server reports those as the client address.
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import { logIn, logInNewDevice } from '../../core/client/auth.ts';
import { refreshDeviceJwt, refreshDeviceJwtOffline } from '../../core/client/device-jwt.ts';
import { BadCredentialsError, RateLimitedError } from '../../core/errors.ts';
import { connectAsDevice, connectWithLoginCredential } from '../../core/transport/connect.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const LOCK_MS = 1500;
const SLOW_MS = 1500;
const GLOBAL_FAILURES = 8;
let stack: TestStack;
before(async () => {
  stack = await startStack({
    rateLimits: {
      username: { maxAttempts: 3, windowMs: 60_000, lockMs: LOCK_MS },
      usernameGlobal: { maxAttempts: GLOBAL_FAILURES, windowMs: 60_000, lockMs: SLOW_MS },
      connection: { maxAttempts: 6, windowMs: 60_000, lockMs: LOCK_MS },
      source: { maxAttempts: 1000, windowMs: 60_000, lockMs: LOCK_MS },
    },
  });
  // Two gateways: the count lives in KV, so it does not matter which one answers.
  await stack.startGateway();
  await stack.startGateway();
});
const relays: Server[] = [];
const sockets = new Set<Socket>();
after(async () => {
  await stack?.stop();
  for (const socket of sockets) socket.destroy();
  for (const relay of relays) relay.close();
});

/** A WebSocket URL that reaches nats-server from `address` (a relay whose upstream binds it). */
async function viaAddress(address: string): Promise<string> {
  const target = new URL(stack.nats.wsUrl);
  const relay = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port), localAddress: address });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(socket);
      });
    }
    client.pipe(upstream).pipe(client);
  });
  relays.push(relay);
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port } = relay.address() as { port: number };
  return `ws://127.0.0.1:${port}`;
}

/** A login-credential connection that nats-server sees coming from `address`. */
async function loginFrom(address: string): Promise<NatsConnection> {
  return stack.track(
    await connectWithLoginCredential({
      servers: await viaAddress(address),
      loginJwt: stack.nats.stack.public.loginJwt,
    }),
  );
}

/** One password guess for a new device: the error it ended with (BadCredentials or RateLimited). */
function guess(login: NatsConnection, username: string, password = 'wrong'): Promise<unknown> {
  return logInNewDevice(login, { username, password }).then(
    () => assert.fail('a wrong password logged in'),
    (error: unknown) => error,
  );
}

test('after 3 wrong passwords a username is locked, with a retry time, then unlocked', async () => {
  const { user, device } = await stack.registerUser();
  const login = await stack.loginConnection();
  const attempt = (password: string) =>
    logIn(login, { username: user.username, password, deviceCertificate: device.certificate });
  for (let i = 0; i < 3; i++) await assert.rejects(attempt('wrong'), BadCredentialsError);

  const error = await attempt('wrong').then(
    () => assert.fail('expected RateLimitedError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RateLimitedError, `got ${(error as Error).name}`);
  assert.ok(error.retryAfterMs > 0 && error.retryAfterMs <= LOCK_MS, `retryAfterMs ${error.retryAfterMs}`);
  assert.ok(error.retryAtMs > Date.now() - 100);
  // Locked means locked: even the right password waits.
  await assert.rejects(attempt(user.password), RateLimitedError);

  await sleep(error.retryAfterMs + 100);
  const session = await attempt(user.password);
  assert.equal(session.userId, user.userId);
  // A success clears the (username, address) count: three more wrong tries are allowed again (from a new
  // connection, since this one has used most of its own allowance).
  const fresh = await stack.loginConnection();
  for (let i = 0; i < 3; i++) {
    await assert.rejects(
      logIn(fresh, { username: user.username, password: 'wrong', deviceCertificate: device.certificate }),
      BadCredentialsError,
    );
  }
});

test('one connection guessing many usernames is locked; another connection is not', async () => {
  const users = await Promise.all([1, 2, 3, 4].map(() => stack.registerUser()));
  const guesser = await stack.loginConnection();
  let limited: RateLimitedError | undefined;
  for (let i = 0; i < 12 && !limited; i++) {
    const { user, device } = users[i % users.length]!;
    try {
      await logIn(guesser, {
        username: user.username,
        password: `guess${i}`,
        deviceCertificate: device.certificate,
      });
    } catch (error) {
      if (error instanceof RateLimitedError) limited = error;
      else assert.ok(error instanceof BadCredentialsError, `got ${(error as Error).name}`);
    }
  }
  assert.ok(limited, 'the connection was rate limited');
  // The limit was the connection's (no username reached 3 before it): another connection works.
  const { user, device } = users[3]!;
  const other = await stack.loginConnection();
  const session = await logIn(other, {
    username: user.username,
    password: user.password,
    deviceCertificate: device.certificate,
  });
  assert.equal(session.userId, user.userId);
});

test('a stranger hammering a username from another address does not lock its owner out', async () => {
  const { user, device } = await stack.registerUser();
  // The owner's existing device, signed in from the owner's address (127.0.0.1).
  const phone = await stack.logInDevice(user, device);

  const stranger = await loginFrom('127.0.0.2');
  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) outcomes.push(((await guess(stranger, user.username)) as Error).name);
  assert.deepEqual(
    outcomes.slice(0, 3),
    ['BadCredentialsError', 'BadCredentialsError', 'BadCredentialsError'],
    'three guesses are answered',
  );
  assert.ok(
    outcomes.slice(3).every((name) => name === 'RateLimitedError'),
    `then the stranger is locked out: ${outcomes.join(', ')}`,
  );

  // The owner adds a laptop from their own address at once: not locked.
  const laptop = await stack.newDevice(user);
  const atHome = await stack.loginConnection();
  const session = await logIn(atHome, {
    username: user.username,
    password: user.password,
    deviceCertificate: laptop.certificate,
  });
  assert.equal(session.userId, user.userId);
  // ...and from an address never seen before (one stranger alone cannot slow the username down).
  const elsewhere = await loginFrom('127.0.0.3');
  const newDevice = await logInNewDevice(elsewhere, { username: user.username, password: user.password });
  assert.ok(newDevice.enrollToken.length > 0);
  // Existing devices never log in with the password: their key-proved refreshes are untouched,
  // on their own connection and on the login credential (from the stranger's address, even).
  assert.ok((await refreshDeviceJwt(phone.nc, device.secretKey)).userJwt);
  const offline = await refreshDeviceJwtOffline(stranger, device.secretKey);
  const reconnect = await connectAsDevice({
    servers: stack.nats.wsUrl,
    jwt: () => offline.userJwt,
    deviceSecretKey: device.secretKey,
    options: { reconnect: false },
  });
  await reconnect.close();
  // The stranger is still locked out.
  assert.ok((await guess(stranger, user.username, user.password)) instanceof RateLimitedError);
});

test('guessing one username from many addresses is slowed down, never locked; the owner is not slowed', async () => {
  const { user, device } = await stack.registerUser();
  // The owner signed in from 127.0.0.1 before: that address is known for the username.
  const phone = await stack.logInDevice(user, device);

  // A botnet stays under each address's own limit (3): 4 addresses × 2 guesses.
  const bots = await Promise.all([20, 21, 22, 23].map((n) => loginFrom(`127.0.0.${n}`)));
  for (const bot of bots) {
    for (let i = 0; i < GLOBAL_FAILURES / bots.length; i++) {
      assert.ok((await guess(bot, user.username)) instanceof BadCredentialsError, 'under every own limit');
    }
  }
  // The username has had its share of failures: from now on, new addresses get one start per SLOW_MS.
  const fresh = await Promise.all([30, 31, 32, 33, 34].map((n) => loginFrom(`127.0.0.${n}`)));
  const burst = await Promise.all(fresh.map((bot) => guess(bot, user.username)));
  const admitted = burst.filter((e) => e instanceof BadCredentialsError).length;
  const slowed = burst.filter((e): e is RateLimitedError => e instanceof RateLimitedError);
  assert.equal(admitted, 1, `one start of the burst is admitted: ${burst.map((e) => (e as Error).name)}`);
  assert.equal(slowed.length, 4);
  for (const error of slowed) {
    assert.ok(error.retryAfterMs > 0 && error.retryAfterMs <= SLOW_MS, `retryAfterMs ${error.retryAfterMs}`);
    assert.match(error.message, /try again in \d+ s/);
  }

  // The owner's existing device is not slowed: key-proved refreshes, even from a slowed address.
  assert.ok((await refreshDeviceJwt(phone.nc, device.secretKey)).userJwt);
  assert.ok((await refreshDeviceJwtOffline(fresh[1]!, device.secretKey)).userJwt);
  // The owner's address is known: a new device logs in there at once, slow-down or not.
  const laptop = await stack.newDevice(user);
  const atHome = await stack.loginConnection();
  const session = await logIn(atHome, {
    username: user.username,
    password: user.password,
    deviceCertificate: laptop.certificate,
  });
  assert.equal(session.userId, user.userId);

  // Someone with the password at a new address is slowed, not locked: waiting as told lets them in.
  const traveller = await loginFrom('127.0.0.40');
  let waits = 0;
  for (;;) {
    const outcome = await logInNewDevice(traveller, {
      username: user.username,
      password: user.password,
    }).then(
      () => 'in',
      (error: unknown) => error,
    );
    if (outcome === 'in') break;
    assert.ok(outcome instanceof RateLimitedError, `got ${(outcome as Error).name}`);
    assert.ok(++waits <= 3, 'slowed, not locked');
    await sleep(outcome.retryAfterMs + 50);
  }
});
