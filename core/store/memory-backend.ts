/**
 * A backend in memory, for tests and ephemeral sessions; gone when the process ends.
 * @example const store = await EncryptedStore.create(new MemoryBackend(), 'passphrase');
 */
import type { BackendWrites, StoreBackend } from './backend.ts';

/**
 * In-memory StoreBackend. Copies bytes in and out, so callers never share a buffer with it.
 * `update` runs in one synchronous step, so it is atomic and isolated.
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

  async update(key: string, plan: (current: unknown) => BackendWrites): Promise<void> {
    const writes = plan(this.#data.get(key)?.slice());
    for (const [k, value] of writes.set) this.#data.set(k, Uint8Array.from(value));
    if (writes.commit) this.#data.set(key, Uint8Array.from(writes.commit));
    for (const k of writes.delete) this.#data.delete(k);
  }
}
