// core/store over the extension-storage backend (a fake storage area that keeps JSON, as
// browser.storage.local does): the full store suite, plus prefix isolation and clear().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExtensionStorageBackend } from '../../../core/store/extension-storage-backend.ts';
import { EncryptedStore, type StoreBackend, StoreIoError } from '../../../core/store/index.ts';
import { defineIntegritySuite } from '../store/integrity-suite.ts';
import { CHEAP, defineStoreSuite } from '../store/suite.ts';
import { FakeArea } from './fakes.ts';

const areas = new Map<StoreBackend, FakeArea>();

defineStoreSuite(
  'extension storage',
  { describe, it },
  {
    fresh: async () => {
      const area = new FakeArea();
      const backend = new ExtensionStorageBackend(area);
      areas.set(backend, area);
      return backend;
    },
    reopen: async (backend) => {
      const area = areas.get(backend)!;
      const again = new ExtensionStorageBackend(area);
      areas.set(again, area);
      return again;
    },
    dump: async (backend) => {
      const out: Uint8Array[] = [];
      for (const [key, value] of areas.get(backend)!.data) out.push(new TextEncoder().encode(key + value));
      return out;
    },
  },
);

// Rollback and deletion (core/store/README.md "Manifest") over the same fake area.
defineIntegritySuite(
  'extension storage',
  { describe, it },
  {
    fresh: async () => {
      const area = new FakeArea();
      const backend = new ExtensionStorageBackend(area);
      areas.set(backend, area);
      return backend;
    },
    reopen: async (backend) => new ExtensionStorageBackend(areas.get(backend)!),
    dump: async () => [],
  },
);

describe('extension storage backend', () => {
  it('shares the area: sees only its prefix, and clear() leaves other items alone', async () => {
    const area = new FakeArea();
    await area.set({ 'roomkey:approvals': { version: 1, sites: {} } });
    const backend = new ExtensionStorageBackend(area);
    const store = await EncryptedStore.create(backend, 'pw', CHEAP);
    await store.set('a', new Uint8Array([1, 2, 3]));
    assert.equal((await backend.keys()).length, 3, 'header, manifest, one record');
    assert.ok(
      [...area.data.keys()].every((k) => k === 'roomkey:approvals' || k.startsWith('roomkey-store:')),
    );
    await backend.clear();
    assert.deepEqual([...area.data.keys()], ['roomkey:approvals']);
  });

  it('uses getKeys when the area has it', async () => {
    const area = new FakeArea();
    let used = false;
    const withKeys = Object.assign(area, {
      getKeys: async () => {
        used = true;
        return [...area.data.keys()];
      },
    });
    const backend = new ExtensionStorageBackend(withKeys);
    await backend.set('k', new Uint8Array([9]));
    assert.deepEqual(await backend.keys(), ['k']);
    assert.ok(used);
  });

  it('hands damaged values to the store (TamperedError there), and wraps area failures as StoreIoError', async () => {
    const area = new FakeArea();
    const backend = new ExtensionStorageBackend(area);
    await area.set({ 'roomkey-store:x': { not: 'a string' } });
    assert.deepEqual(await backend.get('x'), new Uint8Array(0));
    await area.set({ 'roomkey-store:y': '***' });
    assert.deepEqual(await backend.get('y'), new Uint8Array(0));
    const failing = new ExtensionStorageBackend({
      get: async () => {
        throw new Error('QUOTA_BYTES quota exceeded');
      },
      set: async () => undefined,
      remove: async () => undefined,
    });
    await assert.rejects(failing.get('x'), StoreIoError);
    assert.throws(() => new ExtensionStorageBackend(area, ''));
  });
});
