// Rollback and deletion of store records (core/store/README.md "Manifest"), run unchanged against
// every backend: memory and file in Node, IndexedDB in Chromium (test/browser/store.test.ts).
// The attacker here can write the storage but not forge a record: they remove records, put back
// older copies, or put back an older manifest. No node: imports.
import { utf8 } from '../../../core/bytes.ts';
import {
  ConflictError,
  LockedError,
  STORE_INTEGRITY_MESSAGE,
  StoreIntegrityError,
  TamperedError,
} from '../../../core/errors.ts';
import { EncryptedStore, type StoreBackend } from '../../../core/store/index.ts';
import { v1 } from '../../../proto/index.ts';
import { bytesEqual, equal, ok, rejects } from '../../helpers/assert.ts';
import { writeFormat1Store } from './format1.ts';
import { type BackendHarness, CHEAP, type TestApi } from './suite.ts';

const PW = 'integrity passphrase';
const HEADER_KEY = 'roomkey-store-header';
const MANIFEST_KEY = 'roomkey-store-manifest';

type Snapshot = Map<string, Uint8Array>;

async function snapshot(backend: StoreBackend): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const id of await backend.keys()) out.set(id, (await backend.get(id))!);
  return out;
}

const isRecord = (id: string) => id !== HEADER_KEY && id !== MANIFEST_KEY;

/** What an attacker with an older copy of the storage does: every record back as it was, header and manifest left current. */
async function putBackOlderRecords(backend: StoreBackend, older: Snapshot): Promise<void> {
  for (const id of await backend.keys()) if (isRecord(id) && !older.has(id)) await backend.delete(id);
  for (const [id, bytes] of older) if (isRecord(id)) await backend.set(id, bytes);
}

/** Backend ids that appeared since `before` (the records written in between). */
async function newIds(backend: StoreBackend, before: Snapshot): Promise<string[]> {
  return (await backend.keys()).filter((id) => isRecord(id) && !before.has(id));
}

/** The same storage without transactions: exercises the ordered writes of file and extension storage. */
function withoutUpdate(backend: StoreBackend, failSet?: (key: string) => boolean): StoreBackend {
  return {
    get: (k) => backend.get(k),
    set: async (k, v) => {
      if (failSet?.(k)) throw new ConflictError(`simulated crash before writing ${k}`);
      await backend.set(k, v);
    },
    delete: (k) => backend.delete(k),
    keys: () => backend.keys(),
  };
}

async function opened(backend: StoreBackend): Promise<EncryptedStore> {
  const store = await EncryptedStore.open(backend);
  await store.unlock(PW);
  return store;
}

async function refusedAtUnlock(backend: StoreBackend, reason: StoreIntegrityError['reason']) {
  const store = await EncryptedStore.open(backend);
  const error = await rejects(() => store.unlock(PW), StoreIntegrityError, `unlock after ${reason}`);
  equal(error.reason, reason);
  equal(error.code, 'integrity');
  equal(error.message, STORE_INTEGRITY_MESSAGE);
  equal(store.isLocked, true, 'the store stays locked');
  return error;
}

/** Registers the rollback/deletion suite `label` with `api`. */
export function defineIntegritySuite(label: string, api: TestApi, h: BackendHarness): void {
  const { describe, it } = api;

  async function withPins(): Promise<{ backend: StoreBackend; store: EncryptedStore; before: Snapshot }> {
    const backend = await h.fresh();
    const store = await EncryptedStore.create(backend, PW, CHEAP);
    await store.set('identity', utf8('me'));
    await store.set('directory-pins', utf8('pins: alice'));
    const before = await snapshot(backend);
    await store.set('directory-pins', utf8('pins: alice, bob'));
    return { backend, store, before };
  }

  describe(`store rollback and deletion (${label})`, () => {
    it('a removed record is found at unlock, and when read', async () => {
      const backend = await h.fresh();
      const store = await EncryptedStore.create(backend, PW, CHEAP);
      await store.set('identity', utf8('me'));
      const before = await snapshot(backend);
      await store.set('directory-pins', utf8('pins'));
      const [pinsId] = await newIds(backend, before);
      ok(pinsId, 'the pins record has a backend key');
      await backend.delete(pinsId);
      const error = await refusedAtUnlock(backend, 'missing-record');
      equal(error.records.join(), 'directory-pins');
      // A store that was already open finds it when it reads the record.
      const late = await rejects(() => store.get('directory-pins'), StoreIntegrityError);
      equal(late.reason, 'missing-record');
      await rejects(() => store.keys(), StoreIntegrityError);
      bytesEqual((await store.get('identity'))!, utf8('me'));
    });

    it('an older copy of a record put back is found', async () => {
      const { backend, store, before } = await withPins();
      await putBackOlderRecords(backend, before);
      const error = await refusedAtUnlock(backend, 'missing-record');
      equal(error.records.join(), 'directory-pins');
      await rejects(() => store.get('directory-pins'), StoreIntegrityError);
    });

    it('an older copy put under the current record key does not open', async () => {
      const { backend, store, before } = await withPins();
      const [current] = await newIds(backend, before);
      ok(current, 'the rewritten pins live under a new record key');
      // Each older record (one of them is the older pins) under the key the manifest names now.
      const older = [...before].filter(([id]) => isRecord(id));
      equal(older.length, 2);
      for (const [id, bytes] of older) {
        await backend.set(current, bytes);
        await rejects(() => store.get('directory-pins'), TamperedError, id);
      }
    });

    it('a removed manifest is found; so is a header relabelled as format 1', async () => {
      const { backend } = await withPins();
      const manifest = (await backend.get(MANIFEST_KEY))!;
      ok(manifest, 'a store has a manifest');
      await backend.delete(MANIFEST_KEY);
      await refusedAtUnlock(backend, 'missing-manifest');
      const header = v1.StoreHeader.decode((await backend.get(HEADER_KEY))!);
      equal(header.version, 2);
      header.version = 1;
      await backend.set(HEADER_KEY, v1.StoreHeader.encode(header).finish().slice());
      await refusedAtUnlock(backend, 'downgraded');
      await backend.set(MANIFEST_KEY, manifest);
      const store = await opened(backend);
      bytesEqual((await store.get('directory-pins'))!, utf8('pins: alice, bob'));
    });

    it('a damaged manifest is found', async () => {
      const { backend } = await withPins();
      const manifest = (await backend.get(MANIFEST_KEY))!;
      const copy = manifest.slice();
      copy[copy.length - 1] = copy[copy.length - 1]! ^ 1;
      await backend.set(MANIFEST_KEY, copy);
      await refusedAtUnlock(backend, 'damaged-manifest');
      await backend.set(MANIFEST_KEY, new Uint8Array(0));
      await refusedAtUnlock(backend, 'damaged-manifest');
      // Another store's manifest (same passphrase) does not open here either.
      const other = await withPins();
      await backend.set(MANIFEST_KEY, (await other.backend.get(MANIFEST_KEY))!);
      await refusedAtUnlock(backend, 'damaged-manifest');
    });

    it('an older manifest put back is found: by an open store at its next write, and at unlock', async () => {
      const { backend, store } = await withPins();
      const older = (await backend.get(MANIFEST_KEY))!;
      await store.set('room/1', utf8('snapshot'));
      await backend.set(MANIFEST_KEY, older);
      const error = await rejects(() => store.set('room/2', utf8('x')), StoreIntegrityError);
      equal(error.reason, 'older-manifest');
      await rejects(() => store.get('room/3'), StoreIntegrityError, 'a reread sees it too');
      // At unlock the older manifest names records that were since replaced.
      const { backend: b2, store: s2 } = await withPins();
      const olderList = (await b2.get(MANIFEST_KEY))!;
      await s2.set('directory-pins', utf8('pins: alice, bob, carol'));
      await b2.set(MANIFEST_KEY, olderList);
      await refusedAtUnlock(b2, 'missing-record');
    });

    it('limit: the whole storage put back from an older copy is not detected (README)', async () => {
      const { backend, before } = await withPins();
      for (const id of await backend.keys()) if (!before.has(id)) await backend.delete(id);
      for (const [id, bytes] of before) await backend.set(id, bytes);
      const store = await opened(backend);
      bytesEqual((await store.get('directory-pins'))!, utf8('pins: alice'));
    });

    it('a crash between the ordered writes looks like neither a rollback nor a deletion', async () => {
      const { backend } = await withPins();
      // Crash after the new record, before the manifest: the old value stays, the orphan goes.
      const keysBefore = (await backend.keys()).sort().join();
      const crashing = withoutUpdate(backend, (k) => k === MANIFEST_KEY);
      const s1 = await opened(crashing);
      await rejects(() => s1.set('directory-pins', utf8('never committed')), ConflictError);
      ok((await backend.keys()).length > keysBefore.split(',').length, 'the orphan record was written');
      const s2 = await opened(backend);
      bytesEqual((await s2.get('directory-pins'))!, utf8('pins: alice, bob'));
      equal((await backend.keys()).sort().join(), keysBefore, 'unlock removed the orphan');
      // Crash after the manifest, before the old record is removed: the new value, and no leftover.
      const noDeletes: StoreBackend = { ...withoutUpdate(backend), delete: async () => undefined };
      const s3 = await opened(noDeletes);
      await s3.set('directory-pins', utf8('committed'));
      ok((await backend.keys()).length > keysBefore.split(',').length, 'the old record was left');
      const s4 = await opened(backend);
      bytesEqual((await s4.get('directory-pins'))!, utf8('committed'));
      equal((await backend.keys()).length, keysBefore.split(',').length, 'unlock removed the old record');
    });

    it('two stores open on the same storage (two tabs) see each other and never cry wolf', async () => {
      const backend = await h.fresh();
      const a = await EncryptedStore.create(backend, PW, CHEAP);
      const b = await opened(await h.reopen(backend));
      await a.set('x', utf8('from a'));
      bytesEqual((await b.get('x'))!, utf8('from a'), 'b rereads the manifest for a name it lacks');
      await b.set('x', utf8('from b'));
      bytesEqual((await a.get('x'))!, utf8('from b'), 'a follows the record to its new key');
      await Promise.all([a.set('y', utf8('a')), b.set('z', utf8('b')), a.delete('x')]);
      equal((await b.keys()).join(), 'y,z');
      equal((await a.keys()).join(), 'y,z');
      const c = await opened(backend);
      equal((await c.keys()).join(), 'y,z');
    });

    it('reads racing writes and deletes of the same name never cry wolf', async () => {
      const backend = await h.fresh();
      const store = await EncryptedStore.create(backend, PW, CHEAP);
      const other = await opened(await h.reopen(backend));
      for (let round = 0; round < 15; round++) {
        await Promise.all([
          store.set('x', utf8(`v${round}`)),
          store.get('x'),
          other.get('x'),
          store.delete('x'),
          other.set('x', utf8(`w${round}`)),
          store.get('x'),
          other.has('x'),
          other.keys(),
          store.set('y', utf8(`${round}`)),
          other.get('y'),
        ]);
      }
      await opened(backend);
    });

    it('many writes at once share manifest updates, and all land', async () => {
      const backend = await h.fresh();
      const store = await EncryptedStore.create(backend, PW, CHEAP);
      let manifestWrites = 0;
      const counting: StoreBackend = {
        ...withoutUpdate(backend),
        set: async (k, v) => {
          if (k === MANIFEST_KEY) manifestWrites++;
          await backend.set(k, v);
        },
      };
      const s = await opened(counting);
      await Promise.all(Array.from({ length: 50 }, (_, i) => s.set(`k${i}`, utf8(`v${i}`))));
      ok(manifestWrites < 10, `${manifestWrites} manifest writes for 50 records`);
      equal((await store.keys()).length, 50);
    });

    it('writes made just before lock() still land; reads after it are LockedError', async () => {
      const backend = await h.fresh();
      const store = await EncryptedStore.create(backend, PW, CHEAP);
      const writes = [store.set('a', utf8('1')), store.set('b', utf8('2')), store.delete('a')];
      const read = store.get('b').then(
        () => undefined,
        (error: unknown) => error,
      );
      store.lock();
      await Promise.all(writes);
      ok((await read) instanceof LockedError, 'a read in flight at lock() fails LockedError');
      await rejects(() => store.set('c', utf8('3')), LockedError);
      const again = await opened(backend);
      equal((await again.keys()).join(), 'b');
    });

    it('a create interrupted after its manifest leaves nothing in the way', async () => {
      const backend = await h.fresh();
      const crashing = withoutUpdate(backend, (k) => k === HEADER_KEY);
      await rejects(() => EncryptedStore.create(crashing, PW, CHEAP), ConflictError);
      equal(await EncryptedStore.exists(backend), false);
      const store = await EncryptedStore.create(backend, PW, CHEAP);
      await store.set('a', utf8('b'));
    });

    it('a format 1 store gets a manifest at unlock and its records move to fresh keys', async () => {
      const backend = await h.fresh();
      const ids = await writeFormat1Store(backend, PW, CHEAP, ['identity', 'directory-pins', 'room/1']);
      const older = await snapshot(backend);
      const store = await opened(backend);
      equal((await store.keys()).join(), 'directory-pins,identity,room/1');
      bytesEqual((await store.get('directory-pins'))!, utf8('value of directory-pins'));
      const header = v1.StoreHeader.decode((await backend.get(HEADER_KEY))!);
      equal(header.version, 2, 'the header says format 2');
      ok(await backend.get(MANIFEST_KEY), 'a manifest');
      for (const id of ids.values())
        equal(await backend.get(id), undefined, 'no record under a blinded name');
      // The format 1 copy of the pins put back is now ignored, and its removal is found.
      await putBackOlderRecords(backend, older);
      await refusedAtUnlock(backend, 'missing-record');
    });

    it('a format 1 store with a record that does not open is refused, not silently shortened', async () => {
      const backend = await h.fresh();
      const ids = await writeFormat1Store(backend, PW, CHEAP, ['identity', 'directory-pins']);
      await backend.set(ids.get('directory-pins')!, new Uint8Array([1, 2, 3]));
      const error = await refusedAtUnlock(backend, 'unreadable-record');
      equal(error.records.join(), ids.get('directory-pins'));
    });

    it('an upgrade interrupted after the manifest write finishes at the next unlock', async () => {
      const backend = await h.fresh();
      await writeFormat1Store(backend, PW, CHEAP, ['identity']);
      await opened(backend);
      const header = v1.StoreHeader.decode((await backend.get(HEADER_KEY))!);
      header.version = 1;
      await backend.set(HEADER_KEY, v1.StoreHeader.encode(header).finish().slice());
      const store = await opened(backend);
      bytesEqual((await store.get('identity'))!, utf8('value of identity'));
      equal(v1.StoreHeader.decode((await backend.get(HEADER_KEY))!).version, 2);
    });
  });
}
