/**
 * Stands in for core/store/_argon2.ts in dist/sw.js only (scripts/browser-aliases.ts, SW_STAND_INS).
 * The worker opens the store with the "keep this device unlocked" key (openWithDeviceUnlock), never
 * with a passphrase, and a service worker cannot `import()` the WebAssembly Argon2id on demand, so
 * esbuild inlined it: hash-wasm and noble's Argon2id were 17 KiB gzipped of sw.js (issue 19).
 * Same exports as _argon2.ts; deriving a passphrase key here says where to do it instead.
 * @example await deriveArgon2id(password, salt, params, 32) // UnsupportedError
 */
import { UnsupportedError } from '../core/errors.ts';

export type Argon2Backend = 'wasm' | 'noble';

export interface Argon2Options {
  backend?: Argon2Backend;
}

const WHY =
  'The service worker never derives a passphrase key: unlock RoomKey in the page (or turn on "keep this device unlocked" there).';

/**
 * Always refuses: see the module comment.
 * @example await argon2Backend().catch((e) => e.code) // 'unsupported'
 */
export async function argon2Backend(): Promise<Argon2Backend> {
  throw new UnsupportedError(WHY);
}

/**
 * Always refuses: see the module comment.
 * @example await deriveArgon2id(password, salt, params, 32).catch((e) => e.code) // 'unsupported'
 */
export async function deriveArgon2id(..._args: unknown[]): Promise<Uint8Array> {
  throw new UnsupportedError(WHY);
}
