/**
 * A StoreBackend on IndexedDB through idb-keyval, for browsers, extensions and service workers.
 * @example const store = await EncryptedStore.open(new IdbBackend('roomkey'));
 */
import { createStore, del, get, keys, promisifyRequest, set, type UseStore } from 'idb-keyval';
import { RoomKeyError, UnsupportedError } from '../errors.ts';
import type { BackendWrites, StoreBackend } from './backend.ts';
import { StoreIoError } from './errors.ts';

async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof RoomKeyError) throw cause;
    throw new StoreIoError(
      `IndexedDB store: could not ${what} (${(cause as Error)?.name}: ${(cause as Error)?.message}).`,
      {
        cause,
      },
    );
  }
}

/**
 * IndexedDB StoreBackend: one database `dbName` with one object store; each set is one transaction,
 * and so is each `update` (IndexedDB runs overlapping read-write transactions one after another,
 * across tabs and workers too, and applies each all or nothing).
 * UnsupportedError where IndexedDB is missing.
 * @example const backend = new IdbBackend('roomkey-store');
 */
export class IdbBackend implements StoreBackend {
  readonly #db: UseStore;

  constructor(dbName = 'roomkey-store', storeName = 'records') {
    if (typeof indexedDB === 'undefined') {
      throw new UnsupportedError(
        'IndexedDB is not available here: use another StoreBackend (memory or file).',
      );
    }
    this.#db = createStore(dbName, storeName);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value = await guard('read a record', () => get<unknown>(key, this.#db));
    if (value === undefined) return undefined;
    // Anything else is handed on as-is: the store reports it as a damaged record.
    return value as Uint8Array;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await guard('write a record', () => set(key, value, this.#db));
  }

  async delete(key: string): Promise<void> {
    await guard('delete a record', () => del(key, this.#db));
  }

  async keys(): Promise<string[]> {
    const all = await guard('list keys', () => keys(this.#db));
    return all.filter((k): k is string => typeof k === 'string');
  }

  async update(key: string, plan: (current: unknown) => BackendWrites): Promise<void> {
    await guard('update records', () =>
      this.#db(
        'readwrite',
        (store) =>
          new Promise<void>((resolve, reject) => {
            const read = store.get(key);
            read.onerror = () => reject(read.error);
            // The plan runs inside the transaction, synchronously: an await here would let it commit.
            read.onsuccess = () => {
              let writes: BackendWrites;
              try {
                writes = plan(read.result);
              } catch (error) {
                store.transaction.abort();
                reject(error);
                return;
              }
              for (const [k, value] of writes.set) store.put(value, k);
              if (writes.commit) store.put(writes.commit, key);
              for (const k of writes.delete) store.delete(k);
              resolve(promisifyRequest(store.transaction));
            };
          }),
      ),
    );
  }
}
