// Revoking a device: the gateway marks it revoked, adds its nkey to the app account JWT's
// revocation list and pushes that account JWT to nats-server 2.9 through the system account. The
// server closes the device's live connection at once and refuses its JWT from then on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decode as decodeJwt } from '@nats-io/jwt';
import { logIn, refreshDeviceJwt, revokeDevice } from '../../core/client/auth.ts';
import { BadSignatureError, NotFoundError, RevokedError, UnavailableError } from '../../core/errors.ts';
import { connectAsDevice } from '../../core/transport/connect.ts';
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

test('nats-server forgets pushed revocations on restart; gateways push them again on start and on reconnect', async () => {
  const { user, device } = await stack.registerUser();
  const other = await stack.newDevice(user);
  const me = await stack.logInDevice(user, device);
  const onOther = await stack.logInDevice(user, other);
  await revokeDevice(me.nc, { deviceKey: other.publicKey, userSigningSecretKey: user.signingSecretKey });
  const connectOther = () =>
    connectAsDevice({
      servers: stack.nats.wsUrl,
      jwt: () => onOther.credential.userJwt,
      deviceSecretKey: other.secretKey,
      options: { maxReconnectAttempts: 0, reconnect: false, timeout: 2000 },
    });
  await assert.rejects(connectOther(), /authorization|authentication/i);

  // The MEMORY resolver reloads the config's account JWT (no revocations) on a restart: with no
  // gateway running, the revoked device gets in again...
  await Promise.all(stack.gateways.splice(0).map((g) => g.stop()));
  await stack.nats.restart();
  const inAgain = await connectOther();
  await inAgain.close();
  // ...until a gateway starts: it pushes the current list first thing.
  await stack.startGateway();
  await assert.rejects(connectOther(), /authorization|authentication/i);

  // A running gateway pushes again when its system connection comes back after a restart. Until
  // it has, the device could get in: poll (bounded) until it is refused.
  await stack.nats.restart();
  let refused = false;
  // Bounded by time, not tries: the gateway's system connection reconnects on nats.js's own
  // schedule (a few seconds with jitter), then pushes the list.
  const deadline = Date.now() + 20_000;
  while (!refused && Date.now() < deadline) {
    try {
      const nc = await connectOther();
      await nc.close();
      await sleep(100);
    } catch (error) {
      // Only an authorization refusal counts; the server still starting up is not a refusal.
      if (/authorization|authentication/i.test(String((error as Error)?.message ?? error))) refused = true;
      else await sleep(100);
    }
  }
  assert.ok(refused, 'refused again after the restart');
  // And the gateway still serves the other device once both connections came back by themselves
  // (each reconnects on its own schedule, so allow a bounded number of tries).
  let fresh: Awaited<ReturnType<typeof refreshDeviceJwt>> | undefined;
  for (let attempt = 0; attempt < 6 && !fresh; attempt++) {
    try {
      fresh = await refreshDeviceJwt(me.nc, device.secretKey, { timeoutMs: 5000 });
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
    }
  }
  assert.ok(fresh?.userJwt, 'the gateway answers again after the restart');
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
