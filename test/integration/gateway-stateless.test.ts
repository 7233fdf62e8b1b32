// Gateways keep no state of their own: a login started on one finishes on another, a gateway can
// restart mid-session, and several gateways serve the same users at once (queue group + KV).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as opaque from '@serenity-kit/opaque';
import { logIn, refreshDeviceJwt } from '../../core/client/auth.ts';
import { decode, encode } from '../../core/codec.ts';
import { UnavailableError } from '../../core/errors.ts';
import { openDeviceSession } from '../../core/transport/device-session-key.ts';
import { newReplyKey } from '../../core/transport/reply-seal.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import { LOGIN_SUBJECTS } from '../../core/transport/subjects.ts';
import { v1 } from '../../proto/index.ts';
import { startLogin } from '../helpers/login.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await opaque.ready;
});
after(() => stack?.stop());

test('a gateway restart mid-session: the device waits, then carries on with a new instance', async () => {
  const first = await stack.startGateway();
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  await first.stop();
  stack.gateways.splice(stack.gateways.indexOf(first), 1);
  // No gateway: a typed "unavailable", and the device connection itself stays up (NATS does not care).
  await assert.rejects(refreshDeviceJwt(me.nc, device.secretKey, { timeoutMs: 500 }), UnavailableError);
  assert.equal(me.nc.isClosed(), false);

  await stack.startGateway(); // a new instance from the same data directory
  const fresh = await refreshDeviceJwt(me.nc, device.secretKey);
  assert.ok(fresh.expiresAtMs > Date.now());
  const again = await logIn(await stack.loginConnection(), {
    username: user.username,
    password: user.password,
    deviceCertificate: device.certificate,
  });
  assert.equal(again.userId, user.userId);
});

test('a login started on one gateway finishes on another', async () => {
  await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
  const a = await stack.startGateway();
  const { user, device } = await stack.registerUser();
  const anon = await stack.loginConnection();
  const started = await startLogin(anon, user);
  await a.stop();
  stack.gateways.splice(0);
  await stack.startGateway(); // only B is up now
  assert.ok(started.sessionKey);
  const replyKey = newReplyKey();
  const response = decode(
    v1.LoginFinishResponse,
    await gatewayRequest(
      anon,
      LOGIN_SUBJECTS.loginFinish,
      encode(v1.LoginFinishRequest, {
        loginHandle: started.handle,
        credentialFinalization: started.ke3,
        deviceCertificate: device.certificate,
        replyKey,
      }),
      { replyKey },
    ),
    'finish',
  );
  const session = decode(
    v1.DeviceSession,
    openDeviceSession(started.sessionKey, response.nonce, response.sealedSession),
    'session',
  );
  assert.ok(session.userJwt);
});

test('two gateways at once serve the same users; one stopping does not interrupt service', async () => {
  await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
  const first = await stack.startGateway();
  const second = await stack.startGateway();
  const users = await Promise.all([1, 2, 3, 4, 5, 6].map(() => stack.registerUser()));
  const sessions = await Promise.all(users.map(({ user, device }) => stack.logInDevice(user, device)));
  assert.equal(sessions.length, 6);
  // 24 requests shared by a queue group: both instances took part.
  assert.ok(
    first.stats().answered > 0 && second.stats().answered > 0,
    JSON.stringify([first.stats(), second.stats()]),
  );
  assert.equal(first.stats().refused + second.stats().refused, 0);
  await second.stop();
  stack.gateways.splice(stack.gateways.indexOf(second), 1);
  for (const [i, s] of sessions.entries()) {
    const fresh = await refreshDeviceJwt(s.nc, users[i]!.device.secretKey);
    assert.ok(fresh.userJwt);
  }
});
