/**
 * Argon2id cost parameters for the passphrase key: the production default and the bounds a stored
 * header must respect (so a crafted header cannot make unlock allocate gigabytes or spin forever).
 * @example await EncryptedStore.create(backend, passphrase, DEFAULT_ARGON2_PARAMS);
 */
import { MalformedError } from '../errors.ts';

/**
 * Argon2id costs: `t` passes, `mKib` KiB of memory, `p` lanes (field names as in v1.Argon2idParams).
 * @example const cheap: Argon2Params = { t: 1, mKib: 256, p: 1 }; // tests only
 */
export interface Argon2Params {
  t: number;
  mKib: number;
  p: number;
}

/**
 * Production default: RFC 9106 §4 second recommendation (t=3, 64 MiB) with p=1 instead of p=4,
 * since lanes are computed one after another here: p=1 costs the user the same time and gives an
 * attacker's parallel hardware less. About 0.3 s in WebAssembly (Node 24 and Chromium), ~1-1.3 s on
 * the noble fallback (bench rows store-unlock-default and its anchor).
 * @example const { t, mKib, p } = DEFAULT_ARGON2_PARAMS;
 */
export const DEFAULT_ARGON2_PARAMS: Readonly<Argon2Params> = Object.freeze({ t: 3, mKib: 64 * 1024, p: 1 });

/**
 * Largest costs accepted from a header or a caller: 16 passes, 1 GiB, 8 lanes.
 * @example if (params.mKib > ARGON2_LIMITS.mKib) reject();
 */
export const ARGON2_LIMITS: Readonly<Argon2Params> = Object.freeze({ t: 16, mKib: 1024 * 1024, p: 8 });

function inRange(n: unknown, min: number, max: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

/**
 * Returns a clean copy of `params`, or throws MalformedError when a cost is outside Argon2's rules
 * (t ≥ 1, p ≥ 1, m ≥ 8·p KiB) or above ARGON2_LIMITS.
 * @example const params = checkArgon2Params(header.passphrase.params, 'store header');
 */
export function checkArgon2Params(
  params: { t?: number | null; mKib?: number | null; p?: number | null } | null | undefined,
  what: string,
): Argon2Params {
  const { t, mKib, p } = params ?? {};
  if (
    !inRange(t, 1, ARGON2_LIMITS.t) ||
    !inRange(p, 1, ARGON2_LIMITS.p) ||
    !inRange(mKib, 8 * p, ARGON2_LIMITS.mKib)
  ) {
    throw new MalformedError(
      `${what}: Argon2id parameters out of range (t=${t}, mKib=${mKib}, p=${p}; allowed t 1..${ARGON2_LIMITS.t}, p 1..${ARGON2_LIMITS.p}, mKib 8·p..${ARGON2_LIMITS.mKib})`,
    );
  }
  return { t, mKib, p };
}
