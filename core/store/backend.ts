/**
 * Where the encrypted store keeps its bytes: opaque string keys to opaque byte values. The store
 * only ever hands a backend ciphertext, blinded names and its clear header.
 * @example const backend: StoreBackend = new MemoryBackend();
 */

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
}
