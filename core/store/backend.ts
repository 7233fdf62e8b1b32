/**
 * Where the encrypted store keeps its bytes: opaque string keys to opaque byte values. The store
 * only ever hands a backend ciphertext, random record keys and its clear header.
 * @example const backend: StoreBackend = new MemoryBackend();
 */

/**
 * What one `update` writes: new records first, then the new value of the updated key (the commit
 * point), then the removal of keys nothing refers to any more.
 * @example const writes: BackendWrites = { set: [[id, record]], commit: manifest, delete: [oldId] };
 */
export interface BackendWrites {
  set: Array<[string, Uint8Array]>;
  /** The updated key's new value; undefined leaves it as it was. */
  commit?: Uint8Array;
  delete: string[];
}

/**
 * A key-value backend. Each `set` must replace the value atomically (readers see the old or the new
 * bytes, never a mix): the store relies on that to change the passphrase in one write.
 * Failures throw a RoomKeyError (e.g. StoreIoError), never a bare Error.
 * @example await backend.set('k', new Uint8Array([1])); await backend.get('k');
 */
export interface StoreBackend {
  /** The bytes under `key`, or undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores `value` under `key`, replacing what was there in one atomic step. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key currently stored, in no particular order. */
  keys(): Promise<string[]>;
  /**
   * Optional: one read-modify-write of several keys. Reads `key`, calls `plan` with its value
   * synchronously (it may throw to abort: nothing is written), and applies the writes it returns,
   * with no other update of the same storage in between. All or nothing where the storage has
   * transactions (memory; IndexedDB, isolated across tabs and workers too); elsewhere (file,
   * extension storage: isolated within this process) in BackendWrites order, which the store's
   * crash rules rely on. Without it the store applies the writes in that order itself, one update
   * per backend object at a time.
   */
  update?(key: string, plan: (current: unknown) => BackendWrites): Promise<void>;
}
