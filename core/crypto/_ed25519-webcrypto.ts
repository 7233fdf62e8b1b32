// Ed25519 through the platform's WebCrypto (Node >= 22, Chromium >= 137, Firefox >= 129): about
// ten times faster than pure JS, and RFC 8032 signatures are deterministic, so the bytes equal
// @noble/curves' output. Availability is proven once by a known-answer test, not by feature sniffing:
// it also proves the verifier is cofactorless, which the strict rule (_ed25519-strict.ts) relies on.
import { equalBytes, fromHex } from '../bytes.ts';
import { bufferSource } from './_checks.ts';

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410): WebCrypto imports no raw secret keys.
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');
const ALGORITHM = { name: 'Ed25519' } as const;

// RFC 8032 section 7.1, TEST 1 (empty message).
const KAT_SEED = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const KAT_PUBLIC = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const KAT_SIGNATURE = fromHex(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
);

/**
 * TEST 1's key signing the empty message with R' = rB + T (T of order 8) and S = r + k·a for R':
 * the cofactored equation holds, the cofactorless one does not. Made by test/vectors/ed25519-forge.ts
 * (test/unit/crypto/sign-strict.test.ts remakes it).
 */
export const COFACTORED_ONLY_SIGNATURE = fromHex(
  'ce8b7204796de6605063de46ea40473156324b9a119bfcd51b9088a94399845112650d88ec77a988cbf34f93efe5fb47698e7707ede643fd421819545e2d4e04',
);

let availability: Promise<boolean> | undefined;

/** True when WebCrypto Ed25519 exists here, reproduces RFC 8032 TEST 1 exactly and is cofactorless. */
export function webCryptoEd25519Available(): Promise<boolean> {
  availability ??= knownAnswerTest();
  return availability;
}

async function knownAnswerTest(): Promise<boolean> {
  try {
    const subtle = globalThis.crypto?.subtle;
    if (!subtle) return false;
    const message = new Uint8Array(0);
    const signature = await webCryptoSign(message, KAT_SEED);
    if (!equalBytes(signature, KAT_SIGNATURE)) return false;
    if (!(await webCryptoVerify(KAT_SIGNATURE, message, KAT_PUBLIC))) return false;
    const tampered = KAT_SIGNATURE.slice();
    tampered[0]! ^= 1;
    if (await webCryptoVerify(tampered, message, KAT_PUBLIC)) return false;
    // A cofactored verifier would accept what noble's strict path refuses: then use noble alone.
    return !(await webCryptoVerify(COFACTORED_ONLY_SIGNATURE, message, KAT_PUBLIC));
  } catch {
    return false;
  }
}

// Importing a key costs about as much as a signature; device and user keys repeat, so cache them.
// Secret keys are cached by the identity of their Uint8Array (no secret-derived map keys), with a
// copy to notice a caller that rewrote the array in place.
const secretKeys = new WeakMap<Uint8Array, { seed: Uint8Array; key: Promise<CryptoKey> }>();
const publicKeys = new Map<string, Promise<CryptoKey>>();
const MAX_PUBLIC_KEYS = 1024;

function secretKey(seed: Uint8Array): Promise<CryptoKey> {
  const hit = secretKeys.get(seed);
  if (hit !== undefined && equalBytes(hit.seed, seed)) return hit.key;
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(seed, PKCS8_PREFIX.length);
  const key = globalThis.crypto.subtle.importKey('pkcs8', pkcs8, ALGORITHM, false, ['sign']);
  pkcs8.fill(0);
  secretKeys.set(seed, { seed: seed.slice(), key });
  key.catch(() => secretKeys.delete(seed));
  return key;
}

function publicKey(raw: Uint8Array): Promise<CryptoKey> {
  const id = String.fromCharCode(...raw);
  let key = publicKeys.get(id);
  if (key) {
    // Refresh its place so the cache evicts the least recently used key.
    publicKeys.delete(id);
    publicKeys.set(id, key);
    return key;
  }
  key = globalThis.crypto.subtle.importKey('raw', bufferSource(raw), ALGORITHM, false, ['verify']);
  if (publicKeys.size >= MAX_PUBLIC_KEYS) publicKeys.delete(publicKeys.keys().next().value!);
  publicKeys.set(id, key);
  key.catch(() => publicKeys.delete(id));
  return key;
}

/** Ed25519 signature of `message` by the 32-byte `seed`; throws whatever WebCrypto throws. */
export async function webCryptoSign(message: Uint8Array, seed: Uint8Array): Promise<Uint8Array> {
  const key = await secretKey(seed);
  return new Uint8Array(await globalThis.crypto.subtle.sign(ALGORITHM, key, bufferSource(message)));
}

/** Ed25519 verification; throws whatever WebCrypto throws (callers fall back to noble). */
export async function webCryptoVerify(
  signature: Uint8Array,
  message: Uint8Array,
  rawPublicKey: Uint8Array,
): Promise<boolean> {
  const key = await publicKey(rawPublicKey);
  return globalThis.crypto.subtle.verify(ALGORITHM, key, bufferSource(signature), bufferSource(message));
}
