/**
 * A StoreBackend on the Node file system (bots, tests): one file per key in a private directory.
 * Node only; browsers never import this file (it is not exported from core/store/index.ts).
 * @example import { FileBackend } from '../core/store/file-backend.ts'; const backend = await FileBackend.open(dir);
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fromHex, fromUtf8, toHex, utf8 } from '../bytes.ts';
import { TooLargeError } from '../errors.ts';
import { KeyedSerialQueue } from '../serial.ts';
import type { BackendWrites, StoreBackend } from './backend.ts';
import { StoreIoError } from './errors.ts';

/** File names stay under 255 bytes: hex of at most 120 key bytes plus the suffix. */
const MAX_KEY_BYTES = 120;
const SUFFIX = '.rk';
const FILE_NAME = /^((?:[0-9a-f]{2})+)\.rk$/;

function fileName(key: string): string {
  const bytes = utf8(key);
  if (bytes.length === 0 || bytes.length > MAX_KEY_BYTES) {
    throw new TooLargeError(`A file backend key must be 1..${MAX_KEY_BYTES} bytes of UTF-8.`);
  }
  // Hex, not the key itself: safe on every file system, including case-insensitive ones.
  return toHex(bytes) + SUFFIX;
}

/** Updates of one directory run one at a time, whichever FileBackend object of it they come through. */
const updates = new KeyedSerialQueue<string>();

function failure(what: string, cause: unknown): StoreIoError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  return new StoreIoError(`File store: could not ${what} (${code ?? (cause as Error)?.message}).`, { cause });
}

/**
 * Node file-system StoreBackend. Each set writes a temporary file, flushes it and renames it over
 * the old one, so a crash leaves the old or the new value, never a torn one. Files are 0600 in a
 * 0700 directory. One process per directory. `update` has no multi-file transaction: it writes in
 * BackendWrites order, one update per directory at a time in this process (see update()).
 * @example const store = await EncryptedStore.create(await FileBackend.open('/var/lib/bot/store'), passphrase);
 */
export class FileBackend implements StoreBackend {
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = resolve(dir);
  }

  /**
   * Opens (creating if needed) the directory `dir` as a backend.
   * @example const backend = await FileBackend.open(join(os.tmpdir(), 'store'));
   */
  static async open(dir: string): Promise<FileBackend> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw failure(`create the directory ${dir}`, cause);
    }
    return new FileBackend(dir);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const path = join(this.#dir, fileName(key));
    try {
      const buf = await readFile(path);
      return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException)?.code === 'ENOENT') return undefined;
      throw failure('read a record', cause);
    }
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await this.#write(key, value);
    await this.#syncDir();
  }

  async delete(key: string): Promise<void> {
    if (await this.#unlink(key)) await this.#syncDir();
  }

  /**
   * In BackendWrites order, one update per directory at a time in this process, with as few
   * directory flushes as the order needs: the records' names are durable before the manifest that
   * names them, the manifest before anything is removed; a removal lost in a crash leaves a record
   * nothing names, which the store removes at its next unlock.
   */
  update(key: string, plan: (current: unknown) => BackendWrites): Promise<void> {
    return updates.run(this.#dir, async () => {
      const writes = plan(await this.get(key));
      await Promise.all(writes.set.map(([k, value]) => this.#write(k, value)));
      if (writes.set.length > 0) await this.#syncDir();
      if (writes.commit) {
        await this.#write(key, writes.commit);
        await this.#syncDir();
      }
      await Promise.all(writes.delete.map((k) => this.#unlink(k)));
    });
  }

  /** Temporary file, flushed, renamed over the old one: the old or the new bytes, never a mix. */
  async #write(key: string, value: Uint8Array): Promise<void> {
    const name = fileName(key);
    const tmp = join(this.#dir, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
    try {
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(value);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(tmp, join(this.#dir, name));
    } catch (cause) {
      await unlink(tmp).catch(() => undefined);
      throw failure('write a record', cause);
    }
  }

  /** Removes the file of `key`; false when there was none. */
  async #unlink(key: string): Promise<boolean> {
    try {
      await unlink(join(this.#dir, fileName(key)));
      return true;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException)?.code === 'ENOENT') return false;
      throw failure('delete a record', cause);
    }
  }

  async keys(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch (cause) {
      throw failure('list the directory', cause);
    }
    const keys: string[] = [];
    for (const name of names) {
      const hex = FILE_NAME.exec(name)?.[1];
      if (!hex) continue;
      try {
        keys.push(fromUtf8(fromHex(hex)));
      } catch {
        // Not one of ours; the store ignores what it cannot name.
      }
    }
    return keys;
  }

  /** Makes a rename or unlink durable; best effort (some platforms cannot fsync a directory). */
  async #syncDir(): Promise<void> {
    try {
      const handle = await open(this.#dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Durability of the directory entry is best effort; the data itself was flushed.
    }
  }
}
