/**
 * Internal: Argon2id in WebAssembly (hash-wasm), ~4x faster than @noble/hashes in Node and Chromium
 * for the store's default costs. Only ever imported with `import()` by _argon2.ts, so bundlers put its
 * ~30 KiB of embedded WebAssembly in a chunk of its own, fetched at the first unlock or create.
 * hash-wasm runs each call in a fresh WebAssembly instance whose memory the garbage collector frees.
 * @example const { wasmArgon2id } = await import('./_argon2-wasm.ts');
 */
import { argon2id } from 'hash-wasm';
import type { Argon2Params } from './params.ts';

/**
 * Argon2id (RFC 9106, version 0x13, no secret, no associated data) of `password` and `salt`.
 * @example const kek = await wasmArgon2id(password, salt, { t: 3, mKib: 65536, p: 1 }, 32);
 */
export function wasmArgon2id(
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2Params,
  length: number,
): Promise<Uint8Array> {
  return argon2id({
    password,
    salt,
    iterations: params.t,
    memorySize: params.mKib,
    parallelism: params.p,
    hashLength: length,
    outputType: 'binary',
  });
}
