// Device JWTs are short-lived: NATS ends a connection whose JWT expired; refreshing before expiry
// (on the device's own connection, proved with the device key) keeps it alive, and each new JWT
// reflects current state — here, the rooms the directory says the user is in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decode as decodeJwt } from '@nats-io/jwt';
import type { NatsConnection } from '@nats-io/nats-core';
import { keepDeviceJwtFresh, refreshDeviceJwt } from '../../core/client/auth.ts';
import { encode } from '../../core/codec.ts';
import { BadSignatureError, ExpiredError, ForbiddenError } from '../../core/errors.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import { DEVICE_SUBJECTS, roomSubject } from '../../core/transport/subjects.ts';
import type { RoomGrant } from '../../gateway/room-permissions.ts';
import { v1 } from '../../proto/index.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const LIFETIME_MS = 2000;
const rooms = new Map<string, RoomGrant[]>();
let stack: TestStack;
before(async () => {
  stack = await startStack({
    jwtLifetimeMs: LIFETIME_MS,
    roomGrants: async (userId) => rooms.get(userId) ?? [],
  });
  await stack.startGateway();
});
after(() => stack?.stop());

/** Resolves when the connection reports an error status matching `pattern`, or after `ms`. */
async function statusError(nc: NatsConnection, pattern: RegExp, ms: number): Promise<string | undefined> {
  const deadline = sleep(ms, undefined, { ref: false });
  const seen = (async () => {
    for await (const s of nc.status()) {
      const text = 'error' in s ? String((s as { error?: Error }).error?.message ?? '') : '';
      if (s.type === 'error' && pattern.test(text)) return text;
    }
    return undefined;
  })();
  return Promise.race([seen, deadline]);
}

test('a device JWT expires: NATS closes the connection and it cannot come back', async () => {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const claims = decodeJwt(me.session.userJwt);
  assert.ok(claims.exp && claims.exp * 1000 <= Date.now() + LIFETIME_MS, 'exp is about now + 2 s');
  const expired = await statusError(me.nc, /expired/i, LIFETIME_MS + 3000);
  assert.ok(expired, 'the server reported the JWT as expired');
  await assert.rejects(refreshDeviceJwt(me.nc, device.secretKey, { timeoutMs: 1000 }));
});

test('refreshing before expiry keeps the device connected across several lifetimes', async () => {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const first = me.credential.expiresAtMs;
  let refreshed = 0;
  const fresh = keepDeviceJwtFresh({
    nc: me.nc,
    credential: me.credential,
    deviceSecretKey: device.secretKey,
    onRefreshed: () => refreshed++,
  });
  try {
    await sleep(LIFETIME_MS * 2.5);
    assert.ok(refreshed >= 2, `refreshed ${refreshed} times`);
    assert.ok(me.credential.expiresAtMs > first);
    assert.equal(me.nc.isClosed(), false);
    // The connection still answers: a request on it works.
    const again = await refreshDeviceJwt(me.nc, device.secretKey, { timeoutMs: 2000 });
    assert.ok(again.expiresAtMs >= me.credential.expiresAtMs);
  } finally {
    fresh.stop();
  }
});

test('a membership change shows in the next JWT: room subjects appear after refresh', async () => {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const room = `room${Date.now()}`;
  const denied = me.nc.subscribe(roomSubject(room, '>'));
  const refused = await statusError(me.nc, /permissions violation/i, 2000);
  assert.ok(refused, 'not a member yet: NATS refuses the room subscription');
  denied.unsubscribe();

  rooms.set(user.userId, [{ roomId: room, send: true, history: 'stream' }]);
  const next = await refreshDeviceJwt(me.nc, device.secretKey);
  const claims = decodeJwt<{ pub: { allow: string[] } }>(next.userJwt);
  assert.ok(claims.nats.pub?.allow?.includes(roomSubject(room, 'msg')));
  assert.ok(!claims.nats.pub?.allow?.includes(roomSubject(room, 'commit')), 'commit not granted');
  me.credential.userJwt = next.userJwt;
  await me.nc.reconnect();
  const sub = me.nc.subscribe(roomSubject(room, '>'), { max: 1 });
  me.nc.publish(roomSubject(room, 'msg'), new Uint8Array([1, 2, 3]));
  for await (const msg of sub) assert.deepEqual([...msg.data], [1, 2, 3]);
  rooms.delete(user.userId);
});

test("a refresh must be proved by the connection's own device key, recently", async () => {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const other = await stack.newDevice(user);
  // Signed by another key than the connection's: refused.
  await assert.rejects(refreshDeviceJwt(me.nc, other.secretKey), ForbiddenError);
  // An old proof: refused.
  await assert.rejects(
    refreshDeviceJwt(me.nc, device.secretKey, { now: Date.now() - 10 * 60_000 }),
    ExpiredError,
  );
  // A bad signature: refused.
  const bad = encode(v1.RefreshRequest, {
    deviceKey: device.publicKey,
    requestedAtMs: Date.now(),
    proof: new Uint8Array(64),
  });
  await assert.rejects(gatewayRequest(me.nc, DEVICE_SUBJECTS.refresh, bad), BadSignatureError);
});
