// Property tests: any mutation of an envelope (bytes, header, ciphertext, signature, field swaps)
// is rejected by parse -> verify -> decrypt with a typed RoomKeyError subclass: never success,
// never another exception. Each property runs 10,000 cases in CI (CI set) and 2,000 locally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { concatBytes, toHex } from '../../../core/bytes.ts';
import {
  createDeviceKey,
  decryptEnvelope,
  deriveMessageKey,
  type Ed25519Backend,
  type EnvelopeParts,
  encodeEnvelope,
  encodeMessageContent,
  parseEnvelope,
  sealEnvelope,
  verifyEnvelopeSignature,
} from '../../../core/crypto/index.ts';
import { BadSignatureError, MalformedError, RoomKeyError } from '../../../core/errors.ts';
import { headerFields, sealWithHeader, varintField } from './_envelope-headers.ts';
import { filled } from './_helpers.ts';

const CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const RUNS = CI ? 10_000 : 2_000;
const NOBLE_RUNS = CI ? 2_000 : 300;

const messageKey = deriveMessageKey(filled(3), 'room-1', 1);
const device = createDeviceKey(filled(1));
const plaintexts = [
  new Uint8Array([0x2a]),
  encodeMessageContent({ text: 'hi' }),
  encodeMessageContent({ text: 'x'.repeat(1000) }),
];
const pool: EnvelopeParts[] = [];
for (const [i, plaintext] of plaintexts.entries()) {
  pool.push(
    await sealEnvelope({
      roomId: i === 2 ? 'a-much-longer-room-identifier-for-variety' : 'room-1',
      epoch: i,
      senderUserId: 'u-ada',
      sentAtMs: 1_700_000_000_000 + i,
      contentType: 1,
      plaintext,
      messageKey,
      deviceSecretKey: device.secretKey,
    }),
  );
}
const poolBytes = pool.map(encodeEnvelope);

async function openPipeline(bytes: Uint8Array, backend?: Ed25519Backend): Promise<Uint8Array> {
  const parsed = parseEnvelope(bytes);
  await verifyEnvelopeSignature(parsed, backend ? { backend } : undefined);
  return decryptEnvelope(parsed, messageKey);
}

/** The mutation must change bytes (else the test could not fail) and must be refused, typed. */
async function expectRejected(
  original: Uint8Array,
  mutated: Uint8Array,
  only?: (new (...a: never[]) => RoomKeyError)[],
  backend?: Ed25519Backend,
): Promise<void> {
  assert.notEqual(toHex(mutated), toHex(original), 'the mutation did not change any byte');
  let error: unknown;
  try {
    await openPipeline(mutated, backend);
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `a mutated envelope was accepted: ${toHex(mutated)}`);
  assert.ok(error instanceof RoomKeyError && error.constructor !== RoomKeyError, `untyped failure: ${error}`);
  if (only)
    assert.ok(
      only.some((type) => error instanceof type),
      `unexpected ${(error as Error).name}`,
    );
}

function flipBits(bytes: Uint8Array, flips: Array<{ at: number; mask: number }>): Uint8Array {
  const out = bytes.slice();
  for (const { at, mask } of flips) out[at % out.length]! ^= mask;
  // Two flips of the same bit cancel: make sure at least one byte differs.
  if (toHex(out) === toHex(bytes)) out[flips[0]!.at % out.length]! ^= flips[0]!.mask;
  return out;
}

/** One of the three byte mutations the properties below apply to a field. */
function mutate(
  bytes: Uint8Array,
  kind: 'flip' | 'cut' | 'extend',
  flips: Array<{ at: number; mask: number }>,
  cut: number,
  tail: Uint8Array,
): Uint8Array {
  if (kind === 'flip') return flipBits(bytes, flips);
  return kind === 'cut' ? bytes.subarray(0, cut % bytes.length) : concatBytes(bytes, tail);
}

const flipsArb = fc.array(fc.record({ at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), {
  minLength: 1,
  maxLength: 4,
});
const which = fc.nat({ max: pool.length - 1 });

test('sanity: every unmutated envelope in the pool opens (so rejections below mean something)', async () => {
  for (const [i, bytes] of poolBytes.entries())
    assert.equal(toHex(await openPipeline(bytes)), toHex(plaintexts[i]!));
  for (const bytes of poolBytes) assert.ok(await openPipeline(bytes, 'noble'));
});

test(`bit flips anywhere in the encoded envelope are rejected (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(which, flipsArb, async (i, flips) => {
      await expectRejected(poolBytes[i]!, flipBits(poolBytes[i]!, flips));
    }),
    { numRuns: RUNS },
  );
});

test(`truncation and extension of the encoded envelope are rejected (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      which,
      fc.nat(),
      fc.uint8Array({ minLength: 1, maxLength: 80 }),
      fc.boolean(),
      async (i, cut, tail, extend) => {
        const bytes = poolBytes[i]!;
        const mutated = extend ? concatBytes(bytes, tail) : bytes.subarray(0, cut % bytes.length);
        await expectRejected(bytes, mutated);
      },
    ),
    { numRuns: RUNS },
  );
});

test(`mutated headers (flips, truncation, extension) inside a well-formed envelope are rejected (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      which,
      flipsArb,
      fc.nat(),
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.constantFrom('flip', 'cut', 'extend'),
      async (i, flips, cut, tail, kind) => {
        const env = pool[i]!;
        const header = mutate(env.header, kind, flips, cut, tail);
        await expectRejected(poolBytes[i]!, encodeEnvelope({ ...env, header }));
      },
    ),
    { numRuns: RUNS },
  );
});

test(`mutated ciphertexts are rejected by the signature (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      which,
      flipsArb,
      fc.nat(),
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.constantFrom('flip', 'cut', 'extend'),
      async (i, flips, cut, tail, kind) => {
        const env = pool[i]!;
        const ciphertext = mutate(env.ciphertext, kind, flips, cut, tail);
        // Shorter than the 16-byte tag is a shape error; everything else fails the signature.
        await expectRejected(poolBytes[i]!, encodeEnvelope({ ...env, ciphertext }), [
          BadSignatureError,
          MalformedError,
        ]);
      },
    ),
    { numRuns: RUNS },
  );
});

test(`mutated signatures are rejected (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(which, flipsArb, fc.nat({ max: 63 }), fc.boolean(), async (i, flips, cut, truncate) => {
      const env = pool[i]!;
      const signature = truncate ? env.signature.subarray(0, cut) : flipBits(env.signature, flips);
      const expected = truncate ? [MalformedError] : [BadSignatureError];
      await expectRejected(poolBytes[i]!, encodeEnvelope({ ...env, signature }), expected);
    }),
    { numRuns: RUNS },
  );
});

test(`swapped or transplanted fields are rejected (${RUNS} runs)`, async () => {
  const fields = ['header', 'ciphertext', 'signature'] as const;
  const permutations = [
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  await fc.assert(
    fc.asyncProperty(
      which,
      which,
      fc.nat({ max: permutations.length - 1 }),
      fc.nat({ max: 2 }),
      fc.boolean(),
      async (i, j, p, field, swap) => {
        const env = pool[i]!;
        let mutated: EnvelopeParts;
        if (swap) {
          const values = fields.map((f) => env[f]);
          const order = permutations[p]!;
          mutated = {
            header: values[order[0]!]!,
            ciphertext: values[order[1]!]!,
            signature: values[order[2]!]!,
          };
        } else {
          // One field from another envelope of the pool (j != i), the others kept.
          const donor = pool[(i + 1 + (j % (pool.length - 1))) % pool.length]!;
          mutated = { ...env, [fields[field]!]: donor[fields[field]!] };
        }
        await expectRejected(poolBytes[i]!, encodeEnvelope(mutated));
      },
    ),
    { numRuns: RUNS },
  );
});

test(`the same header fields in any other byte string, sealed and signed properly, are MalformedError (${RUNS / 4} runs)`, async () => {
  // Fields of a header at non-default values (epoch > 0), so each one is present once.
  const sealed = {
    roomId: 'room-1',
    epoch: 3,
    senderUserId: 'u-ada',
    sentAtMs: 1_700_000_000_000,
    contentType: 1,
    plaintext: plaintexts[1]!,
    messageKey,
    deviceSecretKey: device.secretKey,
    messageId: filled(9, 16),
    nonce: filled(8, 24),
  };
  const parts = headerFields(sealed);
  const canonical = concatBytes(...parts);
  const varints: Array<[number, number]> = [
    [0, 1], // version
    [2, sealed.epoch],
    [7, sealed.contentType],
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.shuffledSubarray([...parts.keys()], { minLength: parts.length, maxLength: parts.length }),
      fc.option(fc.nat({ max: parts.length - 1 })),
      fc.option(fc.record({ at: fc.nat(), field: fc.integer({ min: 10, max: 2000 }), value: fc.nat() })),
      fc.option(
        fc.record({ which: fc.nat({ max: varints.length - 1 }), padding: fc.integer({ min: 1, max: 4 }) }),
      ),
      async (order, repeat, unknown, padded) => {
        const fields = order.map((i) => parts[i]!);
        if (padded) {
          const [index, value] = varints[padded.which]!;
          fields[order.indexOf(index)] = varintField(index + 1, value, padded.padding);
        }
        if (repeat !== null) fields.push(parts[repeat]!);
        if (unknown)
          fields.splice(unknown.at % (fields.length + 1), 0, varintField(unknown.field, unknown.value));
        const header = concatBytes(...fields);
        fc.pre(toHex(header) !== toHex(canonical));
        const bytes = encodeEnvelope(await sealWithHeader(sealed, header));
        await expectRejected(poolBytes[0]!, bytes, [MalformedError]);
      },
    ),
    { numRuns: RUNS / 4 },
  );
});

test(`the noble backend rejects header and signature flips too (${NOBLE_RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(which, flipsArb, fc.boolean(), async (i, flips, inHeader) => {
      const env = pool[i]!;
      const mutated = inHeader
        ? { ...env, header: flipBits(env.header, flips) }
        : { ...env, signature: flipBits(env.signature, flips) };
      await expectRejected(poolBytes[i]!, encodeEnvelope(mutated), undefined, 'noble');
    }),
    { numRuns: NOBLE_RUNS },
  );
});

test(`arbitrary bytes never open and only ever raise typed errors (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
      await expectRejected(poolBytes[0]!, bytes);
    }),
    { numRuns: RUNS },
  );
});
