/**
 * The encrypted key-value store: every value and every key name is encrypted with a 32-byte store
 * key, which the clear header keeps wrapped by a passphrase (Argon2id) and optionally by WebAuthn
 * PRF secrets. An encrypted manifest lists which record holds each name, so a removed record or an
 * older copy put back is found (StoreIntegrityError). See README.md in this folder for the format.
 * @example const store = await EncryptedStore.create(new MemoryBackend(), 'correct horse'); await store.set('a', bytes);
 */
import { randomBytes } from '@noble/ciphers/utils.js';
import { equalBytes, utf8 } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { ConflictError, LockedError, MalformedError, type TamperedError, TooLargeError } from '../errors.ts';
import { SerialQueue } from '../serial.ts';
import type { StoreBackend } from './backend.ts';
import { StoreNotFoundError, WrongPrfSecretError } from './errors.ts';
import { type Argon2Params, DEFAULT_ARGON2_PARAMS } from './params.ts';
import {
  HEADER_KEY,
  type HeaderData,
  parseHeader,
  STORE_ID_BYTES,
  STORE_VERSION,
  serializeHeader,
} from './private-header.ts';
import { io } from './private-io.ts';
import { MANIFEST_KEY, sealManifest } from './private-manifest.ts';
import { openRecordSet } from './private-open-records.ts';
import { unwrapWithPassphrase, wrapWithPassphrase } from './private-passphrase-wrap.ts';
import { checkPrfSecret, type PrfEnrolment, unwrapWithPrf, wrapWithPrf } from './private-prf-wrap.ts';
import { RecordSet } from './private-records.ts';
import { deriveStoreKeys, KEY_BYTES, type StoreKeys, zeroStoreKeys } from './private-subkeys.ts';

/**
 * Longest key name, in UTF-8 bytes.
 * @example if (utf8(name).length > MAX_NAME_BYTES) shorten(name);
 */
export const MAX_NAME_BYTES = 1024;
/**
 * Largest value, in bytes (the record must stay under the 4 MiB decode limit).
 * @example if (value.length > MAX_VALUE_BYTES) split(value);
 */
export const MAX_VALUE_BYTES = 4 * 1024 * 1024 - 4096;
/** Most PRF (authenticator) wraps one header holds. */
const MAX_PRF_WRAPS = 16;

/**
 * Options of `keys()`: `onDamaged` hears of each record that fails authentication, or that the
 * manifest does not name (by its backend id), instead of the listing failing.
 * @example await store.keys({ onDamaged: (id, error) => console.warn(id, error.message) });
 */
export interface KeysOptions {
  onDamaged?: (id: string, error: TamperedError) => void;
}

/**
 * A PRF enrolment as the header shows it while locked: what to ask the authenticator for.
 * @example for (const { credentialId, prfSalt } of store.prfCredentials()) allow(credentialId, prfSalt);
 */
export interface PrfCredential {
  credentialId: Uint8Array;
  prfSalt: Uint8Array;
}

interface Decodable<T> {
  decode(reader: Uint8Array): T;
}
interface Encodable<P> {
  encode(message: P): { finish(): Uint8Array };
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0)
    throw new MalformedError('A store key name must be a non-empty string.');
  // Lone surrogates would be replaced in UTF-8, so two names could map to one record.
  if (/[\uD800-\uDFFF]/u.test(name))
    throw new MalformedError('A store key name must be well-formed Unicode.');
  if (utf8(name).length > MAX_NAME_BYTES)
    throw new TooLargeError(`A store key name is limited to ${MAX_NAME_BYTES} bytes.`);
}

function checkValue(value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new MalformedError('A store value must be a Uint8Array.');
  if (value.length > MAX_VALUE_BYTES) {
    throw new TooLargeError(
      `A store value of ${value.length} bytes exceeds the limit of ${MAX_VALUE_BYTES}.`,
    );
  }
}

async function readHeader(backend: StoreBackend): Promise<HeaderData> {
  const bytes = await io('read the store header', () => backend.get(HEADER_KEY));
  if (bytes === undefined) throw new StoreNotFoundError();
  return parseHeader(bytes);
}

/**
 * An encrypted store over a StoreBackend. `create` returns it unlocked, `open` locked.
 * Reads and writes throw LockedError while locked; a damaged record throws TamperedError for
 * that record only; a removed record, or a removed or older manifest, throws StoreIntegrityError
 * (at unlock, or when the record is read).
 * @example const store = await EncryptedStore.open(backend); await store.unlock('correct horse');
 */
export class EncryptedStore {
  readonly #backend: StoreBackend;
  #header: HeaderData;
  #keys: StoreKeys | undefined;
  #records: RecordSet | undefined;
  /** Bumped by lock(), so an unlock that was in flight does not undo it. */
  #generation = 0;
  readonly #headerWrites = new SerialQueue();

  private constructor(backend: StoreBackend, header: HeaderData, unlocked?: [StoreKeys, RecordSet]) {
    this.#backend = backend;
    this.#header = header;
    [this.#keys, this.#records] = unlocked ?? [undefined, undefined];
  }

  /**
   * Makes a new store in an empty backend and returns it unlocked. `params` defaults to
   * DEFAULT_ARGON2_PARAMS; pass cheaper ones only in tests. ConflictError if the backend has data.
   * @example const store = await EncryptedStore.create(new FileBackend(dir), passphrase);
   */
  static async create(
    backend: StoreBackend,
    passphrase: string,
    params: Argon2Params = DEFAULT_ARGON2_PARAMS,
  ): Promise<EncryptedStore> {
    let existing = await io('list keys', () => backend.keys());
    if (existing.length === 1 && existing[0] === MANIFEST_KEY) {
      // Left by a create() interrupted before its header write: useless without the header.
      await io('remove an unfinished store', () => backend.delete(MANIFEST_KEY));
      existing = [];
    }
    if (existing.length > 0) {
      throw new ConflictError(
        existing.includes(HEADER_KEY)
          ? 'A store already exists here: open it with EncryptedStore.open() instead of creating a new one.'
          : 'This location holds data but no store header: restore the header, or choose an empty location for a new store.',
      );
    }
    const storeId = randomBytes(STORE_ID_BYTES);
    const storeKey = randomBytes(KEY_BYTES);
    const wrap = await wrapWithPassphrase(storeKey, storeId, passphrase, params);
    const header: HeaderData = { version: STORE_VERSION, storeId, passphrase: wrap, prf: [] };
    const keys = deriveStoreKeys(storeKey, storeId);
    const manifest = { generation: 1, entries: new Map<string, Uint8Array>() };
    const sealed = sealManifest(keys.manifestKey, storeId, manifest);
    // Manifest first: a header is never without one, so a missing manifest always means tampering.
    await io('write the store manifest', () => backend.set(MANIFEST_KEY, sealed));
    await io('write the store header', () => backend.set(HEADER_KEY, serializeHeader(header)));
    const records = new RecordSet(backend, storeId, keys, manifest, sealed);
    return new EncryptedStore(backend, header, [keys, records]);
  }

  /**
   * Opens the store in `backend`, locked. StoreNotFoundError when there is none; MalformedError
   * (saying how to recover) when its header is damaged.
   * @example const store = await EncryptedStore.open(new IdbBackend());
   */
  static async open(backend: StoreBackend): Promise<EncryptedStore> {
    return new EncryptedStore(backend, await readHeader(backend));
  }

  /**
   * Deletes everything in `backend` (sign-out), the header last: an interrupted destroy leaves a
   * store that unlocks to a StoreIntegrityError (destroy again), never records without a header
   * that would stop create() from making a new store here.
   * @example await EncryptedStore.destroy(backend);
   */
  static async destroy(backend: StoreBackend): Promise<void> {
    const keys = await io('list keys', () => backend.keys());
    for (const key of keys) {
      if (key !== HEADER_KEY) await io('delete a record', () => backend.delete(key));
    }
    if (keys.includes(HEADER_KEY)) await io('delete the store header', () => backend.delete(HEADER_KEY));
  }

  /**
   * Whether `backend` holds a store header (it may still be damaged).
   * @example const store = (await EncryptedStore.exists(b)) ? await EncryptedStore.open(b) : await EncryptedStore.create(b, pw);
   */
  static async exists(backend: StoreBackend): Promise<boolean> {
    return (await io('read the store header', () => backend.get(HEADER_KEY))) !== undefined;
  }

  /**
   * True until unlocked, and again after lock().
   * @example if (store.isLocked) await store.unlock(passphrase);
   */
  get isLocked(): boolean {
    return this.#keys === undefined;
  }

  /**
   * The Argon2id costs of the current passphrase wrap.
   * @example if (store.argon2Params.mKib < DEFAULT_ARGON2_PARAMS.mKib) suggestPassphraseChange();
   */
  get argon2Params(): Argon2Params {
    return { ...this.#header.passphrase.params };
  }

  /**
   * The enrolled authenticators (credential id and PRF salt), readable while locked.
   * @example const creds = store.prfCredentials();
   */
  prfCredentials(): PrfCredential[] {
    return this.#header.prf.map((w) => ({
      credentialId: w.credentialId.slice(),
      prfSalt: w.prfSalt.slice(),
    }));
  }

  /**
   * Unlocks with the passphrase (WrongPassphraseError if it does not open the store), after
   * checking every record against the manifest: StoreIntegrityError, and the store stays locked,
   * when a record or the manifest was removed or replaced by an older copy.
   * @example await store.unlock('correct horse');
   */
  async unlock(passphrase: string): Promise<void> {
    const generation = this.#generation;
    const header = await this.#refreshHeader();
    const storeKey = await unwrapWithPassphrase(header.passphrase, header.storeId, passphrase);
    await this.#install(storeKey, header, generation);
  }

  /**
   * Unlocks with a WebAuthn PRF output (≥ 32 bytes); `credentialId` narrows the search to one
   * enrolment. WrongPrfSecretError (a WrongPassphraseError) if no enrolment opens with it;
   * StoreIntegrityError as for unlock().
   * @example await store.unlockWithPrf(new Uint8Array(prfResults.first), credentialRawId);
   */
  async unlockWithPrf(secret: Uint8Array, credentialId?: Uint8Array): Promise<void> {
    checkPrfSecret(secret);
    const generation = this.#generation;
    const header = await this.#refreshHeader();
    for (const wrap of header.prf) {
      if (credentialId && !equalBytes(wrap.credentialId, credentialId)) continue;
      const storeKey = unwrapWithPrf(wrap, header.storeId, secret);
      if (storeKey) return await this.#install(storeKey, header, generation);
    }
    throw new WrongPrfSecretError();
  }

  /**
   * Forgets the keys: zeroes them in memory. Reads and writes then throw LockedError.
   * @example window.addEventListener('pagehide', () => store.lock());
   */
  lock(): void {
    this.#generation++;
    this.#records?.close();
    if (this.#keys) zeroStoreKeys(this.#keys);
    this.#keys = undefined;
    this.#records = undefined;
  }

  /**
   * The value under `name`, or undefined. TamperedError if that record fails authentication;
   * StoreIntegrityError if the manifest lists it and it is gone.
   * @example const bytes = await store.get('identity');
   */
  async get(name: string): Promise<Uint8Array | undefined> {
    checkName(name);
    return this.#requireRecords().get(name);
  }

  /**
   * Stores `value` under `name` (a fresh record key and nonce each time), replacing any previous
   * value; the manifest changes in the same backend update. Writes made together are committed together.
   * @example await store.set('identity', bytes);
   */
  async set(name: string, value: Uint8Array): Promise<void> {
    checkName(name);
    checkValue(value);
    await this.#requireRecords().set(name, value);
  }

  /**
   * Removes `name`; removing a missing name is not an error.
   * @example await store.delete('room/abc');
   */
  async delete(name: string): Promise<void> {
    checkName(name);
    await this.#requireRecords().delete(name);
  }

  /**
   * Sets and removes several names in one backend update: all of them or none are seen after a
   * crash on Memory and IndexedDB (ordered writes elsewhere, see README), and one manifest write.
   * @example await store.write([['room/a', core], ['room/a/ids/2/t', tail]], ['room/a/ids/1/t']);
   */
  async write(
    set: ReadonlyArray<readonly [string, Uint8Array]>,
    remove: readonly string[] = [],
  ): Promise<void> {
    for (const [name, value] of set) {
      checkName(name);
      checkValue(value);
    }
    for (const name of remove) checkName(name);
    await this.#requireRecords().write(set, remove);
  }

  /**
   * Whether the manifest lists `name`. Reads no record: get() may still throw TamperedError.
   * @example if (!(await store.has('identity'))) await enrol();
   */
  async has(name: string): Promise<boolean> {
    checkName(name);
    return this.#requireRecords().has(name);
  }

  /**
   * Every key name, sorted. Records that fail authentication, and backend keys the manifest does
   * not name, are left out and reported through `onDamaged` (backend id + TamperedError); the
   * listing does not fail because of them. A listed record that is gone is a StoreIntegrityError.
   * @example const names = await store.keys({ onDamaged: (id) => damaged.push(id) });
   */
  async keys(options: KeysOptions = {}): Promise<string[]> {
    return this.#requireRecords().list(options.onDamaged);
  }

  /**
   * Reads a protobuf message stored with setMessage; MalformedError if the bytes are not one.
   * @example const identity = await store.getMessage('identity', v1.LocalIdentity);
   */
  async getMessage<T>(name: string, type: Decodable<T>): Promise<T | undefined> {
    const bytes = await this.get(name);
    return bytes === undefined ? undefined : decode(type, bytes, 'store value');
  }

  /**
   * Stores a protobuf message under `name`.
   * @example await store.setMessage('identity', v1.LocalIdentity, identity);
   */
  async setMessage<P>(name: string, type: Encodable<P>, message: P): Promise<void> {
    await this.set(name, encode(type, message));
  }

  /**
   * Re-wraps the same store key under a new passphrase (no record is re-encrypted) in one header
   * write, so an interruption leaves either the old or the new passphrase working. Needs the old
   * passphrase even when unlocked; `params` defaults to DEFAULT_ARGON2_PARAMS.
   * @example await store.changePassphrase('old one', 'new one');
   */
  async changePassphrase(
    oldPassphrase: string,
    newPassphrase: string,
    params: Argon2Params = DEFAULT_ARGON2_PARAMS,
  ): Promise<void> {
    await this.#mutateHeader(async (header) => {
      const storeKey = await unwrapWithPassphrase(header.passphrase, header.storeId, oldPassphrase);
      try {
        if (this.#keys && !equalBytes(this.#keys.storeKey, storeKey)) {
          throw new ConflictError('The store header changed underneath this session: open the store again.');
        }
        const passphrase = await wrapWithPassphrase(storeKey, header.storeId, newPassphrase, params);
        return { ...header, passphrase };
      } finally {
        storeKey.fill(0);
      }
    });
  }

  /**
   * Enrols an authenticator as a second way to unlock (replacing an earlier wrap for the same
   * credential id). Needs the store unlocked.
   * @example await store.addPrf({ credentialId, prfSalt, secret: prfOutput });
   */
  async addPrf(enrolment: PrfEnrolment): Promise<void> {
    this.#requireKeys();
    await this.#mutateHeader(async (header) => {
      const others = header.prf.filter((w) => !equalBytes(w.credentialId, enrolment.credentialId));
      if (others.length >= MAX_PRF_WRAPS) {
        throw new TooLargeError(`A store holds at most ${MAX_PRF_WRAPS} authenticators: remove one first.`);
      }
      const wrap = wrapWithPrf(this.#requireKeys().storeKey, header.storeId, enrolment);
      return { ...header, prf: [...others, wrap] };
    });
  }

  /**
   * Removes an authenticator's wrap; returns whether there was one. Needs the store unlocked.
   * @example await store.removePrf(credentialId);
   */
  async removePrf(credentialId: Uint8Array): Promise<boolean> {
    this.#requireKeys();
    let removed = false;
    await this.#mutateHeader(async (header) => {
      const prf = header.prf.filter((w) => !equalBytes(w.credentialId, credentialId));
      removed = prf.length !== header.prf.length;
      return { ...header, prf };
    });
    return removed;
  }

  #requireKeys(): StoreKeys {
    if (!this.#keys) throw new LockedError();
    return this.#keys;
  }

  #requireRecords(): RecordSet {
    if (!this.#records) throw new LockedError();
    return this.#records;
  }

  /** Checks the records against the manifest (upgrading a format 1 store), then installs the keys. */
  async #install(storeKey: Uint8Array, header: HeaderData, generation: number): Promise<void> {
    const keys = deriveStoreKeys(storeKey, header.storeId);
    const lockedMeanwhile = () =>
      new LockedError('The store was locked while it was being unlocked: unlock it again.');
    let records: RecordSet;
    try {
      if (generation !== this.#generation) throw lockedMeanwhile();
      records = await openRecordSet(this.#backend, header, keys);
      // The manifest is written by now, so a crash here leaves a format 1 header beside it: fine.
      if (header.version < STORE_VERSION) {
        await this.#mutateHeader(async (current) => ({ ...current, version: STORE_VERSION }));
      }
      if (generation !== this.#generation) throw lockedMeanwhile();
    } catch (error) {
      zeroStoreKeys(keys);
      throw error;
    }
    this.#records?.close();
    if (this.#keys) zeroStoreKeys(this.#keys);
    this.#header = header.version < STORE_VERSION ? this.#header : header;
    this.#keys = keys;
    this.#records = records;
  }

  /** Rereads the header (another tab or process may have changed the passphrase). */
  async #refreshHeader(): Promise<HeaderData> {
    const header = await readHeader(this.#backend);
    if (!equalBytes(header.storeId, this.#header.storeId)) {
      throw new ConflictError('A different store now lives at this location: open it again.');
    }
    return header;
  }

  /** Read-modify-write of the header, one at a time per instance, ending in a single backend set. */
  #mutateHeader(change: (header: HeaderData) => Promise<HeaderData>): Promise<void> {
    const run = async (): Promise<void> => {
      const next = await change(await this.#refreshHeader());
      await io('write the store header', () => this.#backend.set(HEADER_KEY, serializeHeader(next)));
      this.#header = next;
    };
    return this.#headerWrites.run(run);
  }
}
