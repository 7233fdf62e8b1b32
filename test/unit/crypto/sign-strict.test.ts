// One Ed25519 verdict on every backend (issue 11 point 6): inputs crafted around the cofactor,
// non-canonical encodings and unreduced scalars get the same answer from noble and WebCrypto, and
// honest signatures still verify everywhere. The published edge cases are in test/vectors/suite.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex, utf8 } from '../../../core/bytes.ts';
import { isCanonicalEncoding, isReducedScalar } from '../../../core/crypto/_ed25519-strict.ts';
import { COFACTORED_ONLY_SIGNATURE } from '../../../core/crypto/_ed25519-webcrypto.ts';
import {
  ed25519PublicKeyProblem,
  requireSigningPublicKey,
  sign,
  signingKeyPair,
  verify,
  verifyBatch,
} from '../../../core/crypto/index.ts';
import { MalformedError } from '../../../core/errors.ts';
import {
  classify,
  forgeSignature,
  publicKeyWithTorsion,
  TORSION_2,
  TORSION_4,
  TORSION_8,
  withSignBitSet,
  withUnreducedS,
} from '../../vectors/ed25519-forge.ts';
import { BACKENDS, filled } from './_helpers.ts';

const RUNS = process.env.CI && process.env.CI !== 'false' ? 300 : 60;
const seed = filled(0x42);
const message = utf8('one verdict');
const honest = signingKeyPair(seed);
const TORSION = [TORSION_2, TORSION_4, TORSION_8];

async function verdicts(signature: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const backend of BACKENDS) {
    out.push(await verify(signature, msg, publicKey, { backend }));
    out.push(...(await verifyBatch([{ signature, message: msg, publicKey }], { backend })));
  }
  return out;
}

/** Every backend, one by one and batched, gives `expected`. */
async function expectEverywhere(
  expected: boolean,
  signature: Uint8Array,
  publicKey: Uint8Array,
  msg = message,
) {
  assert.deepEqual(await verdicts(signature, msg, publicKey), Array(BACKENDS.length * 2).fill(expected));
}

test('both backends are under test here (else agreement would be trivial)', () => {
  assert.deepEqual(BACKENDS, ['noble', 'webcrypto']);
});

test('the issue 11 split: R with a torsion component, made by an ordinary key, is refused everywhere', async () => {
  const forged = forgeSignature({ seed, message, torsionOnR: TORSION_8 });
  assert.equal(toHex(forged.publicKey), toHex(honest.publicKey));
  const properties = classify(forged.publicKey, forged.signature, message);
  assert.deepEqual([properties.A, properties.R], ['prime', 'mixed']);
  assert.equal(properties.cofactored, true, 'a cofactored verifier accepts it');
  assert.equal(properties.cofactorless, false);
  await expectEverywhere(false, forged.signature, forged.publicKey);
  await expectEverywhere(true, await sign(message, seed), honest.publicKey);
});

test('R = identity with S = k·a (cofactorless-valid) is refused everywhere, with the sign bit set too', async () => {
  const forged = forgeSignature({ seed, message, identityR: true });
  assert.equal(classify(forged.publicKey, forged.signature, message).cofactorless, true);
  await expectEverywhere(false, forged.signature, forged.publicKey);
  const signBit = concatBytes(
    withSignBitSet(forged.signature.subarray(0, 32)),
    forged.signature.subarray(32),
  );
  await expectEverywhere(false, signBit, forged.publicKey);
});

test('a mixed-order key whose signatures pass both equations is refused everywhere', async () => {
  for (const [torsion, order] of [
    [TORSION_2, 2],
    [TORSION_4, 4],
    [TORSION_8, 8],
  ] as const) {
    const forged = forgeSignature({ seed, message, torsionOnKey: torsion, challengeMultipleOf: order });
    const properties = classify(forged.publicKey, forged.signature, message);
    assert.deepEqual([properties.A, properties.cofactored, properties.cofactorless], ['mixed', true, true]);
    await expectEverywhere(false, forged.signature, forged.publicKey);
  }
});

test('non-canonical R (y >= p) and unreduced S are refused everywhere', async () => {
  const good = await sign(message, seed);
  await expectEverywhere(false, withUnreducedS(good), honest.publicKey);
  // y = p + 1 encodes the identity non-canonically (y mod p = 1).
  const nonCanonicalR = fromHex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
  await expectEverywhere(false, concatBytes(nonCanonicalR, good.subarray(32)), honest.publicKey);
});

test('public key problems are named; requireSigningPublicKey refuses them with a MalformedError', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['identity', fromHex('0100000000000000000000000000000000000000000000000000000000000000'), /small order/],
    ['order 8', TORSION_8.toBytes(), /small order/],
    ['mixed order', publicKeyWithTorsion(seed, TORSION_4), /mixed order/],
    ['x = 0 with the sign bit', withSignBitSet(TORSION_2.toBytes()), /canonical/],
    ['y >= p', fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), /canonical/],
    [
      'not on the curve',
      fromHex('0200000000000000000000000000000000000000000000000000000000000000'),
      /not a point/,
    ],
  ];
  for (const [name, key, reason] of cases) {
    assert.match(ed25519PublicKeyProblem(key) ?? 'accepted', reason, name);
    assert.throws(
      () => requireSigningPublicKey(key, 'device key'),
      (e: unknown) => {
        assert.ok(e instanceof MalformedError, name);
        assert.match(e.message, /^device key: not a usable Ed25519 public key .*make a new key pair/);
        return true;
      },
    );
  }
  assert.equal(ed25519PublicKeyProblem(honest.publicKey), undefined);
  assert.equal(requireSigningPublicKey(honest.publicKey, 'key'), honest.publicKey);
  assert.throws(() => requireSigningPublicKey(honest.publicKey.subarray(1), 'key'), MalformedError);
});

test("WebCrypto's known-answer test includes a cofactored-only signature (so a cofactored WebCrypto is not used)", () => {
  const kat = forgeSignature({
    seed: fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
    message: new Uint8Array(0),
    torsionOnR: TORSION_8,
  });
  assert.equal(toHex(COFACTORED_ONLY_SIGNATURE), toHex(kat.signature));
  const properties = classify(kat.publicKey, kat.signature, new Uint8Array(0));
  assert.deepEqual([properties.cofactored, properties.cofactorless], [true, false]);
});

test(`honest signatures verify on every backend and noble's strict path agrees with noble's own verify (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 300 }),
      async (s, m) => {
        const { publicKey } = signingKeyPair(s);
        const signature = await sign(m, s);
        assert.equal(ed25519.verify(signature, m, publicKey, { zip215: false }), true);
        assert.deepEqual(await verdicts(signature, m, publicKey), [true, true, true, true]);
      },
    ),
    { numRuns: RUNS },
  );
});

test(`torsion added to R or to A (any order, any challenge) never verifies, on any backend (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 64 }),
      fc.constantFrom(0, 1, 2),
      fc.boolean(),
      fc.boolean(),
      async (s, m, which, onKey, grind) => {
        const torsion = TORSION[which]!;
        const order = 2 ** (which + 1);
        const forged = forgeSignature({
          seed: s,
          message: m,
          ...(onKey ? { torsionOnKey: torsion } : { torsionOnR: torsion }),
          ...(grind ? { challengeMultipleOf: order } : {}),
        });
        assert.ok(
          classify(forged.publicKey, forged.signature, m).cofactored,
          'the forgery fools cofactored checks',
        );
        assert.deepEqual(await verdicts(forged.signature, m, forged.publicKey), [false, false, false, false]);
      },
    ),
    { numRuns: RUNS },
  );
});

test(`the byte-level pre-checks agree with their bigint definitions, edges included (${RUNS * 50} runs)`, () => {
  const P = 2n ** 255n - 19n;
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const number = (bytes: Uint8Array) => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);
  const bytesOf = (n: bigint) =>
    Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  const canonical = (bytes: Uint8Array) => {
    const y = number(bytes) & (2n ** 255n - 1n);
    return y < P && !(bytes[31]! >= 0x80 && (y === 1n || y === P - 1n));
  };
  // Values near p, L, 1 and p - 1, with and without the sign bit, and uniform ones.
  const near = fc
    .tuple(
      fc.constantFrom(0n, 1n, P - 1n, P, L, 2n ** 255n - 1n),
      fc.integer({ min: -20, max: 20 }),
      fc.boolean(),
    )
    .map(([base, delta, sign]) => {
      const value = (base + BigInt(delta) + 2n ** 256n) % 2n ** 255n;
      return bytesOf(sign ? value | (1n << 255n) : value);
    });
  fc.assert(
    fc.property(fc.oneof(near, fc.uint8Array({ minLength: 32, maxLength: 32 })), (bytes) => {
      assert.equal(isCanonicalEncoding(bytes), canonical(bytes), toHex(bytes));
      assert.equal(isReducedScalar(bytes), number(bytes) < L, toHex(bytes));
    }),
    { numRuns: RUNS * 50 },
  );
});
