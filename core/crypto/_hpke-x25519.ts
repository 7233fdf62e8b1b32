// DHKEM(X25519, HKDF-SHA256) for @hpke/core with the X25519 function as the only thing that changes
// between backends. @hpke/core's Dhkem does Encap/Decap (RFC 9180 4.1); here are its primitives on raw
// 32-byte keys: DeriveKeyPair (7.1.3) with the noble HKDF, and X25519 from WebCrypto or @noble/curves.
// The sender's ephemeral key always comes from DeriveKeyPair(ikmE), with ikmE random unless a vector
// fixes it, so the random and the deterministic paths are one path on either backend.
import { DhkemX25519HkdfSha256 } from '@hpke/core';
import { x25519 } from '@noble/curves/ed25519.js';
import { utf8 } from '../bytes.ts';
import { NobleHkdfSha256 } from './_hpke-kdf.ts';
import { webCryptoX25519, webCryptoX25519Base } from './_x25519-webcrypto.ts';
import { randomBytes } from './random.ts';

export const X25519_KEY_BYTES = 32;
const EMPTY = new Uint8Array(0);
const LABEL_DKP_PRK = utf8('dkp_prk');
const LABEL_SK = utf8('sk');
// suite_id = "KEM" || I2OSP(kem_id = 0x0020, 2) (RFC 9180 4.1, 7.1).
const KEM_SUITE_ID = Uint8Array.of(0x4b, 0x45, 0x4d, 0x00, 0x20);

/** The two scalar multiplications DHKEM needs. `reusable` marks a peer key worth caching. */
export interface X25519Functions {
  dh(scalar: Uint8Array, u: Uint8Array, reusable: boolean): Promise<Uint8Array>;
  base(scalar: Uint8Array): Promise<Uint8Array>;
}

/** @noble/curves; refuses an all-zero output (a low-order u) by throwing. */
export const nobleX25519: X25519Functions = {
  dh: async (scalar, u) => x25519.getSharedSecret(scalar, u),
  base: async (scalar) => x25519.getPublicKey(scalar),
};

/**
 * WebCrypto. `strict` (a forced backend: vectors, bench) keeps WebCrypto's own answer; otherwise a
 * call WebCrypto throws on is given to noble, so a platform quirk can change speed, never a verdict.
 * @example const functions = webCryptoX25519Functions(false);
 */
export function webCryptoX25519Functions(strict: boolean): X25519Functions {
  if (strict) return { dh: webCryptoX25519, base: webCryptoX25519Base };
  return {
    dh: (scalar, u, reusable) =>
      webCryptoX25519(scalar, u, reusable).catch(() => nobleX25519.dh(scalar, u, reusable)),
    base: (scalar) => webCryptoX25519Base(scalar).catch(() => nobleX25519.base(scalar)),
  };
}

/** A raw X25519 key in the CryptoKey shape @hpke/core passes around (it only hands keys back to us). */
class RawKey {
  readonly algorithm = { name: 'X25519' };
  readonly extractable = true;
  readonly usages: KeyUsage[];
  readonly type: 'public' | 'private';
  readonly bytes: Uint8Array;
  readonly reusable: boolean;
  constructor(type: 'public' | 'private', bytes: Uint8Array, reusable: boolean) {
    this.type = type;
    this.bytes = bytes;
    this.reusable = reusable;
    this.usages = type === 'private' ? ['deriveBits'] : [];
  }
}

/**
 * Wraps raw bytes for @hpke/core. The bytes are used as given (not copied), so a caller that keeps
 * the same array for a key lets WebCrypto's import cache work.
 * @example const recipientKey = rawKey('public', roomPublicKey, true);
 */
export function rawKey(type: 'public' | 'private', bytes: Uint8Array, reusable = false): CryptoKey {
  return new RawKey(type, bytes, reusable) as unknown as CryptoKey;
}

/**
 * The bytes of a key made by rawKey or by this KEM.
 * @example const enc = rawBytes(pair.publicKey);
 */
export function rawBytes(key: CryptoKey): Uint8Array {
  if (!(key instanceof RawKey)) throw new Error('not a RoomKey X25519 key');
  return key.bytes;
}

function view(bytes: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Uint8Array(bytes);
}

function imported(bytes: ArrayBufferLike | ArrayBufferView, type: 'public' | 'private'): CryptoKey {
  const raw = view(bytes).slice();
  if (raw.length !== X25519_KEY_BYTES) throw new Error(`X25519 ${type} key: expected 32 bytes`);
  return rawKey(type, raw);
}

class RawX25519Primitives {
  private readonly kdf: NobleHkdfSha256;
  private readonly x: X25519Functions;
  constructor(kdf: NobleHkdfSha256, x: X25519Functions) {
    this.kdf = kdf;
    this.x = x;
  }

  async serializePublicKey(key: CryptoKey): Promise<ArrayBuffer> {
    return rawBytes(key).slice().buffer;
  }
  async serializePrivateKey(key: CryptoKey): Promise<ArrayBuffer> {
    return rawBytes(key).slice().buffer;
  }
  async deserializePublicKey(key: ArrayBufferLike | ArrayBufferView): Promise<CryptoKey> {
    return imported(key, 'public');
  }
  async deserializePrivateKey(key: ArrayBufferLike | ArrayBufferView): Promise<CryptoKey> {
    return imported(key, 'private');
  }
  async importKey(
    format: 'raw' | 'jwk',
    key: ArrayBuffer | JsonWebKey,
    isPublic: boolean,
  ): Promise<CryptoKey> {
    if (format !== 'raw' || !(key instanceof ArrayBuffer)) throw new Error('only raw X25519 keys');
    return imported(key, isPublic ? 'public' : 'private');
  }
  async generateKeyPair(): Promise<CryptoKeyPair> {
    return this.deriveKeyPair(randomBytes(X25519_KEY_BYTES));
  }
  async deriveKeyPair(ikm: ArrayBufferLike | ArrayBufferView): Promise<CryptoKeyPair> {
    const prk = await this.kdf.labeledExtract(EMPTY, LABEL_DKP_PRK, view(ikm));
    const sk = new Uint8Array(await this.kdf.labeledExpand(prk, LABEL_SK, EMPTY, X25519_KEY_BYTES));
    return { privateKey: rawKey('private', sk), publicKey: rawKey('public', await this.x.base(sk)) };
  }
  async derivePublicKey(key: CryptoKey): Promise<CryptoKey> {
    return rawKey('public', await this.x.base(rawBytes(key)));
  }
  async dh(sk: CryptoKey, pk: CryptoKey): Promise<ArrayBuffer> {
    const peer = pk as unknown as RawKey;
    return (await this.x.dh(rawBytes(sk), rawBytes(pk), peer.reusable)).slice().buffer;
  }
}

/**
 * DHKEM(X25519, HKDF-SHA256) on raw keys: @hpke/core's Encap/Decap, our primitives and noble HKDF.
 * @example new CipherSuite({ kem: new X25519Kem(nobleX25519), kdf: new NobleHkdfSha256(), aead });
 */
export class X25519Kem extends DhkemX25519HkdfSha256 {
  private readonly x: X25519Functions;
  constructor(x: X25519Functions) {
    super();
    this.x = x;
    // Dhkem's constructor takes the primitives and the KDF, but @hpke/core exports only this
    // subclass of it: replace both (protected fields, the designed extension point) before any use.
    const kdf = new NobleHkdfSha256();
    kdf.init(KEM_SUITE_ID);
    this._kdf = kdf;
    this._prim = new RawX25519Primitives(kdf, x);
  }

  /** X25519(privateKey, 9) on this KEM's backend. */
  publicKeyOf(privateKey: Uint8Array): Promise<Uint8Array> {
    return this.x.base(privateKey);
  }
}
