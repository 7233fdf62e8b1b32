// core/store against the IndexedDB (idb-keyval) backend in real Chromium: the same suite as Node's
// memory and file backends (test/unit/store/suite.ts), plus the one run of the production defaults.
import { IdbBackend, type StoreBackend } from '../../core/store/index.ts';
import { ok } from '../helpers/assert.ts';
import { defineIntegritySuite } from '../unit/store/integrity-suite.ts';
import { defineStoreSuite } from '../unit/store/suite.ts';

const run = Math.random().toString(36).slice(2);
const names = new Map<StoreBackend, string>();
let counter = 0;

function backendFor(dbName: string): IdbBackend {
  const backend = new IdbBackend(dbName);
  names.set(backend, dbName);
  return backend;
}

after(async () => {
  await Promise.all(
    [...new Set(names.values())].map(
      (name) =>
        new Promise<void>((resolve) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = request.onerror = request.onblocked = () => resolve();
        }),
    ),
  );
});

defineStoreSuite(
  'IndexedDB',
  { describe, it },
  {
    fresh: async () => backendFor(`roomkey-store-test-${run}-${counter++}`),
    reopen: async (backend) => backendFor(names.get(backend)!),
    async dump(backend) {
      const out: Uint8Array[] = [];
      for (const key of await backend.keys())
        out.push(new TextEncoder().encode(key), (await backend.get(key))!);
      return out;
    },
    withDefaults: true,
  },
);

// Rollback and deletion (core/store/README.md "Manifest"): IndexedDB commits each manifest update
// in one transaction, and two IdbBackend objects on one database act as two tabs.
defineIntegritySuite(
  'IndexedDB',
  { describe, it },
  {
    fresh: async () => backendFor(`roomkey-store-test-${run}-${counter++}`),
    reopen: async (backend) => backendFor(names.get(backend)!),
    dump: async () => [],
  },
);

describe('IndexedDB backend', () => {
  it('stores Uint8Array values as Uint8Array', async () => {
    const backend = backendFor(`roomkey-store-test-${run}-${counter++}`);
    await backend.set('k', new Uint8Array([1, 2, 3]));
    const value = await backend.get('k');
    ok(value instanceof Uint8Array && value.length === 3);
    await backend.delete('k');
    ok((await backend.get('k')) === undefined);
  });
});
