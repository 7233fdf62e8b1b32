/**
 * Internal: the records of an unlocked store, read and written through the manifest. A write seals
 * the value under a fresh random record key and then changes the manifest, in one backend update
 * (private-update.ts); writes that arrive while one is running are committed together. The
 * manifest held here is a cache: a name it lacks, or a record missing under the key it names, makes
 * it read the manifest again (another tab may have written), and only a record that is still
 * missing then is a StoreIntegrityError. Writes made before the store is locked still commit
 * (their records are sealed already): the manifest key is kept, copied, only until they have.
 * @example const value = await records.get('identity');
 */
import { equalBytes } from '../bytes.ts';
import { LockedError, StoreIntegrityError, TamperedError } from '../errors.ts';
import type { StoreBackend } from './backend.ts';
import { HEADER_KEY } from './private-header.ts';
import { io } from './private-io.ts';
import {
  applyChanges,
  MANIFEST_KEY,
  type Manifest,
  type ManifestChange,
  openManifest,
  sealManifest,
} from './private-manifest.ts';
import { newRecordKey, openRecord, recordId, sealRecord } from './private-record.ts';
import type { StoreKeys } from './private-subkeys.ts';
import { updateBackend } from './private-update.ts';

/** Records read at once by list(), so a file backend never runs out of file handles. */
const LIST_BATCH = 64;
/** Writes committed together at most (one backend transaction). */
const MAX_BATCH = 256;
/** Rereads of the manifest before a missing record counts as removed (other tabs may be writing). */
const MAX_REREADS = 3;

interface PendingWrite extends ManifestChange {
  record?: Uint8Array;
  /** Writes of one `write()` call share it: a batch never splits them. */
  group?: object;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Reports a record that fails authentication (or is not in the manifest) while listing.
 * @example records.list((id, error) => console.warn(id, error.message));
 */
export type OnDamaged = (id: string, error: TamperedError) => void;

function unlisted(id: string): TamperedError {
  return new TamperedError(
    `Store record ${id} is not in the store's list of records: it was left by an interrupted write or put back from an older copy. It is ignored, and removed at the next unlock.`,
  );
}

/**
 * The unlocked records (see the top of this file). `close()` makes every later call a LockedError.
 * @example const records = new RecordSet(backend, storeId, keys, manifest, bytes);
 */
export class RecordSet {
  readonly #backend: StoreBackend;
  readonly #storeId: Uint8Array;
  readonly #keys: StoreKeys;
  /** keys.manifestKey, or a copy of it while writes made before close() still commit. */
  #manifestKey: Uint8Array;
  #manifest: Manifest;
  #manifestBytes: Uint8Array;
  #pending: PendingWrite[] = [];
  #draining = false;
  #closed = false;

  constructor(
    backend: StoreBackend,
    storeId: Uint8Array,
    keys: StoreKeys,
    manifest: Manifest,
    manifestBytes: Uint8Array,
  ) {
    this.#backend = backend;
    this.#storeId = storeId;
    this.#keys = keys;
    this.#manifestKey = keys.manifestKey;
    this.#manifest = manifest;
    this.#manifestBytes = manifestBytes;
  }

  /** The names the cached manifest lists, with their record keys. */
  get entries(): ReadonlyMap<string, Uint8Array> {
    return this.#manifest.entries;
  }

  /**
   * Every later call is a LockedError (the store is being locked: the caller zeroes the keys next).
   * Writes already made still commit, with a copy of the manifest key zeroed once they have.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#draining) this.#manifestKey = this.#keys.manifestKey.slice();
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    for (let rereads = 0; ; rereads++) {
      const looked = this.#manifest;
      const recordKey = looked.entries.get(name);
      if (!recordKey) {
        if (rereads === 0 && (await this.#rereadSince(looked))) continue;
        return undefined;
      }
      const id = recordId(recordKey);
      const bytes = await io('read a record', () => this.#backend.get(id));
      this.#checkOpen();
      if (bytes !== undefined) return openRecord(this.#keys, this.#storeId, id, bytes, name).value;
      // Replaced by a write since `looked` (here or in another tab), or removed behind the store's back.
      if (rereads < MAX_REREADS && (await this.#rereadSince(looked))) continue;
      throw new StoreIntegrityError('missing-record', [name]);
    }
  }

  async has(name: string): Promise<boolean> {
    const looked = this.#manifest;
    if (looked.entries.has(name)) return true;
    await this.#rereadSince(looked);
    return this.#manifest.entries.has(name);
  }

  async set(name: string, value: Uint8Array): Promise<void> {
    this.#checkOpen();
    const recordKey = newRecordKey();
    const record = sealRecord(this.#keys, this.#storeId, recordKey, name, value);
    await this.#enqueue({ name, recordKey, record });
  }

  async delete(name: string): Promise<void> {
    this.#checkOpen();
    await this.#enqueue({ name });
  }

  /** Sets and deletes several names in one backend update (one manifest write). */
  async write(set: ReadonlyArray<readonly [string, Uint8Array]>, remove: readonly string[]): Promise<void> {
    this.#checkOpen();
    const group = {};
    const changes: Array<Omit<PendingWrite, 'resolve' | 'reject'>> = [
      ...set.map(([name, value]) => {
        const recordKey = newRecordKey();
        return {
          name,
          recordKey,
          record: sealRecord(this.#keys, this.#storeId, recordKey, name, value),
          group,
        };
      }),
      ...remove.map((name) => ({ name, group })),
    ];
    const done = Promise.all(changes.map((change) => this.#enqueue(change, false)));
    if (!this.#draining) void this.#drain();
    await done;
  }

  /**
   * Every name whose record opens, sorted. A listed record that fails authentication, and a backend
   * key the manifest does not name, go to `onDamaged`; a listed record that is gone throws.
   */
  async list(onDamaged?: OnDamaged): Promise<string[]> {
    await this.#rereadSince(this.#manifest);
    const ids = await io('list keys', () => this.#backend.keys());
    this.#checkOpen();
    const present = new Set(ids);
    const listed = new Set<string>();
    const names: string[] = [];
    const missing: string[] = [];
    const entries = [...this.#manifest.entries];
    for (let i = 0; i < entries.length; i += LIST_BATCH) {
      const batch = entries.slice(i, i + LIST_BATCH);
      const values = await Promise.all(
        batch.map(([, key]) => {
          const id = recordId(key);
          return present.has(id) ? io('read a record', () => this.#backend.get(id)) : undefined;
        }),
      );
      this.#checkOpen();
      batch.forEach(([name, key], j) => {
        const id = recordId(key);
        listed.add(id);
        const bytes = values[j];
        if (bytes === undefined) {
          missing.push(name);
          return;
        }
        try {
          openRecord(this.#keys, this.#storeId, id, bytes, name).value.fill(0);
          names.push(name);
        } catch (error) {
          if (!(error instanceof TamperedError)) throw error;
          onDamaged?.(id, error);
        }
      });
    }
    // Gone since the listing began: get() rereads the manifest and tells a rewrite from a removal.
    for (const name of missing) {
      try {
        const value = await this.get(name);
        if (value) names.push(name);
      } catch (error) {
        if (!(error instanceof TamperedError)) throw error;
        onDamaged?.(recordId(this.#manifest.entries.get(name) ?? new Uint8Array()), error);
      }
    }
    for (const id of ids) {
      if (id !== HEADER_KEY && id !== MANIFEST_KEY && !listed.has(id)) onDamaged?.(id, unlisted(id));
    }
    return names.sort();
  }

  /**
   * Removes backend keys among `ids` that the manifest does not name (left by an interrupted write
   * on a backend without transactions, or put back from an older copy), checked against the
   * manifest as it is at that moment, so a record another writer just committed is never touched.
   */
  async removeUnlisted(ids: readonly string[]): Promise<void> {
    const listed = (manifest: Manifest) => new Set([...manifest.entries.values()].map(recordId));
    const known = listed(this.#manifest);
    const candidates = ids.filter((id) => id !== HEADER_KEY && id !== MANIFEST_KEY && !known.has(id));
    if (candidates.length === 0) return;
    await io('remove unlisted records', () =>
      updateBackend(this.#backend, MANIFEST_KEY, (current) => {
        const now = listed(this.#current(current));
        return { set: [], delete: candidates.filter((id) => !now.has(id)) };
      }),
    );
  }

  #checkOpen(): void {
    if (this.#closed) throw new LockedError();
  }

  /**
   * The manifest in `bytes`, as read from the backend, checked never to go below `floor`: the
   * generation this store held when the read began (a write here may have moved on meanwhile).
   */
  #current(bytes: unknown, floor = this.#manifest.generation): Manifest {
    if (bytes === undefined) throw new StoreIntegrityError('missing-manifest');
    if (bytes instanceof Uint8Array && equalBytes(bytes, this.#manifestBytes)) return this.#manifest;
    const manifest = openManifest(this.#manifestKey, this.#storeId, bytes);
    if (manifest.generation < floor) throw new StoreIntegrityError('older-manifest');
    return manifest;
  }

  #adopt(manifest: Manifest, bytes: Uint8Array): void {
    // An update committed earlier may finish after a reread saw a later one: never go back.
    if (manifest.generation < this.#manifest.generation) return;
    this.#manifest = manifest;
    this.#manifestBytes = bytes;
  }

  /** Reads the manifest again; true when the one held now is not `looked` (a write here counts too). */
  async #rereadSince(looked: Manifest): Promise<boolean> {
    const floor = this.#manifest.generation;
    const bytes = await io('read the store manifest', () => this.#backend.get(MANIFEST_KEY));
    this.#checkOpen();
    const manifest = this.#current(bytes, floor);
    if (manifest !== this.#manifest) this.#adopt(manifest, bytes as Uint8Array);
    return this.#manifest !== looked;
  }

  #enqueue(change: Omit<PendingWrite, 'resolve' | 'reject'>, drain = true): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ ...change, resolve, reject });
      if (drain && !this.#draining) void this.#drain();
    });
  }

  /** The next batch: up to MAX_BATCH writes, and never half of one `write()` call. */
  #nextBatch(): PendingWrite[] {
    let n = Math.min(MAX_BATCH, this.#pending.length);
    const group = this.#pending[n - 1]?.group;
    while (group && n < this.#pending.length && this.#pending[n]!.group === group) n++;
    return this.#pending.splice(0, n);
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#nextBatch();
        try {
          await this.#commit(batch);
          for (const write of batch) write.resolve();
        } catch (error) {
          for (const write of batch) write.reject(error);
        }
      }
    } finally {
      this.#draining = false;
      if (this.#closed && this.#manifestKey !== this.#keys.manifestKey) this.#manifestKey.fill(0);
    }
  }

  /** One backend update: the batch's records (the last write of each name), then the manifest. */
  async #commit(batch: readonly PendingWrite[]): Promise<void> {
    const last = new Map<string, PendingWrite>();
    for (const write of batch) last.set(write.name, write);
    const changes = [...last.values()];
    let committed: { manifest: Manifest; bytes: Uint8Array } | undefined;
    await io('write records', () =>
      updateBackend(this.#backend, MANIFEST_KEY, (current) => {
        const { next, garbage } = applyChanges(this.#current(current), changes);
        const bytes = sealManifest(this.#manifestKey, this.#storeId, next);
        committed = { manifest: next, bytes };
        const set = changes.flatMap(
          ({ recordKey, record }): Array<[string, Uint8Array]> =>
            recordKey && record ? [[recordId(recordKey), record]] : [],
        );
        return { set, commit: bytes, delete: garbage };
      }),
    );
    if (committed) this.#adopt(committed.manifest, committed.bytes);
  }
}
