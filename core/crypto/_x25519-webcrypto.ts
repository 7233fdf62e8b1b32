// X25519 through the platform's WebCrypto (Node >= 22, Chromium >= 133, Firefox >= 130): a scalar
// multiplication costs ~50 µs there against ~1 ms in pure JS. X25519 is a function, so the bytes
// equal @noble/curves' output; availability is proven once by RFC 7748 known answers (masking of the
// top bit of u, clamping of the scalar, refusal of a low-order point), not by feature sniffing.
// Callers (_hpke-x25519.ts) give noble the last word whenever WebCrypto throws.
import { equalBytes, fromBase64Url, fromHex } from '../bytes.ts';
import { bufferSource } from './_checks.ts';

// PKCS#8 wrapping of a raw 32-byte X25519 private key (RFC 8410): WebCrypto imports no raw secret keys.
const PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');
const ALGORITHM = { name: 'X25519' } as const;
const BITS = 256;

// RFC 7748 section 6.1 (Alice and Bob) and section 5.2 test 2 (u with its top bit set, which must
// be masked; a scalar that must be clamped).
const KAT = {
  alicePrivate: fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
  alicePublic: fromHex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'),
  bobPublic: fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
  shared: fromHex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'),
  scalar: fromHex('4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d'),
  u: fromHex('e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493'),
  out: fromHex('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957'),
};

let availability: Promise<boolean> | undefined;

/** True when WebCrypto X25519 exists here and reproduces RFC 7748's answers, refusals included. */
export function webCryptoX25519Available(): Promise<boolean> {
  availability ??= knownAnswerTest();
  return availability;
}

async function knownAnswerTest(): Promise<boolean> {
  try {
    if (!globalThis.crypto?.subtle) return false;
    if (!equalBytes(await webCryptoX25519Base(KAT.alicePrivate), KAT.alicePublic)) return false;
    if (!equalBytes(await webCryptoX25519(KAT.alicePrivate, KAT.bobPublic), KAT.shared)) return false;
    if (!equalBytes(await webCryptoX25519(KAT.scalar, KAT.u), KAT.out)) return false;
    // u = 0 has order 2: the output is all zeros, which noble refuses; WebCrypto must refuse too.
    return await webCryptoX25519(KAT.scalar, new Uint8Array(32)).then(
      () => false,
      () => true,
    );
  } catch {
    return false;
  }
}

// Importing costs about as much as a multiplication. A private key is cached by the identity of its
// Uint8Array (no secret-derived map keys), with a copy to notice a caller that rewrote it in place:
// a sender's ephemeral key is imported once for its public key and once for the DH; a recipient's
// key once for all its opens. Public keys the caller marks as reusable (recipients) sit in a small LRU.
const privateKeys = new WeakMap<Uint8Array, { bytes: Uint8Array; key: Promise<CryptoKey> }>();
const publicKeys = new Map<string, Promise<CryptoKey>>();
const MAX_PUBLIC_KEYS = 256;

function privateKey(raw: Uint8Array): Promise<CryptoKey> {
  const hit = privateKeys.get(raw);
  if (hit !== undefined && equalBytes(hit.bytes, raw)) return hit.key;
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(raw, PKCS8_PREFIX.length);
  // Extractable so that its public key comes out of one JWK export (see webCryptoX25519Base).
  const key = globalThis.crypto.subtle.importKey('pkcs8', pkcs8, ALGORITHM, true, ['deriveBits']);
  pkcs8.fill(0);
  privateKeys.set(raw, { bytes: raw.slice(), key });
  key.catch(() => privateKeys.delete(raw));
  return key;
}

function importPublic(raw: Uint8Array): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', bufferSource(raw), ALGORITHM, false, []);
}

function publicKey(raw: Uint8Array, reusable: boolean): Promise<CryptoKey> {
  if (!reusable) return importPublic(raw);
  const id = String.fromCharCode(...raw);
  let key = publicKeys.get(id);
  if (key) {
    publicKeys.delete(id); // refresh its place: the least recently used key goes first
    publicKeys.set(id, key);
    return key;
  }
  key = importPublic(raw);
  if (publicKeys.size >= MAX_PUBLIC_KEYS) publicKeys.delete(publicKeys.keys().next().value!);
  publicKeys.set(id, key);
  key.catch(() => publicKeys.delete(id));
  return key;
}

/**
 * X25519(scalar, u) (RFC 7748); throws whatever WebCrypto throws, and on an all-zero output.
 * @example const shared = await webCryptoX25519(privateKey, peerPublicKey);
 */
export async function webCryptoX25519(
  scalar: Uint8Array,
  u: Uint8Array,
  reusableU = false,
): Promise<Uint8Array> {
  const [sk, pk] = await Promise.all([privateKey(scalar), publicKey(u, reusableU)]);
  const out = new Uint8Array(
    await globalThis.crypto.subtle.deriveBits({ ...ALGORITHM, public: pk }, sk, BITS),
  );
  // The spec says to refuse it; checked here too so that no platform can differ from noble.
  if (out.every((b) => b === 0)) throw new Error('X25519 output is all zeros (low-order point)');
  return out;
}

/**
 * X25519(scalar, 9): the public key of `scalar`, read from its JWK export (one call, cheaper than a
 * DH with the base point, which stays the fallback: some Firefox versions cannot export such JWKs).
 * @example const publicKey = await webCryptoX25519Base(privateKey);
 */
export async function webCryptoX25519Base(scalar: Uint8Array): Promise<Uint8Array> {
  try {
    const jwk = await globalThis.crypto.subtle.exportKey('jwk', await privateKey(scalar));
    const out = fromBase64Url(jwk.x ?? '');
    if (out.length === 32) return out;
  } catch {
    // fall through to the DH with the base point
  }
  return webCryptoX25519(scalar, BASE_POINT, true);
}

const BASE_POINT = fromHex('0900000000000000000000000000000000000000000000000000000000000000');
