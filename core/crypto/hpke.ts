/**
 * HPKE (RFC 9180) base mode, suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305,
 * checked against the RFC's Appendix A.2.1 vectors. Keys are raw 32-byte X25519 strings. X25519 runs
 * on WebCrypto where it passes a known-answer test, else on @noble/curves: the same bytes and the
 * same verdicts either way (`options.backend` forces one, for vectors and benchmarks).
 * Failures are typed: bad key or enc lengths are MalformedError, any failed open is DecryptError.
 * @example const { enc, ciphertext } = await hpkeSeal(pub, plaintext, utf8(HPKE_INFO_KEY_WRAP), aad);
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { equalBytes } from '../bytes.ts';
import { DecryptError, MalformedError } from '../errors.ts';
import { bufferSource, plainBytes, requireBytes } from './_checks.ts';
import {
  chooseSuite,
  type HpkeOptions,
  rawBytes,
  rawKey,
  wrapErrors,
  X25519_KEY_BYTES,
} from './_hpke-suite.ts';
import { AEAD_TAG_BYTES } from './aead.ts';
import { randomBytes } from './random.ts';

export { type HpkeOptions, hpkeBackend, type X25519Backend } from './_hpke-suite.ts';

export const HPKE_PUBLIC_KEY_BYTES = X25519_KEY_BYTES;
export const HPKE_PRIVATE_KEY_BYTES = X25519_KEY_BYTES;
export const HPKE_ENC_BYTES = X25519_KEY_BYTES;
/** ChaCha20-Poly1305 adds a 16-byte tag to every HPKE ciphertext. */
export const HPKE_TAG_BYTES = AEAD_TAG_BYTES;
/** RFC 9180 DeriveKeyPair wants at least Nsk = 32 bytes of input keying material. */
export const HPKE_MIN_IKM_BYTES = 32;

export interface HpkeKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export interface HpkeSealed {
  /** The encapsulated (ephemeral public) key, 32 bytes. */
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

/** A sender context: several messages to one recipient, numbered 0, 1, 2, ... (RFC 9180 5.2). */
export interface HpkeSender {
  enc: Uint8Array;
  seal(plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  export(exporterContext: Uint8Array, length: number): Promise<Uint8Array>;
}

/** A recipient context; opens must come in the sender's order. */
export interface HpkeRecipient {
  open(ciphertext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  export(exporterContext: Uint8Array, length: number): Promise<Uint8Array>;
}

const EMPTY = new Uint8Array(0);
const badKey = (what: string) => (cause: unknown) =>
  new MalformedError(`${what}: not a usable X25519 key (${(cause as Error)?.message ?? cause})`, { cause });
const cannotOpen = () =>
  new DecryptError('HPKE open failed: wrong key, wrong context (info/aad), or modified enc or ciphertext.');

/**
 * Deterministic key pair from input keying material (RFC 9180 DeriveKeyPair), ikm >= 32 bytes.
 * @example const room = await hpkeDeriveKeyPair(ikm);
 */
export async function hpkeDeriveKeyPair(ikm: Uint8Array, options?: HpkeOptions): Promise<HpkeKeyPair> {
  requireBytes(ikm, { min: HPKE_MIN_IKM_BYTES, max: 8192 }, 'HPKE ikm');
  const { suite } = await chooseSuite(options);
  return wrapErrors(async () => {
    const pair = await suite.kem.deriveKeyPair(plainBytes(ikm));
    return { publicKey: rawBytes(pair.publicKey).slice(), privateKey: rawBytes(pair.privateKey).slice() };
  }, badKey('HPKE ikm'));
}

/**
 * A fresh random key pair (DeriveKeyPair over 32 random bytes).
 * @example const { publicKey, privateKey } = await hpkeGenerateKeyPair();
 */
export async function hpkeGenerateKeyPair(options?: HpkeOptions): Promise<HpkeKeyPair> {
  return hpkeDeriveKeyPair(randomBytes(32), options);
}

/**
 * The public key of a raw X25519 private key (X25519 with the base point, as DHKEM does), with
 * @noble/curves: synchronous for callers that need it so; HPKE itself uses the chosen backend.
 * @example const pub = hpkePublicKey(privateKey);
 */
export function hpkePublicKey(privateKey: Uint8Array): Uint8Array {
  requireBytes(privateKey, HPKE_PRIVATE_KEY_BYTES, 'HPKE private key');
  return x25519.getPublicKey(privateKey);
}

// Decap needs the recipient's public key for kem_context; a recipient opens many messages with one
// key array, so its public key is computed once per array (with a copy to notice in-place rewrites).
const recipientPublicKeys = new Map<
  string,
  WeakMap<Uint8Array, { bytes: Uint8Array; pub: Promise<Uint8Array> }>
>();

function recipientPublicKey(
  privateKey: Uint8Array,
  mode: string,
  base: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const cache = recipientPublicKeys.get(mode) ?? new WeakMap();
  recipientPublicKeys.set(mode, cache);
  const hit = cache.get(privateKey);
  if (hit !== undefined && equalBytes(hit.bytes, privateKey)) return hit.pub;
  const pub = base();
  cache.set(privateKey, { bytes: privateKey.slice(), pub });
  pub.catch(() => cache.delete(privateKey));
  return pub;
}

/**
 * Opens a sender context to `recipientPublicKey`. `ikmE` (tests and vectors only) fixes the
 * ephemeral key; reusing it for two messages destroys confidentiality, so production omits it.
 * @example const sender = await createHpkeSender({ recipientPublicKey, info });
 */
export async function createHpkeSender(
  params: { recipientPublicKey: Uint8Array; info: Uint8Array; ikmE?: Uint8Array } & HpkeOptions,
): Promise<HpkeSender> {
  requireBytes(params.recipientPublicKey, HPKE_PUBLIC_KEY_BYTES, 'HPKE recipient public key');
  requireBytes(params.info, { max: 1024 }, 'HPKE info');
  if (params.ikmE !== undefined)
    requireBytes(params.ikmE, { min: HPKE_MIN_IKM_BYTES, max: 8192 }, 'HPKE ikmE');
  const { suite } = await chooseSuite(params);
  // The ephemeral key is DeriveKeyPair(ikmE) with a random ikmE unless a vector fixes it: one path.
  const ikmE = params.ikmE === undefined ? randomBytes(HPKE_MIN_IKM_BYTES) : plainBytes(params.ikmE);
  const context = await wrapErrors(
    async () =>
      suite.createSenderContext({
        recipientPublicKey: rawKey('public', params.recipientPublicKey, true),
        info: bufferSource(params.info),
        ekm: ikmE,
      }),
    badKey('HPKE recipient public key'),
  );
  return {
    enc: plainBytes(context.enc),
    seal: async (plaintext, aad = EMPTY) =>
      wrapErrors(
        async () =>
          plainBytes(
            await context.seal(
              bufferSource(requireBytes(plaintext, {}, 'HPKE plaintext')),
              bufferSource(aad),
            ),
          ),
        (cause) => new MalformedError(`HPKE seal failed (${(cause as Error)?.message ?? cause})`, { cause }),
      ),
    export: (exporterContext, length) => exportSecret(context, exporterContext, length),
  };
}

/**
 * Opens a recipient context for `enc` with a raw X25519 private key.
 * @example const recipient = await createHpkeRecipient({ recipientPrivateKey, enc, info });
 */
export async function createHpkeRecipient(
  params: { recipientPrivateKey: Uint8Array; enc: Uint8Array; info: Uint8Array } & HpkeOptions,
): Promise<HpkeRecipient> {
  requireBytes(params.recipientPrivateKey, HPKE_PRIVATE_KEY_BYTES, 'HPKE recipient private key');
  requireBytes(params.enc, HPKE_ENC_BYTES, 'HPKE enc');
  requireBytes(params.info, { max: 1024 }, 'HPKE info');
  const { suite, kem, mode } = await chooseSuite(params);
  const privateKey = rawKey('private', params.recipientPrivateKey);
  const context = await wrapErrors(async () => {
    const pub = await recipientPublicKey(params.recipientPrivateKey, mode, () =>
      kem.publicKeyOf(params.recipientPrivateKey),
    );
    return suite.createRecipientContext({
      recipientKey: { privateKey, publicKey: rawKey('public', pub) },
      enc: plainBytes(params.enc),
      info: bufferSource(params.info),
    });
  }, cannotOpen);
  return {
    open: async (ciphertext, aad = EMPTY) => {
      requireBytes(ciphertext, { min: HPKE_TAG_BYTES }, 'HPKE ciphertext');
      return wrapErrors(
        async () => plainBytes(await context.open(bufferSource(ciphertext), bufferSource(aad))),
        cannotOpen,
      );
    },
    export: (exporterContext, length) => exportSecret(context, exporterContext, length),
  };
}
async function exportSecret(
  context: { export(c: ArrayBufferLike | ArrayBufferView, l: number): Promise<ArrayBuffer> },
  exporterContext: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  requireBytes(exporterContext, { max: 8192 }, 'HPKE exporter context');
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new MalformedError('HPKE export length: expected 1..8160');
  }
  return wrapErrors(
    async () => plainBytes(await context.export(bufferSource(exporterContext), length)),
    (cause) => new MalformedError(`HPKE export failed (${(cause as Error)?.message ?? cause})`, { cause }),
  );
}

/**
 * Single-shot seal (RFC 9180 SealBase) of `plaintext` to `recipientPublicKey`. `ikmE` (tests and
 * vectors only) fixes the ephemeral key, as in createHpkeSender; production omits it.
 * @example const sealed = await hpkeSeal(roomPublicKey, plaintext, info, aad);
 */
export async function hpkeSeal(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array = EMPTY,
  ikmE?: Uint8Array,
  options?: HpkeOptions,
): Promise<HpkeSealed> {
  const sender = await createHpkeSender({ recipientPublicKey, info, ikmE, ...options });
  return { enc: sender.enc, ciphertext: await sender.seal(plaintext, aad) };
}

/**
 * Deterministic seal with the ephemeral key derived from `ikmE`: FOR TEST VECTORS ONLY.
 * @example const sealed = await hpkeSealDeterministic(pub, pt, info, aad, fromHex(vector.ikmE));
 */
export function hpkeSealDeterministic(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  ikmE: Uint8Array,
  options?: HpkeOptions,
): Promise<HpkeSealed> {
  return hpkeSeal(recipientPublicKey, plaintext, info, aad, ikmE, options);
}

/**
 * Single-shot open (RFC 9180 OpenBase); DecryptError on any mismatch, MalformedError on bad lengths.
 * @example const plaintext = await hpkeOpen(privateKey, sealed.enc, sealed.ciphertext, info, aad);
 */
export async function hpkeOpen(
  recipientPrivateKey: Uint8Array,
  enc: Uint8Array,
  ciphertext: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array = EMPTY,
  options?: HpkeOptions,
): Promise<Uint8Array> {
  requireBytes(ciphertext, { min: HPKE_TAG_BYTES }, 'HPKE ciphertext');
  const recipient = await createHpkeRecipient({ recipientPrivateKey, enc, info, ...options });
  return recipient.open(ciphertext, aad);
}
