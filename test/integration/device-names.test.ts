// Device names, last seen and idle sign-out against a real nats-server and gateway:
// - a device's name is sealed to its user's key: the gateway's device record (opened with the
//   server secret, i.e. what a full server compromise reads) holds no name, the certificate says
//   only "device"; the user's other device reads and renames it; another user cannot;
// - the gateway records the day of each log-in / refresh;
// - the idle sweep (clock injected: no waiting days) revokes an idle device of a user in an org
//   whose rule says so, through the revocation path (its connection is cut, its JWT refused), and
//   keeps a fresh device, and a user outside the org.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { toHex, utf8 } from '../../core/bytes.ts';
import { AdminApi } from '../../core/client/admin-api.ts';
import { refreshDeviceJwt } from '../../core/client/device-jwt.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { encode } from '../../core/codec.ts';
import { verifyDeviceCertificate, verifyUserIdentity } from '../../core/crypto/index.ts';
import { MalformedError, NotFoundError } from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { connectAsDevice } from '../../core/transport/connect.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import { DEVICE_SUBJECTS } from '../../core/transport/subjects.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import { v1 } from '../../proto/index.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const DAY = 24 * 3600_000;
let stack: TestStack;
let gateway: Gateway;
before(async () => {
  stack = await startStack();
  // The timer is not what this file tests: the sweeps below are called with an injected clock.
  gateway = await stack.startGateway({ idleSweepIntervalMs: 3600_000 });
});
after(() => stack?.stop());

const today = () => Math.floor(Date.now() / DAY);

async function deviceRecord(deviceKey: Uint8Array) {
  const record = await gateway.context.buckets.devices.get(toHex(deviceKey));
  assert.ok(record, 'the device has a record');
  return record;
}

/** Everything the gateway stores about a device, as bytes: the KV value and the opened record. */
async function storedBytes(deviceKey: Uint8Array): Promise<Buffer> {
  const raw = await (await stack.bucket('rk_devices')).get(toHex(deviceKey));
  const opened = v1.DeviceRecord.encode((await deviceRecord(deviceKey)).value).finish();
  return Buffer.concat([Buffer.from(raw?.value ?? []), Buffer.from(opened)]);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('a device name is sealed: the gateway stores no name; the user’s devices read and rename it', async () => {
  const username = `names-${process.pid}`;
  const password = 'pw-names-1';
  const name = 'Kitchen laptop zq7';
  const first: RoomKeySession = await stack.signUpSession({ username, password, deviceName: name });
  assert.equal(
    (await storedBytes(first.deviceKey)).includes(Buffer.from('Kitchen')),
    false,
    'no name in what the gateway stores at sign-up',
  );
  // Its first session names the device in the background.
  const firstName = await until('the first device to name itself', async () => {
    const details = await first.deviceDetails();
    return details.get(toHex(first.deviceKey))?.name;
  });
  assert.equal(firstName, name);

  const stored = await storedBytes(first.deviceKey);
  assert.equal(stored.includes(Buffer.from('Kitchen')), false, 'no name in what the gateway stores');
  const record = (await deviceRecord(first.deviceKey)).value;
  assert.ok(record.sealedName.length > 0, 'a sealed name is stored');
  const user = await first.devices();
  assert.equal(
    user.find((d) => d.current)?.name,
    'device',
    'the (plaintext, signed) certificate carries the generic name',
  );
  // …checked against the certificate the gateway holds, not only what the client made of it.
  const identity = await verifyUserIdentity(
    (await gateway.context.buckets.users.get(first.userId))!.value.identity!,
  );
  const certificate = await verifyDeviceCertificate(record.deviceCertificate!, identity, 0);
  assert.equal(certificate.deviceName, 'device');

  // A second device of the same user (signed in with the password) reads the name and renames it.
  const second = await stack.signInSession(username, password, {
    backend: new MemoryBackend(),
    deviceName: 'Desk tower',
  });
  const seenBySecond = await second.deviceDetails();
  assert.equal(seenBySecond.get(toHex(first.deviceKey))?.name, name);
  await second.renameDevice(first.deviceKey, '  Work   laptop ');
  assert.equal((await first.deviceDetails()).get(toHex(first.deviceKey))?.name, 'Work laptop');
  assert.equal((await storedBytes(first.deviceKey)).includes(Buffer.from('Work')), false);
  await assert.rejects(
    second.renameDevice(first.deviceKey, '   '),
    MalformedError,
    'an empty name is refused',
  );

  // Another user cannot rename it, nor store junk as a name.
  const other = await stack.signUpSession({ username: `names-other-${process.pid}` });
  await assert.rejects(other.renameDevice(first.deviceKey, 'mine now'), NotFoundError);
  await assert.rejects(
    gatewayRequest(
      first.nc,
      DEVICE_SUBJECTS.name,
      encode(v1.RenameDeviceRequest, { deviceKey: first.deviceKey, sealedName: utf8('plain name') }),
    ),
    MalformedError,
    'a plaintext name is not a sealed name',
  );
});

test('the gateway records the day of each log-in and refresh', async () => {
  const { user, device } = await stack.registerUser();
  assert.equal((await deviceRecord(device.publicKey)).value.lastSeenDay, today(), 'sign-up');
  const on = await stack.logInDevice(user, device);
  // Pretend it was last seen five days ago; a refresh records today again.
  const old = await deviceRecord(device.publicKey);
  await gateway.context.buckets.devices.update(
    toHex(device.publicKey),
    { ...old.value, lastSeenDay: today() - 5 },
    old.revision,
    'raced',
  );
  await refreshDeviceJwt(on.nc, device.secretKey);
  assert.equal((await deviceRecord(device.publicKey)).value.lastSeenDay, today(), 'refresh');
  // The user's devices get it (only the day: no finer time than the beacons already give).
  const seen = v1.DeviceSeenList.decode(
    await gatewayRequest(on.nc, 'rk.v1.gw.device.pairing.seen', new Uint8Array(0)),
  );
  assert.equal(seen.devices[0]?.lastSeenDay, today());
});

test('the idle sweep revokes an idle device of a user in an org with the rule, and keeps the others', async () => {
  const alice = await stack.signUpSession({ username: `idle-alice-${process.pid}` });
  const { user: bob, device: phone } = await stack.registerUser();
  const laptop = await stack.newDevice(bob);
  const onPhone = await stack.logInDevice(bob, phone);
  const onLaptop = await stack.logInDevice(bob, laptop);
  const { user: carol, device: carolsOnly } = await stack.registerUser();
  const onCarol = await stack.logInDevice(carol, carolsOnly);
  const statuses: string[] = [];
  void (async () => {
    for await (const s of onLaptop.nc.status())
      statuses.push(`${s.type}:${'error' in s ? (s as { error?: Error }).error?.message : ''}`);
  })();

  const admin = new AdminApi(() => alice.nc, { timeoutMs: 3000 });
  const orgId = `idle${Date.now()}`;
  await admin.createOrg(orgId);
  await admin.grant({ level: 'org', orgId }, bob.userId, 2);
  await assert.rejects(admin.setRules({ level: 'org', orgId }, { deviceIdleDays: 91 }), MalformedError);
  await admin.createProject(orgId, 'p');
  await assert.rejects(
    admin.setRules({ level: 'project', orgId, projectId: 'p' }, { deviceIdleDays: 30 }),
    MalformedError,
    'an org rule only',
  );
  const level = await admin.setRules({ level: 'org', orgId }, { deviceIdleDays: 30 });
  assert.equal(level.rules.deviceIdleDays, 30);

  const { markDeviceSeen } = await import('../../gateway/device-last-seen.ts');
  const { sweepIdleDevices } = await import('../../gateway/device-idle-sweep.ts');
  // 31 days on: the phone refreshed that day, the laptop (and Carol, outside the org) did not.
  const later = { ...gateway.context, now: () => Date.now() + 31 * DAY };
  await markDeviceSeen(later, phone.publicKey);
  const swept = await sweepIdleDevices(later);
  assert.ok(swept.revoked >= 1, `revoked: ${JSON.stringify(swept)}`);
  assert.ok(
    Number((await deviceRecord(laptop.publicKey)).value.revokedAtMs) > 0,
    'the idle laptop is revoked',
  );
  assert.equal(Number((await deviceRecord(phone.publicKey)).value.revokedAtMs), 0, 'the fresh phone is kept');
  assert.equal(
    Number((await deviceRecord(carolsOnly.publicKey)).value.revokedAtMs),
    0,
    'a user outside the org is kept',
  );

  // Through the revocation path: the laptop's connection is cut and its JWT refused.
  for (let i = 0; i < 60 && !statuses.some((s) => /revoked/i.test(s)); i++) await sleep(50);
  assert.ok(
    statuses.some((s) => /revoked/i.test(s)),
    `statuses: ${statuses.join(', ')}`,
  );
  await assert.rejects(
    connectAsDevice({
      servers: stack.nats.wsUrl,
      jwt: () => onLaptop.credential.userJwt,
      deviceSecretKey: laptop.secretKey,
      options: { maxReconnectAttempts: 0, reconnect: false, timeout: 3000 },
    }),
    /authorization|authentication/i,
  );
  assert.ok((await refreshDeviceJwt(onPhone.nc, phone.secretKey)).userJwt, 'the phone still refreshes');
  assert.ok((await refreshDeviceJwt(onCarol.nc, carolsOnly.secretKey)).userJwt, 'Carol still refreshes');
  // A second sweep (or another gateway's) finds nothing more to do.
  assert.equal((await sweepIdleDevices(later)).revoked, 0);

  // A gateway sweeps on start too: one whose clock says 40 days on revokes Bob's tablet (last seen
  // today), keeps his phone (seen on day 31) and skips the laptop (revoked already).
  const tablet = await stack.newDevice(bob);
  await stack.logInDevice(bob, tablet);
  const starting = await stack.startGateway({
    now: () => Date.now() + 40 * DAY,
    idleSweepIntervalMs: 3600_000,
  });
  try {
    await until('the starting gateway to sweep', async () =>
      Number((await deviceRecord(tablet.publicKey)).value.revokedAtMs) > 0 ? true : undefined,
    );
    assert.equal(Number((await deviceRecord(phone.publicKey)).value.revokedAtMs), 0, 'the phone is kept');
  } finally {
    await starting.stop();
    stack.gateways.splice(stack.gateways.indexOf(starting), 1);
  }
});
