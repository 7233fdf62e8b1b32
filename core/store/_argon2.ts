/**
 * Internal: Argon2id with two implementations that give the same bytes (test/vectors/argon2id.json):
 * hash-wasm's WebAssembly where it loads and passes a known-answer test, else @noble/hashes (pure JS,
 * ~4x slower: where WebAssembly is missing or a Content-Security-Policy refuses to compile it).
 * @example const kek = await deriveArgon2id(password, salt, DEFAULT_ARGON2_PARAMS, 32);
 */
import { equalBytes, fromHex, utf8 } from '../bytes.ts';
import { UnsupportedError } from '../errors.ts';
import type { Argon2Params } from './params.ts';

/** Which implementation computes Argon2id: WebAssembly (hash-wasm) or @noble/hashes. */
export type Argon2Backend = 'wasm' | 'noble';

export interface Argon2Options {
  /** Force one implementation (vectors, benchmarks). Default: WebAssembly when it passes its self-test. */
  backend?: Argon2Backend;
}

type Derive = (
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2Params,
  length: number,
) => Promise<Uint8Array>;

// phc-winner-argon2 src/test.c, Argon2id v1.3: t=2, m=2^8 KiB, p=1, "password", "somesalt" (< 1 ms).
const KAT = {
  password: utf8('password'),
  salt: utf8('somesalt'),
  params: { t: 2, mKib: 256, p: 1 },
  tag: fromHex('9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe'),
};

let wasm: Promise<Derive | undefined> | undefined;

/** The WebAssembly implementation, loaded on first use, or undefined when it cannot run here. */
function loadWasm(): Promise<Derive | undefined> {
  wasm ??= (async () => {
    if (typeof WebAssembly !== 'object') return undefined;
    try {
      const { wasmArgon2id } = await import('./_argon2-wasm.ts');
      const tag = await wasmArgon2id(KAT.password, KAT.salt, KAT.params, KAT.tag.length);
      return equalBytes(tag, KAT.tag) ? wasmArgon2id : undefined;
    } catch {
      return undefined; // no WebAssembly compile (CSP), or the chunk did not load: noble it is
    }
  })();
  return wasm;
}

/**
 * The pure-JS implementation, loaded on first use: only where WebAssembly cannot run, so bundles
 * keep it (and BLAKE2b) in an on-demand chunk (issue 19). A chunk that does not load says so.
 */
async function loadNoble(): Promise<Derive> {
  let argon2idAsync: typeof import('@noble/hashes/argon2.js').argon2idAsync;
  try {
    ({ argon2idAsync } = await import('@noble/hashes/argon2.js'));
  } catch {
    throw new UnsupportedError(
      'Argon2id could not be loaded (the network dropped, or the site was just updated): reload the page and try again.',
    );
  }
  return (password, salt, params, length) =>
    argon2idAsync(password, salt, {
      t: params.t,
      m: params.mKib,
      p: params.p,
      dkLen: length,
      maxmem: params.mKib * 1024 + 1024 * 1024,
    });
}

/**
 * The backend used when none is forced: 'wasm' if it loads and passes its self-test here, else 'noble'.
 * @example console.log(await argon2Backend());
 */
export async function argon2Backend(): Promise<Argon2Backend> {
  return (await loadWasm()) ? 'wasm' : 'noble';
}

/**
 * Argon2id (version 0x13, no secret, no associated data) of checked `params`; `length` bytes out.
 * UnsupportedError when the device cannot give it the memory, or a forced backend is missing.
 * @example const kek = await deriveArgon2id(utf8(passphrase), salt, params, 32);
 */
export async function deriveArgon2id(
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2Params,
  length: number,
  options?: Argon2Options,
): Promise<Uint8Array> {
  const wanted = options?.backend;
  if (wanted !== undefined && wanted !== 'wasm' && wanted !== 'noble')
    throw new UnsupportedError(`Unknown Argon2id backend ${String(wanted)}: use 'wasm' or 'noble'.`);
  const fast = wanted === 'noble' ? undefined : await loadWasm();
  if (wanted === 'wasm' && !fast)
    throw new UnsupportedError(
      'Argon2id in WebAssembly cannot run here (no WebAssembly, or the policy refuses it).',
    );
  if (fast) {
    try {
      return await fast(password, salt, params, length);
    } catch (cause) {
      // WebAssembly memory is one growable block: a device may refuse it where JS arrays still fit.
      if (wanted === 'wasm') throw outOfMemory(params, cause);
    }
  }
  const noble = await loadNoble();
  try {
    return await noble(password, salt, params, length);
  } catch (cause) {
    throw outOfMemory(params, cause);
  }
}

// Only an allocation failure can land here: the parameters were checked before.
function outOfMemory(params: Argon2Params, cause: unknown): UnsupportedError {
  return new UnsupportedError(
    `Argon2id could not run with ${params.mKib} KiB of memory on this device (${(cause as Error)?.message ?? cause}): close other tabs or apps and try again.`,
  );
}
