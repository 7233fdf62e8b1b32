// Test-only: the X25519 u-coordinates of low order, derived here rather than copied, so the list in
// hpke-x25519-edge.json is checked, not just written. On the curve: the images of the Edwards torsion
// points under u = (1 + y) / (1 - y) (order 2 → 0, order 4 → 1, order 8 → two values; the identity
// has no u). On the twist: u = p - 1 (order 4). Plus the encodings of 0 and 1 that are not reduced
// (p, p + 1). These are the seven values libsodium refuses. Runtime-agnostic; never shipped.
import { ed25519 } from '@noble/curves/ed25519.js';
import { TORSION_2, TORSION_4, TORSION_8 } from './ed25519-forge.ts';

const P = 2n ** 255n - 19n;
const { Fp } = ed25519.Point;

function bytes(n: bigint): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
}

/** u = (1 + y) / (1 - y) of an Edwards point other than the identity. */
function montgomeryU(point: typeof TORSION_8): bigint {
  const { y } = point.toAffine();
  return Fp.div(Fp.add(1n, y), Fp.sub(1n, y));
}

/**
 * Each low-order u (little-endian, top bit clear) with a name saying where it comes from.
 * @example for (const { name, u } of lowOrderU()) expectRefused(u);
 */
export function lowOrderU(): Array<{ name: string; u: Uint8Array }> {
  return [
    { name: 'u = 0 (order 2)', u: bytes(montgomeryU(TORSION_2)) },
    { name: 'u = 1 (order 4)', u: bytes(montgomeryU(TORSION_4)) },
    { name: 'order 8, from T8', u: bytes(montgomeryU(TORSION_8)) },
    { name: 'order 8, from 3·T8', u: bytes(montgomeryU(TORSION_8.multiply(3n))) },
    { name: 'u = p - 1 (order 4 on the twist)', u: bytes(P - 1n) },
    { name: 'u = p (0, not reduced)', u: bytes(P) },
    { name: 'u = p + 1 (1, not reduced)', u: bytes(P + 1n) },
  ];
}
