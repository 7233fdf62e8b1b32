/**
 * Ed25519 signatures (RFC 8032) with domain separation. WebCrypto is used when the platform has it
 * (proven by a known-answer test) and @noble/curves otherwise; both give the same bytes, and every
 * backend gives the same verdict: the strict rule of _ed25519-strict.ts (canonical A and R, A in the
 * prime-order subgroup, R not the identity, S < L, cofactorless equation) is applied in front of it.
 * @example const sig = await sign(labeledMessage(LABEL_ENVELOPE, body), deviceSecretKey);
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, equalBytes, utf8 } from '../bytes.ts';
import { MalformedError, UnsupportedError } from '../errors.ts';
import { requireBytes } from './_checks.ts';
import { passesPreChecks, verifyStrict } from './_ed25519-strict.ts';
import { webCryptoEd25519Available, webCryptoSign, webCryptoVerify } from './_ed25519-webcrypto.ts';
import { randomBytes } from './random.ts';

export { ed25519PublicKeyProblem, requireSigningPublicKey } from './_ed25519-strict.ts';

export const ED25519_SECRET_KEY_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** Which implementation computes a signature: the platform's WebCrypto or @noble/curves. */
export type Ed25519Backend = 'webcrypto' | 'noble';

export interface SignOptions {
  /** Force one implementation (benchmarks, cross-checks). Default: WebCrypto when present. */
  backend?: Ed25519Backend;
}

/** An Ed25519 key pair: `secretKey` is the 32-byte RFC 8032 seed. */
export interface SigningKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface VerifyItem {
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * The bytes actually signed for `label`: utf8(label) || 0x00 || parts...
 * @example labeledMessage('roomkey/v1/user-identity', body)
 */
export function labeledMessage(label: string, ...parts: Uint8Array[]): Uint8Array {
  return concatBytes(labelPrefix(label), ...parts);
}

// utf8(label) || 0x00 per label: a catch-up signs nothing but builds 10,000 envelope messages, and
// encoding the same label each time cost ~60-90 ms of the page's main thread. The labels are a
// handful of constants; the cap keeps a caller with many labels from growing it.
const prefixes = new Map<string, Uint8Array>();
const MAX_PREFIXES = 64;

function labelPrefix(label: string): Uint8Array {
  const known = prefixes.get(label);
  if (known) return known; // concatBytes copies it: the cached bytes never leave
  if (label.length === 0 || label.includes('\0'))
    throw new MalformedError('signature label: empty or contains NUL');
  const prefix = concatBytes(utf8(label), new Uint8Array([0]));
  if (prefixes.size < MAX_PREFIXES) prefixes.set(label, prefix);
  return prefix;
}

/**
 * The key pair of a 32-byte seed (deterministic), or of a fresh random seed.
 * @example const device = signingKeyPair();
 */
export function signingKeyPair(seed: Uint8Array = randomBytes(ED25519_SECRET_KEY_BYTES)): SigningKeyPair {
  const secretKey = requireBytes(seed, ED25519_SECRET_KEY_BYTES, 'Ed25519 seed').slice();
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/**
 * The 32-byte public key of an Ed25519 seed.
 * @example const pub = signingPublicKey(secretKey);
 */
export function signingPublicKey(secretKey: Uint8Array): Uint8Array {
  requireBytes(secretKey, ED25519_SECRET_KEY_BYTES, 'Ed25519 secret key');
  // Deriving costs a scalar multiplication; senders sign many messages with one key array.
  const hit = publicKeysOfSeeds.get(secretKey);
  if (hit !== undefined && equalBytes(hit.seed, secretKey)) return hit.publicKey.slice();
  const publicKey = ed25519.getPublicKey(secretKey);
  publicKeysOfSeeds.set(secretKey, { seed: secretKey.slice(), publicKey });
  return publicKey.slice();
}

const publicKeysOfSeeds = new WeakMap<Uint8Array, { seed: Uint8Array; publicKey: Uint8Array }>();

/**
 * The backend used when none is forced: 'webcrypto' if it passes its self-test here, else 'noble'.
 * @example console.log(await ed25519Backend());
 */
export async function ed25519Backend(): Promise<Ed25519Backend> {
  return (await webCryptoEd25519Available()) ? 'webcrypto' : 'noble';
}

async function chooseBackend(options: SignOptions | undefined): Promise<Ed25519Backend> {
  const wanted = options?.backend;
  if (wanted === 'noble') return 'noble';
  const present = await webCryptoEd25519Available();
  if (wanted === 'webcrypto' && !present)
    throw new UnsupportedError('WebCrypto Ed25519 is not available here.');
  return present ? 'webcrypto' : 'noble';
}

/**
 * Ed25519 signature (64 bytes) of `message` by the 32-byte seed `secretKey`.
 * @example const signature = await sign(message, secretKey);
 */
export async function sign(
  message: Uint8Array,
  secretKey: Uint8Array,
  options?: SignOptions,
): Promise<Uint8Array> {
  requireBytes(message, {}, 'message');
  requireBytes(secretKey, ED25519_SECRET_KEY_BYTES, 'Ed25519 secret key');
  if ((await chooseBackend(options)) === 'webcrypto') {
    try {
      return await webCryptoSign(message, secretKey);
    } catch (cause) {
      if (options?.backend === 'webcrypto')
        throw new UnsupportedError(`WebCrypto Ed25519 sign failed: ${cause}`);
      // Same bytes either way: fall through to noble.
    }
  }
  return ed25519.sign(message, secretKey);
}

function checkItem(item: VerifyItem): void {
  requireBytes(item.signature, ED25519_SIGNATURE_BYTES, 'Ed25519 signature');
  requireBytes(item.message, {}, 'message');
  requireBytes(item.publicKey, ED25519_PUBLIC_KEY_BYTES, 'Ed25519 public key');
}

function nobleVerify(item: VerifyItem): boolean {
  return verifyStrict(item.signature, item.message, item.publicKey);
}

async function verifyChecked(item: VerifyItem, backend: Ed25519Backend, forced: boolean): Promise<boolean> {
  if (backend === 'noble') return nobleVerify(item);
  // WebCrypto checks the cofactorless equation (its known-answer test proves it); the rest of the
  // rule is checked here, where it costs no point arithmetic per signature.
  if (!passesPreChecks(item.signature, item.publicKey)) return false;
  try {
    return await webCryptoVerify(item.signature, item.message, item.publicKey);
  } catch (cause) {
    if (forced) throw new UnsupportedError(`WebCrypto Ed25519 verify failed: ${cause}`);
    return nobleVerify(item);
  }
}

/**
 * True when `signature` is `publicKey`'s signature of `message`. Wrong lengths are a MalformedError.
 * @example if (!(await verify(sig, message, publicKey))) throw new BadSignatureError('...');
 */
export async function verify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  options?: SignOptions,
): Promise<boolean> {
  const item = { signature, message, publicKey };
  checkItem(item);
  return verifyChecked(item, await chooseBackend(options), options?.backend === 'webcrypto');
}

/**
 * Verifies many signatures at once (WebCrypto calls run concurrently); one boolean per item.
 * @example const results = await verifyBatch(page.map((e) => ({ signature, message, publicKey })));
 */
export async function verifyBatch(items: readonly VerifyItem[], options?: SignOptions): Promise<boolean[]> {
  for (const item of items) checkItem(item);
  const backend = await chooseBackend(options);
  const forced = options?.backend === 'webcrypto';
  if (backend === 'noble') return items.map(nobleVerify);
  return Promise.all(items.map((item) => verifyChecked(item, backend, forced)));
}
