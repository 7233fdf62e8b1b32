// Sign-up throttling: every registration start counts per source address (and per connection),
// shared by all gateways through KV, whether the username is free or taken, so bulk account
// creation and probing for usernames slow down alike; the typed error says when to retry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, RateLimitedError } from '../../core/errors.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const LOCK_MS = 1500;
let stack: TestStack;
before(async () => {
  stack = await startStack({
    signUpRateLimits: {
      connection: { maxAttempts: 1000, windowMs: 60_000, lockMs: LOCK_MS },
      source: { maxAttempts: 3, windowMs: 60_000, lockMs: LOCK_MS },
    },
  });
  await stack.startGateway();
  await stack.startGateway();
});
after(() => stack?.stop());

test('after 3 sign-ups from one address the next waits, taken usernames count too, then it works again', async () => {
  const first = await stack.registerUser();
  await stack.registerUser();
  await assert.rejects(stack.registerUser(first.user.username), ConflictError, 'a taken username');
  const error = await stack.registerUser().then(
    () => assert.fail('expected RateLimitedError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RateLimitedError, `got ${(error as Error).name}: ${(error as Error).message}`);
  assert.match(error.message, /Too many sign-ups: try again in \d+ s\./);
  assert.ok(error.retryAfterMs > 0 && error.retryAfterMs <= LOCK_MS, `retryAfterMs ${error.retryAfterMs}`);
  // Locked means locked, on every gateway (the count lives in KV).
  await assert.rejects(stack.registerUser(), RateLimitedError);

  // Logging in is a different limit: the users made before still sign in.
  const logged = await stack.logInDevice(first.user, first.device);
  assert.equal(logged.session.userId, first.user.userId);

  await sleep(error.retryAfterMs + 100);
  const later = await stack.registerUser();
  assert.ok(later.user.userId);
});
