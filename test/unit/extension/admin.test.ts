// The admin commands for devices: argument checks, the list as the popup sees it, and revoking
// (never this device: that is signing out). The session is a fake; the hub's access rule is in
// hub.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toBase64Url } from '../../../core/bytes.ts';
import { LockedError, MalformedError, NotFoundError, UnsupportedError } from '../../../core/errors.ts';
import type { Account } from '../../../extension/lib/account.ts';
import { type AdminContext, CurrentDeviceError, handleAdmin } from '../../../extension/lib/admin.ts';
import type { BackgroundSession, DeviceInfo } from '../../../extension/lib/background-session.ts';
import { checkAdmin } from '../../../extension/lib/messages.ts';

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const THIS = key(1);
const PHONE = key(2);
const OLD = key(3);

function context(keys: 'ready' | 'locked' | 'signed-out' = 'ready') {
  const revoked: Uint8Array[] = [];
  const renamed: [Uint8Array, string][] = [];
  const devices: DeviceInfo[] = [
    { deviceKey: THIS, name: 'Laptop', revokedAtMs: 0, current: true },
    { deviceKey: PHONE, name: 'Phone', issuedAtMs: 1_700_000_000_000, revokedAtMs: 0, current: false },
    { deviceKey: OLD, name: 'Old', revokedAtMs: 1_710_000_000_000, current: false },
  ];
  const session = {
    devices: async () => devices,
    revokeDevice: async (deviceKey: Uint8Array) => {
      revoked.push(deviceKey);
    },
    renameDevice: async (deviceKey: Uint8Array, name: string) => {
      renamed.push([deviceKey, name]);
    },
  } as Partial<BackgroundSession> as BackgroundSession;
  const account = {
    state: { keys, connection: 'online', session: null, gateway: null },
    session: () => {
      if (keys !== 'ready') throw new LockedError('locked');
      return session;
    },
  } as unknown as Account;
  const ctx = { account } as Partial<AdminContext> as AdminContext;
  const run = (command: string, args: unknown) => handleAdmin(ctx, checkAdmin(command, args));
  return { run, revoked, renamed, session };
}

describe('admin: devices', () => {
  it('checks the revokeDevice argument', () => {
    const good = toBase64Url(PHONE);
    assert.deepEqual(checkAdmin('revokeDevice', { deviceKey: good, extra: 1 }), {
      command: 'revokeDevice',
      args: { deviceKey: good },
    });
    for (const args of [
      {},
      null,
      { deviceKey: 42 },
      { deviceKey: good.slice(1) },
      { deviceKey: `${good}A` },
      { deviceKey: `${good.slice(0, -1)}=` },
      { deviceKey: `${good.slice(0, -1)}+` },
      { deviceKey: PHONE },
    ]) {
      assert.throws(() => checkAdmin('revokeDevice', args), MalformedError, JSON.stringify(args));
    }
    assert.deepEqual(checkAdmin('devices', { anything: true }), { command: 'devices', args: {} });
    assert.throws(() => checkAdmin('revokeDevices', {}), UnsupportedError);
  });

  it('lists the devices with key, issue date, current and revoked', async () => {
    const { run } = context();
    assert.deepEqual(await run('devices', {}), [
      { deviceKey: toBase64Url(THIS), name: 'Laptop', issuedAtMs: null, revokedAtMs: 0, current: true },
      {
        deviceKey: toBase64Url(PHONE),
        name: 'Phone',
        issuedAtMs: 1_700_000_000_000,
        revokedAtMs: 0,
        current: false,
      },
      {
        deviceKey: toBase64Url(OLD),
        name: 'Old',
        issuedAtMs: null,
        revokedAtMs: 1_710_000_000_000,
        current: false,
      },
    ]);
  });

  it('lists nothing while locked or signed out', async () => {
    assert.deepEqual(await context('locked').run('devices', {}), []);
    assert.deepEqual(await context('signed-out').run('devices', {}), []);
  });

  it('revokes another device', async () => {
    const { run, revoked } = context();
    assert.equal(await run('revokeDevice', { deviceKey: toBase64Url(PHONE) }), null);
    assert.deepEqual(revoked, [PHONE]);
  });

  it('refuses this device (sign out instead), unknown devices, and a locked account', async () => {
    const { run, revoked } = context();
    await assert.rejects(run('revokeDevice', { deviceKey: toBase64Url(THIS) }), (e: Error) => {
      assert.ok(e instanceof CurrentDeviceError);
      assert.equal((e as CurrentDeviceError).code, 'conflict');
      assert.match(e.message, /sign out/);
      return true;
    });
    await assert.rejects(run('revokeDevice', { deviceKey: toBase64Url(key(9)) }), NotFoundError);
    await assert.rejects(
      context('locked').run('revokeDevice', { deviceKey: toBase64Url(PHONE) }),
      LockedError,
    );
    assert.deepEqual(revoked, []);
  });

  it('renames a device through the session (one code path); checks the arguments', async () => {
    const { run, renamed } = context();
    assert.equal(await run('renameDevice', { deviceKey: toBase64Url(PHONE), name: 'Work phone' }), null);
    assert.deepEqual(renamed, [[PHONE, 'Work phone']]);
    for (const args of [
      { deviceKey: toBase64Url(PHONE) },
      { deviceKey: toBase64Url(PHONE), name: 'x'.repeat(257) },
      { name: 'a' },
    ]) {
      assert.throws(() => checkAdmin('renameDevice', args), MalformedError, JSON.stringify(args));
    }
  });

  it('lists sealed names opened by the session and the last-seen day', async () => {
    const { run, session } = context();
    session.deviceDetails = async () =>
      new Map([
        [
          Buffer.from(PHONE).toString('hex'),
          { name: 'Firefox on Linux', lastSeenMs: 0, lastSeenDay: 20_000 },
        ],
      ]);
    const list = (await run('devices', {})) as { name: string; lastSeenDay?: number }[];
    assert.equal(list[1]?.name, 'Firefox on Linux', 'the sealed name over the certificate’s');
    assert.equal(list[1]?.lastSeenDay, 20_000);
    assert.equal(list[0]?.name, 'Laptop', 'a certificate’s own name where nothing sealed exists');
  });

  it('does not revoke an already revoked device again', async () => {
    const { run, revoked } = context();
    assert.equal(await run('revokeDevice', { deviceKey: toBase64Url(OLD) }), null);
    assert.deepEqual(revoked, []);
  });
});
