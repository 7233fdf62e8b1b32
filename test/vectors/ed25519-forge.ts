// Test-only: Ed25519 signatures no honest signer makes, built deterministically from a seed with
// @noble/curves' point arithmetic, for the edge cases "Taming the many EdDSAs" (Chalkias et al.,
// 2020) is about. Runtime-agnostic (Node and Chromium). Never imported by shipped code.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, u32be, utf8 } from '../../core/bytes.ts';

const { Point } = ed25519;
type EdPoint = InstanceType<typeof Point>;
const L = Point.Fn.ORDER;

/** A point of order 8 (it generates the torsion subgroup), as listed in ed25519-speccheck. */
export const TORSION_8 = Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
/** The point of order 4 ([2]T8). */
export const TORSION_4 = TORSION_8.double();
/** The point of order 2, (0, -1). */
export const TORSION_2 = Point.fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function scalarOf(bytes: Uint8Array): bigint {
  return littleEndian(bytes) % L;
}

function scalarBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** k = SHA-512(R || A || M) mod L, the challenge of RFC 8032 section 5.1.7. */
export function challenge(r: Uint8Array, publicKey: Uint8Array, message: Uint8Array): bigint {
  return scalarOf(sha512(concatBytes(r, publicKey, message)));
}

export interface ForgeInput {
  /** The RFC 8032 seed of the signer's key (scalar a). */
  seed: Uint8Array;
  message: Uint8Array;
  /** Added to the public key the signature is made for (A' = aB + T): a mixed-order key. */
  torsionOnKey?: EdPoint;
  /** Added to the nonce point (R' = rB + T): a mixed-order R. */
  torsionOnR?: EdPoint;
  /** Use the identity as R (nonce r = 0). */
  identityR?: boolean;
  /** Try nonces until k is a multiple of this (so a torsion component of that order vanishes from kA'). */
  challengeMultipleOf?: number;
}

/**
 * The public key of `seed` with `torsion` added: what a key holder can publish as a mixed-order key.
 * @example const mixed = publicKeyWithTorsion(seed, TORSION_8);
 */
export function publicKeyWithTorsion(seed: Uint8Array, torsion: EdPoint): Uint8Array {
  return ed25519.utils.getExtendedPublicKey(seed).point.add(torsion).toBytes();
}

/**
 * A signature (R, S) whose S is computed for the R and A that go into the hash: S = r + k·a mod L.
 * Cofactored verification ([8]SB = [8]R + [8]kA) accepts every output; cofactorless acceptance
 * depends on the torsion added. Returns the public key bytes the signature claims.
 * @example const { publicKey, signature } = forgeSignature({ seed, message, torsionOnR: TORSION_8 });
 */
export function forgeSignature(input: ForgeInput): { publicKey: Uint8Array; signature: Uint8Array } {
  const { scalar: a, prefix, pointBytes } = ed25519.utils.getExtendedPublicKey(input.seed);
  const publicKey = input.torsionOnKey ? publicKeyWithTorsion(input.seed, input.torsionOnKey) : pointBytes;
  for (let attempt = 0; attempt < 256; attempt++) {
    // The nonce as RFC 8032 makes it, plus an attempt counter (grinding for a challenge multiple).
    const r = input.identityR ? 0n : scalarOf(sha512(concatBytes(prefix, input.message, u32be(attempt))));
    let R = r === 0n ? Point.ZERO : Point.BASE.multiply(r);
    if (input.torsionOnR) R = R.add(input.torsionOnR);
    const rBytes = R.toBytes();
    const k = challenge(rBytes, publicKey, input.message);
    if (input.challengeMultipleOf && k % BigInt(input.challengeMultipleOf) !== 0n) continue;
    return { publicKey, signature: concatBytes(rBytes, scalarBytes((r + k * a) % L)) };
  }
  throw new Error('forgeSignature: no nonce gave the wanted challenge in 256 attempts');
}

/** The byte string of S + L (same scalar mod L, not reduced): the malleable twin of a signature. */
export function withUnreducedS(signature: Uint8Array): Uint8Array {
  return concatBytes(signature.subarray(0, 32), scalarBytes(scalarOf(signature.subarray(32)) + L));
}

/** Non-canonical encoding of a point with x = 0 (the identity or (0,-1)): the sign bit set. */
export function withSignBitSet(encoding: Uint8Array): Uint8Array {
  const out = encoding.slice();
  out[31]! |= 0x80;
  return out;
}

/** The order class of a point: small (order 1 to 8), prime (in the subgroup of order L), or mixed. */
export type PointOrder = 'small' | 'prime' | 'mixed';

/** What the speccheck condition table says about a case, recomputed from the bytes. */
export interface EdgeProperties {
  A: PointOrder | 'not a point';
  canonicalA: boolean;
  R: PointOrder | 'not a point';
  canonicalR: boolean;
  S: 'S < L' | 'S >= L';
  /** [8]([S]B - R - [k]A) = 0 (not pre-reduced), S taken mod L. */
  cofactored: boolean;
  /** [S]B = R + [k]A, S taken mod L. */
  cofactorless: boolean;
}

function decodeLeniently(bytes: Uint8Array): EdPoint | undefined {
  try {
    return Point.fromBytes(bytes, true);
  } catch {
    return undefined;
  }
}

function orderOf(point: EdPoint | undefined): PointOrder | 'not a point' {
  if (point === undefined) return 'not a point';
  if (point.isSmallOrder()) return 'small';
  return point.isTorsionFree() ? 'prime' : 'mixed';
}

/**
 * Classifies a (public key, signature, message) the way the speccheck table does, with lenient
 * decoding; the equations count as holding if they hold with k hashed over the bytes as sent or over
 * the canonical re-encodings (the table's "reduced for hash" cases).
 * @example classify(publicKey, signature, message).cofactorless
 */
export function classify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): EdgeProperties {
  const rBytes = signature.subarray(0, 32);
  const A = decodeLeniently(publicKey);
  const R = decodeLeniently(rBytes);
  const s = scalarOf(signature.subarray(32));
  const holds = (cofactored: boolean) => {
    if (A === undefined || R === undefined) return false;
    const hashInputs: Array<[Uint8Array, Uint8Array]> = [
      [rBytes, publicKey],
      [R.toBytes(), A.toBytes()],
    ];
    return hashInputs.some(([r, a]) => {
      const k = challenge(r, a, message);
      const difference = Point.BASE.multiplyUnsafe(s).subtract(R).subtract(A.multiplyUnsafe(k));
      return (cofactored ? difference.clearCofactor() : difference).is0();
    });
  };
  return {
    A: orderOf(A),
    canonicalA: A !== undefined && equalBytes(A.toBytes(), publicKey),
    R: orderOf(R),
    canonicalR: R !== undefined && equalBytes(R.toBytes(), rBytes),
    S: littleEndian(signature.subarray(32)) < L ? 'S < L' : 'S >= L',
    cofactored: holds(true),
    cofactorless: holds(false),
  };
}

/**
 * A v1.Signed whose signer is `seed`'s key with an order-8 torsion component and whose signature
 * passes the cofactored and the cofactorless equation (the challenge is ground to a multiple of 8):
 * what a member could publish if keys were not checked. `bodyFor` gets the signer key (bodies name it).
 * @example const identity = signedByMixedKey(LABEL_USER_IDENTITY, (key) => encode(v1.UserIdentityBody, { ...fields, signingKey: key }), seed);
 */
export function signedByMixedKey(
  label: string,
  bodyFor: (signer: Uint8Array) => Uint8Array,
  seed: Uint8Array,
): { body: Uint8Array; signature: Uint8Array; signer: Uint8Array } {
  const signer = publicKeyWithTorsion(seed, TORSION_8);
  const body = bodyFor(signer);
  const message = concatBytes(utf8(label), new Uint8Array([0]), body);
  const forged = forgeSignature({ seed, message, torsionOnKey: TORSION_8, challengeMultipleOf: 8 });
  return { body, signature: forged.signature, signer };
}
