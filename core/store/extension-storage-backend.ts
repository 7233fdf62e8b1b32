/**
 * A StoreBackend on a browser extension's storage area (`browser.storage.local`). core never
 * touches an extension API: the area is passed in, typed by the few methods used here.
 * @example const store = await EncryptedStore.open(new ExtensionStorageBackend(browser.storage.local));
 */
import { fromBase64Url, toBase64Url } from '../bytes.ts';
import { MalformedError, RoomKeyError } from '../errors.ts';
import { KeyedSerialQueue } from '../serial.ts';
import type { BackendWrites, StoreBackend } from './backend.ts';
import { StoreIoError } from './errors.ts';
import { applyInOrder } from './private-update.ts';

/**
 * The part of `browser.storage.StorageArea` this backend needs (Chrome and Firefox, promise style).
 * `getKeys` is optional: Chrome ≥ 130 has it, and it saves reading every value to list keys.
 * @example const area: StorageAreaLike = browser.storage.local;
 */
export interface StorageAreaLike {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
  getKeys?(): Promise<string[]>;
}

/** Updates of one area and prefix run one at a time, whichever backend object they come through. */
const updates = new WeakMap<StorageAreaLike, KeyedSerialQueue<string>>();

async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof RoomKeyError) throw cause;
    throw new StoreIoError(`Extension storage: could not ${what} (${(cause as Error)?.message ?? cause}).`, {
      cause,
    });
  }
}

/**
 * Extension-storage StoreBackend. Values are base64url strings (storage areas hold JSON, where a
 * Uint8Array would not survive); every key gets `prefix`, so the store shares the area with the
 * extension's other records without seeing them. Each `set` writes one item: atomic by the API.
 * The API promises nothing about several items, so `update` writes in BackendWrites order, one
 * update per area and prefix at a time in this context (the background is the store's one writer).
 * @example const backend = new ExtensionStorageBackend(browser.storage.local, 'roomkey-store:');
 */
export class ExtensionStorageBackend implements StoreBackend {
  readonly #area: StorageAreaLike;
  readonly #prefix: string;

  constructor(area: StorageAreaLike, prefix = 'roomkey-store:') {
    if (!prefix) throw new MalformedError('ExtensionStorageBackend: the key prefix must not be empty.');
    this.#area = area;
    this.#prefix = prefix;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const name = this.#prefix + key;
    const items = await guard('read a record', () => this.#area.get(name));
    const value = items[name];
    if (value === undefined) return undefined;
    try {
      if (typeof value === 'string') return fromBase64Url(value);
    } catch {
      // Falls through: damaged bytes are the store's to report (TamperedError for that record).
    }
    return new Uint8Array(0);
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await guard('write a record', () => this.#area.set({ [this.#prefix + key]: toBase64Url(value) }));
  }

  async delete(key: string): Promise<void> {
    await guard('delete a record', () => this.#area.remove(this.#prefix + key));
  }

  update(key: string, plan: (current: unknown) => BackendWrites): Promise<void> {
    const serializer = updates.get(this.#area) ?? new KeyedSerialQueue<string>();
    updates.set(this.#area, serializer);
    return serializer.run(this.#prefix, () => applyInOrder(this, key, plan));
  }

  async keys(): Promise<string[]> {
    const all = await guard('list keys', async () =>
      this.#area.getKeys ? await this.#area.getKeys() : Object.keys(await this.#area.get(null)),
    );
    return all.filter((k) => k.startsWith(this.#prefix)).map((k) => k.slice(this.#prefix.length));
  }

  /**
   * Removes every record of this backend (sign-out), leaving the area's other items alone.
   * @example await backend.clear();
   */
  async clear(): Promise<void> {
    const keys = (await this.keys()).map((k) => this.#prefix + k);
    if (keys.length > 0) await guard('delete records', () => this.#area.remove(keys));
  }
}
