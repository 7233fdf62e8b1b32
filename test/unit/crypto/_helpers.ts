// Shared bits of the crypto unit tests (not a test file itself).

import type { Ed25519Backend } from '../../../core/crypto/index.ts';
import { ed25519Backend } from '../../../core/crypto/index.ts';

/** Both Ed25519 backends where WebCrypto has Ed25519 (Node 24 does), else noble alone. */
export const BACKENDS: Ed25519Backend[] =
  (await ed25519Backend()) === 'webcrypto' ? ['noble', 'webcrypto'] : ['noble'];

/** 32 (or n) bytes filled with `byte`. */
export function filled(byte: number, n = 32): Uint8Array {
  return new Uint8Array(n).fill(byte);
}

/** A copy of `bytes` with bit `bit` of byte `index` flipped. */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const out = bytes.slice();
  out[index]! ^= 1 << bit;
  return out;
}
