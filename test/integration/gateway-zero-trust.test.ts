// Zero trust through NATS itself: the shared login credential may only call the login subjects and
// read its sealed replies; a device may only use its own inbox, notification and presence subjects
// and the device API. Everything else is a NATS permission error, not a gateway decision.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromPublic } from '@nats-io/nkeys';
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { toHex, utf8 } from '../../core/bytes.ts';
import { logIn } from '../../core/client/auth.ts';
import { decode } from '../../core/codec.ts';
import { ForbiddenError } from '../../core/errors.ts';
import { deviceAuthenticator } from '../../core/transport/device-authenticator.ts';
import { publicKeyOfUserNkey, userNkey } from '../../core/transport/nkey.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import {
  DEVICE_SUBJECTS,
  deviceInboxPrefix,
  LOGIN_INBOX_PREFIX,
  notifySubject,
  presenceSubject,
} from '../../core/transport/subjects.ts';
import { v1 } from '../../proto/index.ts';
import { publishRefused, subscribeRefused } from '../helpers/authz.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('the login credential cannot subscribe to anything but its inbox', async () => {
  const anon = await stack.loginConnection();
  for (const subject of [
    'rk.v1.gw.>',
    'rk.v1.gw.anon.login.start',
    '_INBOX.>',
    '_RK_INBOX.>',
    'rk.v1.notify.>',
    'rk.v1.presence.>',
    'rk.v1.room.>',
    '$JS.API.>',
    '$KV.>',
    '>',
  ]) {
    assert.equal(
      (await subscribeRefused(anon, subject)).refused,
      true,
      `subscribe ${subject} must be refused`,
    );
  }
  assert.equal(
    (await subscribeRefused(anon, `${LOGIN_INBOX_PREFIX}.mine.*`)).refused,
    false,
    'its own inbox is allowed',
  );
  assert.equal(anon.isClosed(), false, 'permission errors do not close the connection');
});

test('the login credential cannot publish outside the login subjects', async () => {
  const anon = await stack.loginConnection();
  for (const subject of [
    DEVICE_SUBJECTS.refresh,
    DEVICE_SUBJECTS.revoke,
    '$JS.API.INFO',
    'rk.v1.room.r1.msg',
    'rk.v1.presence.x',
    '_RK_INBOX.x.y',
  ]) {
    assert.equal(await publishRefused(anon, subject), true, `publish ${subject} must be refused`);
  }
  await assert.rejects(
    gatewayRequest(anon, DEVICE_SUBJECTS.refresh, new Uint8Array(0), { timeoutMs: 1000 }),
    ForbiddenError,
  );
});

test('an eavesdropper on the login inbox sees only sealed replies', async () => {
  const { user, device } = await stack.registerUser();
  const spy = await stack.loginConnection();
  const captured: Uint8Array[] = [];
  spy.subscribe(`${LOGIN_INBOX_PREFIX}.>`, {
    callback: (_e, m) => {
      captured.push(m.data);
    },
  });
  await spy.flush();
  const victim = await stack.loginConnection();
  const session = await logIn(victim, {
    username: user.username,
    password: user.password,
    deviceCertificate: device.certificate,
  });
  await sleep(100);
  assert.ok(captured.length >= 2, `the spy saw ${captured.length} replies`);
  const jwt = utf8(session.userJwt);
  for (const data of captured) {
    assert.equal(decode(v1.Reply, data, 'reply').result, 'sealed');
    assert.ok(!toHex(data).includes(toHex(jwt.subarray(0, 24))), 'no JWT in clear');
    assert.ok(!toHex(data).includes(toHex(session.identity.body!.subarray(0, 24))), 'no identity in clear');
  }
});

test("a device may use its own subjects, and no other device's", async () => {
  const a = await stack.registerUser();
  const b = await stack.registerUser();
  const onA = await stack.logInDevice(a.user, a.device);
  const nkeyB = b.device.nkey;
  assert.equal((await subscribeRefused(onA.nc, notifySubject(a.device.nkey))).refused, false);
  assert.equal((await subscribeRefused(onA.nc, `${deviceInboxPrefix(a.device.nkey)}.x`)).refused, false);
  for (const subject of [
    notifySubject(nkeyB),
    `${deviceInboxPrefix(nkeyB)}.>`,
    '_RK_INBOX.>',
    `${LOGIN_INBOX_PREFIX}.>`,
    presenceSubject(a.device.nkey),
    'rk.v1.room.>',
    '$JS.API.>',
  ]) {
    assert.equal(
      (await subscribeRefused(onA.nc, subject)).refused,
      true,
      `subscribe ${subject} must be refused`,
    );
  }
  for (const subject of [
    presenceSubject(nkeyB),
    'rk.v1.gw.anon.login.start',
    '$JS.API.STREAM.LIST',
    'rk.v1.room.r1.msg',
    notifySubject(nkeyB),
  ]) {
    assert.equal(await publishRefused(onA.nc, subject), true, `publish ${subject} must be refused`);
  }
  assert.equal(
    await publishRefused(onA.nc, presenceSubject(a.device.nkey)),
    false,
    'its own presence is allowed',
  );
});

test('device nkeys are the device keys, in the nkeys.js encoding', () => {
  for (let i = 0; i < 20; i++) {
    const secret = randomBytes(32);
    const pub = ed25519.getPublicKey(secret);
    const nkey = userNkey(pub);
    const kp = fromPublic(nkey); // nkeys.js checks prefix and checksum
    const message = randomBytes(40);
    assert.equal(kp.verify(message, ed25519.sign(message, secret)), true);
    assert.deepEqual(publicKeyOfUserNkey(nkey), pub);
  }
});

test('the device authenticator signs NATS nonces only, never a RoomKey-labeled message', () => {
  const auth = deviceAuthenticator(() => 'jwt', randomBytes(32));
  assert.ok((auth('aBcD_e-F0123456') as { sig: string }).sig);
  for (const nonce of ['roomkey/v1/envelope\u0000abc', '', 'has space', 'x'.repeat(200), undefined]) {
    assert.throws(() => auth(nonce), ForbiddenError);
  }
});
