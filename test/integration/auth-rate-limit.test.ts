// Brute force: login attempts without a success are limited per username, per connection and per
// source address, shared by all gateways through KV; the typed error says when to retry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { logIn } from '../../core/client/auth.ts';
import { BadCredentialsError, RateLimitedError } from '../../core/errors.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const LOCK_MS = 1500;
let stack: TestStack;
before(async () => {
  stack = await startStack({
    rateLimits: {
      username: { maxAttempts: 3, windowMs: 60_000, lockMs: LOCK_MS },
      connection: { maxAttempts: 6, windowMs: 60_000, lockMs: LOCK_MS },
      source: { maxAttempts: 1000, windowMs: 60_000, lockMs: LOCK_MS },
    },
  });
  // Two gateways: the count lives in KV, so it does not matter which one answers.
  await stack.startGateway();
  await stack.startGateway();
});
after(() => stack?.stop());

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
  // A success clears the username's count: three more wrong tries are allowed again (from a new
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
