// RoomKey's one Ed25519 acceptance rule, applied in front of every backend so that no two receivers
// can disagree about a signature (DESIGN.md "Cryptography"; "Taming the many EdDSAs", Chalkias et
// al., 2020). A signature (R, S) of M under the public key A is accepted only when
//   1. A is the canonical encoding of a point of the prime-order subgroup other than the identity
//      (no small order, no torsion component): checked once per key, then cached;
//   2. R is a canonical encoding and not the identity, and S < L: byte checks, no point arithmetic;
//   3. [S]B = R + [k]A with k = SHA-512(R || A || M) mod L: the cofactorless equation.
// WebCrypto implementations (OpenSSL, BoringSSL, ...) check 3 themselves; how they treat inputs that
// fail 1 or 2 differs between them, which is why 1 and 2 are checked here first. noble checks the
// cofactored equation instead, so its path computes 3 here with noble's point arithmetic.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes } from '../bytes.ts';
import { MalformedError } from '../errors.ts';

const { Point } = ed25519;
type EdPoint = InstanceType<typeof Point>;
const L = Point.Fn.ORDER;
const L_BYTES = Uint8Array.from({ length: 32 }, (_, i) => Number((L >> BigInt(8 * i)) & 0xffn));
const IDENTITY = Point.ZERO.toBytes();

// The checks below read bytes instead of making bigints: they run before every WebCrypto verify.

/** y (the low 255 bits) >= p = 2^255 - 19, i.e. y is p + 0..18: ed..ff, then 30 bytes ff, then 7f. */
function yAtLeastP(bytes: Uint8Array): boolean {
  if ((bytes[31]! & 0x7f) !== 0x7f || bytes[0]! < 0xed) return false;
  for (let i = 1; i < 31; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

/** y = 1 or y = p - 1 (ec, 30 bytes ff, 7f): exactly the points with x = 0. */
function xIsZero(bytes: Uint8Array): boolean {
  const top = bytes[31]! & 0x7f;
  const fill = top === 0 ? 0x00 : 0xff;
  if (!((top === 0 && bytes[0] === 1) || (top === 0x7f && bytes[0] === 0xec))) return false;
  for (let i = 1; i < 31; i++) if (bytes[i] !== fill) return false;
  return true;
}

/** RFC 8032 5.1.3: y < p, and the sign bit is clear when x = 0. Exported for its tests. */
export function isCanonicalEncoding(bytes: Uint8Array): boolean {
  return !yAtLeastP(bytes) && !((bytes[31]! & 0x80) !== 0 && xIsZero(bytes));
}

/** The 32 little-endian bytes of S, read as a number, are below L. Exported for its tests. */
export function isReducedScalar(bytes: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (bytes[i]! !== L_BYTES[i]!) return bytes[i]! < L_BYTES[i]!;
  }
  return false;
}

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

type KeyVerdict = { point: EdPoint; problem?: undefined } | { point?: undefined; problem: string };

function judgeKey(publicKey: Uint8Array): KeyVerdict {
  if (!isCanonicalEncoding(publicKey)) return { problem: 'not a canonical encoding' };
  let point: EdPoint;
  try {
    point = Point.fromBytes(publicKey, false);
  } catch {
    return { problem: 'not a point of the curve' };
  }
  // Belt and braces: a canonical encoding of a decoded point is that point's only encoding.
  if (!equalBytes(point.toBytes(), publicKey)) return { problem: 'not a canonical encoding' };
  if (point.isSmallOrder()) return { problem: 'a point of small order' };
  if (!point.isTorsionFree()) return { problem: 'a point of mixed order (it has a torsion component)' };
  return { point };
}

// Device and user keys repeat across messages, and the torsion check is a full scalar multiplication.
const judgedKeys = new Map<string, KeyVerdict>();
const MAX_JUDGED_KEYS = 1024;

function judgedKey(publicKey: Uint8Array): KeyVerdict {
  const id = String.fromCharCode(...publicKey);
  let verdict = judgedKeys.get(id);
  if (verdict !== undefined) {
    // Refresh its place so the cache evicts the least recently used key.
    judgedKeys.delete(id);
  } else {
    verdict = judgeKey(publicKey);
    if (judgedKeys.size >= MAX_JUDGED_KEYS) judgedKeys.delete(judgedKeys.keys().next().value!);
  }
  judgedKeys.set(id, verdict);
  return verdict;
}

/**
 * Why a 32-byte Ed25519 public key is refused (small order, mixed order, non-canonical, not a
 * point), or undefined when it is acceptable.
 * @example if (ed25519PublicKeyProblem(key) !== undefined) refuse();
 */
export function ed25519PublicKeyProblem(publicKey: Uint8Array): string | undefined {
  return judgedKey(publicKey).problem;
}

/**
 * `publicKey` if it is a 32-byte Ed25519 public key that rule 1 accepts; else a MalformedError
 * that says why and that a new key pair is needed.
 * @example const deviceKey = requireSigningPublicKey(body.deviceKey, 'device certificate: device key');
 */
export function requireSigningPublicKey(publicKey: unknown, what: string): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32)
    throw new MalformedError(`${what}: expected 32 bytes`);
  const problem = ed25519PublicKeyProblem(publicKey);
  if (problem !== undefined) {
    throw new MalformedError(
      `${what}: not a usable Ed25519 public key (${problem}); no honest key generator makes one, so make a new key pair.`,
    );
  }
  return publicKey;
}

/** Rules 1 and 2; A's decoded point when they hold. */
function preChecked(signature: Uint8Array, publicKey: Uint8Array): EdPoint | undefined {
  const A = judgedKey(publicKey).point;
  if (A === undefined) return undefined;
  const r = signature.subarray(0, 32);
  // The identity is the one small-order R that can satisfy rule 3 when A is torsion-free (R = [S]B
  // - [k]A lies in the prime-order subgroup): OpenSSL (Node) rejects it, BoringSSL (Chromium) accepts it.
  if (!isCanonicalEncoding(r) || equalBytes(r, IDENTITY)) return undefined;
  return isReducedScalar(signature.subarray(32, 64)) ? A : undefined;
}

/**
 * Rules 1 and 2: what must hold before any backend is asked (no per-signature point arithmetic).
 * Given them, a cofactorless backend's verdict is rule 3's.
 * @example if (!passesPreChecks(signature, publicKey)) return false;
 */
export function passesPreChecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  return preChecked(signature, publicKey) !== undefined;
}

/**
 * All three rules with @noble/curves' point arithmetic: the noble backend's verdict.
 * noble's own verify checks the cofactored equation, which accepts an R with a torsion component;
 * requiring R torsion-free on top would cost one more scalar multiplication per signature, whereas
 * computing [S]B - [k]A and comparing its canonical encoding with R's bytes costs what noble's
 * verify costs. R's bytes are canonical (rule 2), so byte equality is point equality.
 * @example const ok = verifyStrict(signature, message, publicKey);
 */
export function verifyStrict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const A = preChecked(signature, publicKey);
  if (A === undefined) return false;
  const r = signature.subarray(0, 32);
  const s = littleEndian(signature.subarray(32, 64));
  const k = Point.Fn.create(littleEndian(sha512(concatBytes(r, publicKey, message))));
  const expectedR = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
  return equalBytes(expectedR.toBytes(), r);
}
