// The one HPKE suite of protocol v1 (RFC 9180 base mode): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20-Poly1305, on two X25519 backends that give the same bytes: WebCrypto where it passes its
// known-answer test (_x25519-webcrypto.ts), @noble/curves elsewhere. @hpke/core runs the key schedule
// and the contexts; HKDF (_hpke-kdf.ts) and ChaCha20-Poly1305 (_hpke-aead.ts) are noble's on both.
// Keys cross this boundary as raw 32-byte strings; library key objects never leave it.
import { CipherSuite } from '@hpke/core';
import { RoomKeyError, UnsupportedError } from '../errors.ts';
import { NobleChacha20Poly1305 } from './_hpke-aead.ts';
import { NobleHkdfSha256 } from './_hpke-kdf.ts';
import { nobleX25519, webCryptoX25519Functions, X25519Kem } from './_hpke-x25519.ts';
import { webCryptoX25519Available } from './_x25519-webcrypto.ts';

export { rawBytes, rawKey, X25519_KEY_BYTES } from './_hpke-x25519.ts';

/** Which implementation computes X25519 for HPKE: the platform's WebCrypto or @noble/curves. */
export type X25519Backend = 'webcrypto' | 'noble';

export interface HpkeOptions {
  /** Force one implementation (vectors, benchmarks). Default: WebCrypto when it passes its self-test. */
  backend?: X25519Backend;
}

type Mode = 'noble' | 'webcrypto' | 'webcrypto-strict';

interface Suite {
  suite: CipherSuite;
  kem: X25519Kem;
  backend: X25519Backend;
  /** The backend and whether a WebCrypto failure goes to noble: keys for per-mode caches. */
  mode: Mode;
}

function makeSuite(mode: Mode): Suite {
  const x = mode === 'noble' ? nobleX25519 : webCryptoX25519Functions(mode === 'webcrypto-strict');
  const kem = new X25519Kem(x);
  const suite = new CipherSuite({ kem, kdf: new NobleHkdfSha256(), aead: new NobleChacha20Poly1305() });
  return { suite, kem, backend: mode === 'noble' ? 'noble' : 'webcrypto', mode };
}

const suites = new Map<Mode, Suite>();

/**
 * The backend used when none is forced: 'webcrypto' if it passes its self-test here, else 'noble'.
 * @example console.log(await hpkeBackend());
 */
export async function hpkeBackend(): Promise<X25519Backend> {
  return (await webCryptoX25519Available()) ? 'webcrypto' : 'noble';
}

/**
 * The suite for `options`: a forced WebCrypto backend that is absent here is an UnsupportedError.
 * @example const { suite, backend } = await chooseSuite({ backend: 'noble' });
 */
export async function chooseSuite(options: HpkeOptions | undefined): Promise<Suite> {
  const wanted = options?.backend;
  if (wanted !== undefined && wanted !== 'noble' && wanted !== 'webcrypto')
    throw new UnsupportedError(`Unknown X25519 backend ${String(wanted)}: use 'webcrypto' or 'noble'.`);
  let mode: Mode = 'noble';
  if (wanted !== 'noble') {
    const present = await webCryptoX25519Available();
    if (wanted === 'webcrypto' && !present)
      throw new UnsupportedError('WebCrypto X25519 is not available here (or failed its self-test).');
    if (present) mode = wanted === 'webcrypto' ? 'webcrypto-strict' : 'webcrypto';
  }
  const suite = suites.get(mode) ?? makeSuite(mode);
  suites.set(mode, suite);
  return suite;
}

/** Runs `fn`, letting typed errors through and turning any library exception into `typed()`. */
export async function wrapErrors<T>(
  fn: () => Promise<T>,
  typed: (cause: unknown) => RoomKeyError,
): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof RoomKeyError) throw cause;
    throw typed(cause);
  }
}
