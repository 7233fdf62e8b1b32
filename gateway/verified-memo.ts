/**
 * What the gateway already verified, by the exact bytes it verified: a user's self-signed identity
 * and a device certificate under that identity's key. Verification is a pure function of those
 * bytes, so the same bytes give the same answer; only successes are kept. Every request still reads
 * the KV records and judges revocation and expiry from them: this saves the Ed25519 checks (two of
 * the three a room creation made), never a lookup. Bounded: the oldest entry goes first.
 * @example const identity = await verifiedOnce(`identity:${userId}`, bytes, () => verifyUserIdentity(bytes));
 */
import { toBase64Url } from '../core/bytes.ts';

const MAX_ENTRIES = 8192;
const memo = new Map<string, Promise<unknown>>();

/**
 * `verify()`'s result for `bytes` checked under `context` (what else the check depended on), run
 * once per distinct input while remembered; a failure is never remembered.
 * @example await verifiedOnce('identity:u1', encodeSigned(signed), () => verifyUserIdentity(signed));
 */
export function verifiedOnce<T>(context: string, bytes: Uint8Array, verify: () => Promise<T>): Promise<T> {
  const key = `${context}\u0000${toBase64Url(bytes)}`;
  const known = memo.get(key) as Promise<T> | undefined;
  if (known) return known;
  const result = verify();
  if (memo.size >= MAX_ENTRIES) memo.delete(memo.keys().next().value!);
  memo.set(key, result);
  result.catch(() => memo.delete(key));
  return result;
}
