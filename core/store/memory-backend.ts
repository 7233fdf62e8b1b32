/**
 * A backend in memory, for tests and ephemeral sessions; gone when the process ends.
 * @example const store = await EncryptedStore.create(new MemoryBackend(), 'passphrase');
 */
import type { StoreBackend } from './backend.ts';

/**
 * In-memory StoreBackend. Copies bytes in and out, so callers never share a buffer with it.
 * @example const backend = new MemoryBackend();
 */
export class MemoryBackend implements StoreBackend {
  readonly #data = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    const value = this.#data.get(key);
    return value ? value.slice() : undefined;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    this.#data.set(key, Uint8Array.from(value));
  }

  async delete(key: string): Promise<void> {
    this.#data.delete(key);
  }

  async keys(): Promise<string[]> {
    return [...this.#data.keys()];
  }
}
