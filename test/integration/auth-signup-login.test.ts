// Sign-up and log-in with OPAQUE through a real nats-server and gateway, over WebSocket.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decode as decodeJwt } from '@nats-io/jwt';
import { logIn, signUp } from '../../core/client/auth.ts';
import { BadCredentialsError, ConflictError, MalformedError } from '../../core/errors.ts';
import { deviceInboxPrefix, notifySubject } from '../../core/transport/subjects.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('sign up, log in, and connect as the device with the issued JWT', async () => {
  const { user, device } = await stack.registerUser('Alice');
  const me = await stack.logInDevice(user, device);
  assert.equal(me.session.userId, user.userId);
  assert.ok(me.session.expiresAtMs > Date.now() + 3500_000, 'default lifetime is about 1 h');
  assert.ok(me.session.exportKey.length >= 32);

  const claims = decodeJwt<{ pub: { allow: string[] }; sub: { allow: string[] } }>(me.session.userJwt);
  assert.equal(claims.sub, device.nkey, 'the JWT is for the device key');
  assert.equal(claims.nats.sub?.allow?.includes(`${deviceInboxPrefix(device.nkey)}.>`), true);
  assert.equal(claims.nats.sub?.allow?.includes(notifySubject(device.nkey)), true);

  // The connection works: a round trip on its own notification subject.
  const sub = me.nc.subscribe(notifySubject(device.nkey), { max: 1 });
  await me.nc.flush();
  assert.equal(me.nc.isClosed(), false);
  sub.unsubscribe();
});

test('a wrong password is a BadCredentialsError; the right one still works', async () => {
  const { user, device } = await stack.registerUser();
  const login = await stack.loginConnection();
  await assert.rejects(
    logIn(login, {
      username: user.username,
      password: 'not the password',
      deviceCertificate: device.certificate,
    }),
    BadCredentialsError,
  );
  const ok = await logIn(login, {
    username: user.username,
    password: user.password,
    deviceCertificate: device.certificate,
  });
  assert.equal(ok.userId, user.userId);
});

test('an unknown username looks like a wrong password', async () => {
  const user = await stack.newUser('nobody-here');
  const device = await stack.newDevice(user);
  const login = await stack.loginConnection();
  await assert.rejects(
    logIn(login, { username: user.username, password: 'x', deviceCertificate: device.certificate }),
    BadCredentialsError,
  );
});

test('usernames are normalized and unique', async () => {
  await stack.registerUser('bob.smith');
  const again = await stack.newUser('ＢＯＢ.smith '); // NFKC folds fullwidth letters, then lowercase + trim
  const login = await stack.loginConnection();
  await assert.rejects(
    signUp(login, {
      username: again.username,
      password: 'p',
      identity: again.identity,
      deviceCertificate: (await stack.newDevice(again)).certificate,
    }),
    ConflictError,
  );
  await assert.rejects(
    signUp(login, {
      username: 'a b',
      password: 'p',
      identity: again.identity,
      deviceCertificate: (await stack.newDevice(again)).certificate,
    }),
    MalformedError,
  );
});

test('a second device of the same user logs in with its own certificate', async () => {
  const { user, device } = await stack.registerUser();
  const first = await stack.logInDevice(user, device);
  const second = await stack.logInDevice(user, await stack.newDevice(user));
  assert.notEqual(first.device.nkey, second.device.nkey);
  assert.equal(second.session.userId, user.userId);
});
