// Settings (previews, idle lock, the gateway the sign-in forms start with) and the idle-lock rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedError } from '../../../core/errors.ts';
import { idleDetectionSeconds, MIN_IDLE_SECONDS, shouldLock } from '../../../extension/lib/idle-lock.ts';
import { checkAdmin } from '../../../extension/lib/messages.ts';
import { DEFAULT_SETTINGS, SettingsStore } from '../../../extension/lib/settings.ts';
import { FakeArea } from './fakes.ts';

describe('settings', () => {
  it('defaults to no previews and a 15-minute idle lock; changes persist', async () => {
    const area = new FakeArea();
    assert.deepEqual(await new SettingsStore(area).get(), DEFAULT_SETTINGS);
    assert.equal(DEFAULT_SETTINGS.previews, false);
    await new SettingsStore(area).set({ previews: true });
    assert.deepEqual(await new SettingsStore(area).get(), {
      previews: true,
      idleLockMinutes: 15,
      gateway: null,
      dnsPolicy: 'prefer',
      dohResolver: 'auto',
    });
  });

  it('keeps the gateway as a normalized http(s) URL, and refuses anything else', async () => {
    const settings = new SettingsStore(new FakeArea());
    assert.equal(
      (await settings.set({ gateway: 'https://rooms.example.com' })).gateway,
      'https://rooms.example.com/',
    );
    for (const gateway of [
      'rooms.example.com',
      'javascript:alert(1)',
      'https://user:pw@rooms.example/',
      '',
      42,
    ]) {
      await assert.rejects(settings.set({ gateway: gateway as string }), MalformedError, String(gateway));
    }
    assert.equal((await settings.set({ gateway: null })).gateway, null);
    assert.deepEqual(checkAdmin('setSettings', { gateway: 'http://127.0.0.1:8080' }).args, {
      gateway: 'http://127.0.0.1:8080/',
    });
  });

  it('refuses bad values, and reads damaged stored values as defaults', async () => {
    const area = new FakeArea();
    const settings = new SettingsStore(area);
    await assert.rejects(settings.set({ idleLockMinutes: -1 }), MalformedError);
    await assert.rejects(settings.set({ previews: 'yes' as unknown as boolean }), MalformedError);
    assert.throws(() => checkAdmin('setSettings', { theme: 'dark' }), MalformedError);
    await area.set({ 'roomkey:settings': { previews: 'maybe' } });
    assert.deepEqual(await new SettingsStore(area).get(), DEFAULT_SETTINGS);
  });
});

describe('idle lock', () => {
  it('locks on idle and on a locked screen, unless turned off', () => {
    assert.equal(shouldLock('idle', 15), true);
    assert.equal(shouldLock('locked', 15), true);
    assert.equal(shouldLock('active', 15), false);
    assert.equal(shouldLock('locked', 0), false);
  });

  it('detection interval in seconds, never below the API minimum', () => {
    assert.equal(idleDetectionSeconds(15), 900);
    assert.equal(idleDetectionSeconds(0.1), MIN_IDLE_SECONDS);
    assert.equal(idleDetectionSeconds(0), undefined);
  });
});
