// The core checks of core/store, run unchanged against every backend: memory and file in Node
// (memory.test.ts, file.test.ts), IndexedDB in Chromium (test/browser/store.test.ts).
// No node: imports here. Cheap Argon2id params everywhere except the one "default params" test.
import { concatBytes, equalBytes, fromBase64Url, toBase64Url, utf8 } from '../../../core/bytes.ts';
import {
  ConflictError,
  LockedError,
  MalformedError,
  TamperedError,
  TooLargeError,
  UnsupportedError,
  WrongPassphraseError,
} from '../../../core/errors.ts';
import {
  type Argon2Params,
  DEFAULT_ARGON2_PARAMS,
  EncryptedStore,
  MAX_VALUE_BYTES,
  type StoreBackend,
  StoreNotFoundError,
  WrongPrfSecretError,
} from '../../../core/store/index.ts';
import { v1 } from '../../../proto/index.ts';
import { bytesEqual, equal, ok, rejects } from '../../helpers/assert.ts';

/** Tests only: far below any production setting. */
export const CHEAP: Argon2Params = { t: 1, mKib: 256, p: 1 };
const PW = 'correct horse battery staple';

export interface TestApi {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: () => Promise<void>): unknown;
}

/** How a suite gets backends: fresh ones, a second handle on the same storage, and raw bytes. */
export interface BackendHarness {
  fresh(): Promise<StoreBackend>;
  reopen(backend: StoreBackend): Promise<StoreBackend>;
  /** Every byte the storage holds: key/file names and contents, as the platform sees them. */
  dump(backend: StoreBackend): Promise<Uint8Array[]>;
  /** Run the one test with the production Argon2id defaults against this backend. */
  withDefaults?: boolean;
}

const HEADER_KEY = 'roomkey-store-header';
const MANIFEST_KEY = 'roomkey-store-manifest';

async function recordIds(backend: StoreBackend): Promise<string[]> {
  return (await backend.keys()).filter((k) => k !== HEADER_KEY && k !== MANIFEST_KEY).sort();
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

async function flipByte(backend: StoreBackend, id: string, at: number): Promise<void> {
  const bytes = (await backend.get(id))!;
  const copy = bytes.slice();
  const i = at < 0 ? copy.length + at : at;
  copy[i] = copy[i]! ^ 0x01;
  await backend.set(id, copy);
}

/** Registers the suite `label` with `api` (node:test or mocha). */
export function defineStoreSuite(label: string, api: TestApi, h: BackendHarness): void {
  const { describe, it } = api;

  async function seeded(names: string[]): Promise<{ backend: StoreBackend; store: EncryptedStore }> {
    const backend = await h.fresh();
    const store = await EncryptedStore.create(backend, PW, CHEAP);
    for (const name of names) await store.set(name, utf8(`value of ${name}`));
    return { backend, store };
  }

  describe(`encrypted store (${label})`, () => {
    it('create returns an unlocked store; lock and unlock', async () => {
      const { backend, store } = await seeded(['a', 'b']);
      equal(store.isLocked, false);
      bytesEqual((await store.get('a'))!, utf8('value of a'));
      store.lock();
      equal(store.isLocked, true);
      await rejects(() => store.get('a'), LockedError);
      await rejects(() => store.set('c', new Uint8Array(1)), LockedError);
      await rejects(() => store.delete('a'), LockedError);
      await rejects(() => store.has('a'), LockedError);
      await rejects(() => store.keys(), LockedError);
      await store.unlock(PW);
      equal(store.isLocked, false);
      bytesEqual((await store.get('b'))!, utf8('value of b'));
      const reopened = await EncryptedStore.open(backend);
      equal(reopened.isLocked, true);
      await reopened.unlock(PW);
      equal((await reopened.keys()).join(','), 'a,b');
    });

    it('a wrong passphrase is a WrongPassphraseError and the store stays locked', async () => {
      const { backend } = await seeded(['a']);
      const store = await EncryptedStore.open(backend);
      const error = await rejects(() => store.unlock('wrong horse'), WrongPassphraseError);
      equal(error.code, 'wrong-passphrase');
      equal(store.isLocked, true);
      await rejects(() => store.unlock(''), MalformedError);
      await store.unlock(PW);
      bytesEqual((await store.get('a'))!, utf8('value of a'));
    });

    it('set, get, has, delete, overwrite, empty and binary values, unicode names', async () => {
      const { store } = await seeded([]);
      equal(await store.get('missing'), undefined);
      equal(await store.has('missing'), false);
      await store.set('k', utf8('one'));
      await store.set('k', utf8('two'));
      bytesEqual((await store.get('k'))!, utf8('two'));
      await store.set('empty', new Uint8Array(0));
      equal((await store.get('empty'))!.length, 0);
      const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
      await store.set('ルーム/😀', binary);
      bytesEqual((await store.get('ルーム/😀'))!, binary);
      equal(await store.has('k'), true);
      await store.delete('k');
      await store.delete('k');
      equal(await store.has('k'), false);
      equal(await store.get('k'), undefined);
      equal((await store.keys()).join(','), ['empty', 'ルーム/😀'].sort().join(','));
    });

    it('rejects bad names and oversized values with typed errors', async () => {
      const { store } = await seeded([]);
      await rejects(() => store.set('', new Uint8Array(1)), MalformedError);
      await rejects(() => store.set('a\uD800b', new Uint8Array(1)), MalformedError);
      await rejects(() => store.get('x'.repeat(1025)), TooLargeError);
      await rejects(() => store.set('v', new Uint8Array(MAX_VALUE_BYTES + 1)), TooLargeError);
      await rejects(() => store.set('v', [1, 2] as unknown as Uint8Array), MalformedError);
    });

    it('typed helpers store and read protobuf messages', async () => {
      const { store } = await seeded([]);
      await store.setMessage('entry', v1.StoreEntry, { key: 'inner', value: utf8('x') });
      const back = await store.getMessage('entry', v1.StoreEntry);
      equal(back?.key, 'inner');
      equal(await store.getMessage('nothing', v1.StoreEntry), undefined);
      await store.set('junk', new Uint8Array([0xff, 0xff, 0xff]));
      await rejects(() => store.getMessage('junk', v1.StoreEntry), MalformedError);
    });

    it('changePassphrase: the old one fails, the new one works, data intact, PRF kept', async () => {
      const { backend, store } = await seeded(['a', 'b']);
      const secret = new Uint8Array(32).fill(7);
      await store.addPrf({ credentialId: utf8('cred-1'), prfSalt: new Uint8Array(32).fill(1), secret });
      await rejects(() => store.changePassphrase('not it', 'new passphrase', CHEAP), WrongPassphraseError);
      await store.changePassphrase(PW, 'new passphrase', CHEAP);
      equal(store.isLocked, false);
      bytesEqual((await store.get('a'))!, utf8('value of a'));
      const reopened = await EncryptedStore.open(backend);
      await rejects(() => reopened.unlock(PW), WrongPassphraseError);
      await reopened.unlock('new passphrase');
      bytesEqual((await reopened.get('b'))!, utf8('value of b'));
      reopened.lock();
      await reopened.unlockWithPrf(secret);
      equal((await reopened.keys()).join(','), 'a,b');
      // A locked store can change its passphrase too; it stays locked.
      reopened.lock();
      await reopened.changePassphrase('new passphrase', 'third', CHEAP);
      equal(reopened.isLocked, true);
      await reopened.unlock('third');
    });

    it('changePassphrase rewrites only the header, in one write', async () => {
      const { backend, store } = await seeded(['a', 'b', 'c']);
      const before = new Map<string, Uint8Array>();
      for (const id of await backend.keys()) before.set(id, (await backend.get(id))!);
      let writes = 0;
      const counting: StoreBackend = {
        get: (k) => backend.get(k),
        set: (k, v) => {
          writes++;
          equal(k, HEADER_KEY, 'only the header is written');
          return backend.set(k, v);
        },
        delete: (k) => backend.delete(k),
        keys: () => backend.keys(),
      };
      const store2 = await EncryptedStore.open(counting);
      await store2.changePassphrase(PW, 'other', CHEAP);
      equal(writes, 1);
      for (const id of await recordIds(backend)) bytesEqual((await backend.get(id))!, before.get(id)!, id);
      ok(!equalBytes((await backend.get(HEADER_KEY))!, before.get(HEADER_KEY)!));
      store.lock();
      await store.unlock('other');
    });

    it('an interrupted passphrase change leaves the old passphrase working', async () => {
      const { backend } = await seeded(['a']);
      const failing: StoreBackend = {
        get: (k) => backend.get(k),
        set: async () => {
          throw new ConflictError('simulated crash before the header write');
        },
        delete: (k) => backend.delete(k),
        keys: () => backend.keys(),
      };
      const store = await EncryptedStore.open(failing);
      await rejects(() => store.changePassphrase(PW, 'never', CHEAP), ConflictError);
      const reopened = await EncryptedStore.open(backend);
      await reopened.unlock(PW);
      bytesEqual((await reopened.get('a'))!, utf8('value of a'));
    });

    it('PRF unlock: right secret opens, wrong secret and unknown credential fail typed', async () => {
      const { backend, store } = await seeded(['a']);
      const cred1 = utf8('credential-one');
      const cred2 = utf8('credential-two');
      const secret1 = Uint8Array.from({ length: 32 }, (_, i) => i);
      const secret2 = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
      await store.addPrf({ credentialId: cred1, prfSalt: new Uint8Array(32).fill(9), secret: secret1 });
      await store.addPrf({ credentialId: cred2, prfSalt: new Uint8Array(32).fill(8), secret: secret2 });
      const locked = await EncryptedStore.open(backend);
      const creds = locked.prfCredentials();
      equal(creds.length, 2);
      bytesEqual(creds[0]!.prfSalt, new Uint8Array(32).fill(9));
      const wrong = await rejects(
        () => locked.unlockWithPrf(new Uint8Array(32).fill(3)),
        WrongPrfSecretError,
      );
      ok(wrong instanceof WrongPassphraseError);
      await rejects(() => locked.unlockWithPrf(secret1, cred2), WrongPrfSecretError);
      await rejects(() => locked.unlockWithPrf(new Uint8Array(16)), MalformedError);
      equal(locked.isLocked, true);
      await locked.unlockWithPrf(secret2, cred2);
      bytesEqual((await locked.get('a'))!, utf8('value of a'));
      locked.lock();
      await locked.unlockWithPrf(secret1);
      equal(await locked.removePrf(cred1), true);
      equal(await locked.removePrf(cred1), false);
      locked.lock();
      await rejects(() => locked.unlockWithPrf(secret1), WrongPrfSecretError);
      await rejects(
        () => locked.addPrf({ credentialId: cred1, prfSalt: cred1, secret: secret1 }),
        LockedError,
      );
    });

    it('a tampered record is a TamperedError for that record only', async () => {
      const { backend, store } = await seeded(['a', 'b', 'c']);
      const ids = await recordIds(backend);
      const damaged: string[] = [];
      // Find which id is 'b' by trying each: tamper the last byte (inside the Poly1305 tag).
      const target = ids[1]!;
      await flipByte(backend, target, -1);
      let failures = 0;
      for (const name of ['a', 'b', 'c']) {
        try {
          bytesEqual((await store.get(name))!, utf8(`value of ${name}`));
        } catch (error) {
          ok(error instanceof TamperedError, `expected TamperedError, got ${(error as Error).name}`);
          equal((error as TamperedError).code, 'tampered');
          failures++;
        }
      }
      equal(failures, 1);
      const names = await store.keys({
        onDamaged: (id, error) => {
          ok(error instanceof TamperedError);
          damaged.push(id);
        },
      });
      equal(names.length, 2);
      equal(damaged.join(), target);
      // Garbage bytes, an empty value and a bogus id are damaged records too, not a failed listing.
      await backend.set(ids[0]!, new Uint8Array([1, 2, 3]));
      await backend.set('not-a-blinded-id', new Uint8Array(0));
      const damaged2: string[] = [];
      equal((await store.keys({ onDamaged: (id) => damaged2.push(id) })).length, 1);
      equal(damaged2.sort().join(), [ids[0]!, target, 'not-a-blinded-id'].sort().join());
      // Deleting the damaged record and writing it again heals it.
      await store.delete('b');
      await store.delete('a');
      await store.set('b', utf8('fresh'));
      bytesEqual((await store.get('b'))!, utf8('fresh'));
    });

    it('every byte of a record is authenticated (nonce, ciphertext, framing)', async () => {
      const { backend, store } = await seeded(['only']);
      const id = (await recordIds(backend))[0]!;
      const original = (await backend.get(id))!;
      for (let i = 0; i < original.length; i += 7) {
        await backend.set(id, original);
        await flipByte(backend, id, i);
        await rejects(() => store.get('only'), TamperedError, `byte ${i}`);
      }
      await backend.set(id, original);
      bytesEqual((await store.get('only'))!, utf8('value of only'));
    });

    it('records swapped between names, or copied from another store, are detected', async () => {
      const { backend, store } = await seeded(['x', 'y']);
      const [idX, idY] = await recordIds(backend);
      const bx = (await backend.get(idX!))!;
      const by = (await backend.get(idY!))!;
      await backend.set(idX!, by);
      await backend.set(idY!, bx);
      await rejects(() => store.get('x'), TamperedError);
      await rejects(() => store.get('y'), TamperedError);
      const damaged: string[] = [];
      equal((await store.keys({ onDamaged: (id) => damaged.push(id) })).length, 0);
      equal(damaged.length, 2);

      // Same name and passphrase in another store: its record must not open here.
      const other = await seeded(['z']);
      const { store: mine, backend: myBackend } = await seeded(['z']);
      const theirs = (await recordIds(other.backend))[0]!;
      const myId = (await recordIds(myBackend))[0]!;
      await myBackend.set(myId, (await other.backend.get(theirs))!);
      await rejects(() => mine.get('z'), TamperedError);

      // A valid record moved under another blinded id fails even with the AAD's help removed:
      // an id that is not 32 bytes is rejected before decryption.
      const shortId = toBase64Url(fromBase64Url(myId).subarray(0, 31));
      await myBackend.set(shortId, (await other.backend.get(theirs))!);
      const damaged2: string[] = [];
      await mine.keys({ onDamaged: (id) => damaged2.push(id) });
      ok(damaged2.includes(shortId));
    });

    it('names and values never appear in the backend', async () => {
      const names = ['room/secret-room-id-0123456789', 'identity-of-alice@example.org'];
      const values = names.map((n) => `plaintext value for ${n} ::marker::`);
      const backend = await h.fresh();
      const store = await EncryptedStore.create(backend, PW, CHEAP);
      for (let i = 0; i < names.length; i++) await store.set(names[i]!, utf8(values[i]!));
      await store.addPrf({
        credentialId: utf8('cred'),
        prfSalt: new Uint8Array(32),
        secret: new Uint8Array(32),
      });
      const dump = concatBytes(...(await h.dump(backend)));
      ok(dump.length > 0, 'the dump sees the stored bytes');
      for (const text of [...names, ...values, PW, 'secret-room-id', '::marker::', 'alice']) {
        ok(!contains(dump, utf8(text)), `"${text}" appears in the backend`);
      }
      for (const id of await backend.keys()) for (const n of names) ok(!id.includes(n));
      // Each record id is a 43-character base64url HMAC, not a function of the name alone.
      for (const id of await recordIds(backend)) equal(fromBase64Url(id).length, 32);
    });

    it('persists across reopening the backend', async () => {
      const { backend, store } = await seeded(['p', 'q']);
      await store.delete('q');
      await store.set('r', utf8('value of r'));
      const again = await h.reopen(backend);
      const reopened = await EncryptedStore.open(again);
      await reopened.unlock(PW);
      equal((await reopened.keys()).join(','), 'p,r');
      bytesEqual((await reopened.get('r'))!, utf8('value of r'));
    });

    it('concurrent sets all land', async () => {
      const { store } = await seeded([]);
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 40; i++) writes.push(store.set(`k${i}`, utf8(`v${i}`)));
      for (let i = 0; i < 10; i++) writes.push(store.set('same', utf8(`same-${i}`)));
      await Promise.all(writes);
      const names = await store.keys();
      equal(names.length, 41);
      for (let i = 0; i < 40; i++) bytesEqual((await store.get(`k${i}`))!, utf8(`v${i}`));
      const same = new TextDecoder().decode((await store.get('same'))!);
      ok(/^same-\d$/.test(same), same);
      // Concurrent header changes are serialized: both enrolments survive.
      await Promise.all([
        store.addPrf({ credentialId: utf8('c1'), prfSalt: utf8('s1'), secret: new Uint8Array(32).fill(1) }),
        store.addPrf({ credentialId: utf8('c2'), prfSalt: utf8('s2'), secret: new Uint8Array(32).fill(2) }),
      ]);
      equal(store.prfCredentials().length, 2);
    });

    it('lock() during an unlock wins', async () => {
      const { backend } = await seeded(['a']);
      const store = await EncryptedStore.open(backend);
      const pending = store.unlock(PW);
      store.lock();
      await rejects(() => pending, LockedError);
      equal(store.isLocked, true);
    });

    it('header problems: missing, empty, garbage, newer version, absurd params, existing store', async () => {
      const empty = await h.fresh();
      await rejects(() => EncryptedStore.open(empty), StoreNotFoundError);
      equal(await EncryptedStore.exists(empty), false);
      await empty.set(HEADER_KEY, new Uint8Array(0));
      const e1 = await rejects(() => EncryptedStore.open(empty), MalformedError);
      ok(/restore|backup/.test(e1.message), e1.message);
      await empty.set(HEADER_KEY, utf8('this is not a header at all, just text'));
      await rejects(() => EncryptedStore.open(empty), MalformedError);

      const { backend } = await seeded(['a']);
      await rejects(() => EncryptedStore.create(backend, PW, CHEAP), ConflictError);
      const header = v1.StoreHeader.decode((await backend.get(HEADER_KEY))!);
      const reencode = (h2: typeof header) => v1.StoreHeader.encode(h2).finish().slice();
      const original = (await backend.get(HEADER_KEY))!;

      header.version = 3;
      await backend.set(HEADER_KEY, reencode(header));
      await rejects(() => EncryptedStore.open(backend), UnsupportedError);
      header.version = 2;
      header.passphrase!.params = { t: 1, mKib: 4 * 1024 * 1024, p: 1 };
      await backend.set(HEADER_KEY, reencode(header));
      await rejects(() => EncryptedStore.open(backend), MalformedError);
      header.passphrase!.params = { t: 1000, mKib: 256, p: 1 };
      await backend.set(HEADER_KEY, reencode(header));
      await rejects(() => EncryptedStore.open(backend), MalformedError);
      header.passphrase!.params = { t: 1, mKib: 256, p: 1 };
      header.storeId = new Uint8Array(3);
      await backend.set(HEADER_KEY, reencode(header));
      await rejects(() => EncryptedStore.open(backend), MalformedError);

      // A modified wrap (same sizes) reads as a wrong passphrase, never as an unlocked store.
      await backend.set(HEADER_KEY, original);
      const good = v1.StoreHeader.decode(original.slice());
      const wrapped = good.passphrase!.wrappedKey!;
      wrapped[0] = wrapped[0]! ^ 1;
      await backend.set(HEADER_KEY, reencode(good));
      const s = await EncryptedStore.open(backend);
      await rejects(() => s.unlock(PW), WrongPassphraseError);
      await backend.set(HEADER_KEY, original);
      await s.unlock(PW);
    });

    it('create refuses a location that holds records but no header', async () => {
      const backend = await h.fresh();
      await backend.set('stray', new Uint8Array([1]));
      await rejects(() => EncryptedStore.create(backend, PW, CHEAP), ConflictError);
      const other = await h.fresh();
      await rejects(() => EncryptedStore.create(other, PW, { t: 0, mKib: 256, p: 1 }), MalformedError);
    });

    if (h.withDefaults) {
      it('production defaults (t=3, 64 MiB, p=1): create, unlock, read', async () => {
        const backend = await h.fresh();
        const store = await EncryptedStore.create(backend, PW);
        equal(store.argon2Params.mKib, DEFAULT_ARGON2_PARAMS.mKib);
        equal(store.argon2Params.t, 3);
        await store.set('a', utf8('b'));
        const reopened = await EncryptedStore.open(backend);
        await reopened.unlock(PW);
        bytesEqual((await reopened.get('a'))!, utf8('b'));
      });
    }
  });
}
