// Pairing attempts are rate-limited at the gateway: channels opened by new devices and hellos said
// by old devices, per connection and per source address (here: 3 per address, to see the limit).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { offerPairing } from '../../core/client/pairing-new-device.ts';
import { encode } from '../../core/codec.ts';
import { randomBytes } from '../../core/crypto/index.ts';
import { NotFoundError, RateLimitedError } from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import { PAIRING_SUBJECTS } from '../../core/transport/subjects.ts';
import { v1 } from '../../proto/index.ts';
import { startStack, TEST_STORE_PARAMS, type TestStack } from '../helpers/stack.ts';

const LIMIT = { maxAttempts: 3, windowMs: 60_000, lockMs: 60_000 };
let stack: TestStack;
before(async () => {
  stack = await startStack({ pairingRateLimits: { source: LIMIT } });
  await stack.startGateway();
});
after(() => stack?.stop());

test('the fourth pairing offer from one address within the window is refused with a retry time', async () => {
  const options = () => ({
    config: stack.clientConfig(),
    backend: new MemoryBackend(),
    storeParams: TEST_STORE_PARAMS,
    password: 'pw',
  });
  const offers = [];
  for (let i = 0; i < 3; i++) offers.push(await offerPairing(options()));
  const refused = await offerPairing(options()).then(
    () => assert.fail('a fourth offer was accepted'),
    (error: unknown) => error,
  );
  assert.ok(refused instanceof RateLimitedError, `got ${(refused as Error).name}`);
  assert.ok(refused.retryAtMs > Date.now(), 'says when to retry');
  for (const o of offers) await o.cancel();
});

test('the fourth hello from one address within the window is refused', async () => {
  const session = await stack.signUpSession();
  const hello = () =>
    gatewayRequest(
      session.nc,
      PAIRING_SUBJECTS.hello,
      encode(v1.PairingHelloRequest, { channelId: randomBytes(16), hello: randomBytes(8) }),
      { timeoutMs: 3000 },
    );
  for (let i = 0; i < 3; i++) await assert.rejects(hello(), NotFoundError);
  await assert.rejects(hello(), RateLimitedError);
});
