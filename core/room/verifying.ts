/**
 * A batch whose signatures are being verified: made when a page arrives, so its verification (in
 * core/client's worker pool) runs while the previous page is decrypted; with an opener (a Room's
 * `startReading`), its envelopes are opened ahead there too, with the epoch keys the room holds. `receiveMany` takes it in
 * place of the envelopes and awaits its verdicts where it would have computed them: the checks and
 * their order do not change. Only objects made here are taken (the verdicts cannot be handed in).
 * @example const page = startVerifying(envelopes, pool.verify); const results = await room.receiveMany(page);
 */
import { type BatchVerifier, type ParsedEnvelope, verifyEnvelopeSignatures } from '../crypto/index.ts';
import { RoomKeyError } from '../errors.ts';
import { asReceived, type ReceivedEnvelope } from './received.ts';
import type { StoredEnvelope } from './types.ts';

/**
 * Opens envelopes elsewhere (core/client's worker pool, with core/crypto's aeadOpen): a plaintext
 * per item, or undefined where it did not open or was not tried.
 */
export type BatchOpener = (
  items: Array<{ key: Uint8Array; nonce: Uint8Array; aad: Uint8Array; ciphertext: Uint8Array }>,
) => Promise<Array<Uint8Array | undefined>>;

/** An envelope opened ahead of its checks, with the key it was opened with. */
export interface OpenedAhead {
  readonly key: Uint8Array;
  readonly plaintext: Uint8Array;
}

/** The output of startVerifying. Frozen. */
export interface VerifyingBatch {
  readonly inputs: readonly ReceivedEnvelope[];
  /** The envelopes that parsed, in order; `valid` has one verdict for each. */
  readonly ready: readonly ParsedEnvelope[];
  readonly valid: Promise<boolean[]>;
  /** What was opened ahead (only used once every check passed, and with the same key). */
  readonly opened: Promise<Map<ParsedEnvelope, OpenedAhead>>;
}

const made = new WeakSet<VerifyingBatch>();

/**
 * Parses what is not parsed yet and starts verifying the signatures of the envelopes that parsed.
 * @example const batch = startVerifying(page, verifier);
 */
export function startVerifying(
  envelopes: readonly (Uint8Array | StoredEnvelope | ReceivedEnvelope)[],
  verifier?: BatchVerifier,
  ahead?: { opener: BatchOpener; keyOf: (epoch: number) => Uint8Array | undefined },
): VerifyingBatch {
  const inputs = envelopes.map(asReceived);
  const ready = inputs
    .map((received) => received.parsed)
    .filter((p): p is ParsedEnvelope => !(p instanceof RoomKeyError));
  const valid = verifyEnvelopeSignatures(ready, { verifier });
  // Awaited by receiveMany; until then a failure must not count as unhandled.
  valid.catch(() => undefined);
  const opened = ahead ? openAhead(ready, ahead) : Promise.resolve(new Map<ParsedEnvelope, OpenedAhead>());
  const batch: VerifyingBatch = Object.freeze({ inputs, ready, valid, opened });
  made.add(batch);
  return batch;
}

/**
 * True for a batch startVerifying made.
 * @example if (isVerifyingBatch(input)) await input.valid;
 */
export function isVerifyingBatch(input: unknown): input is VerifyingBatch {
  return typeof input === 'object' && input !== null && made.has(input as VerifyingBatch);
}

/** Opens what has a key now; a failed opener opens nothing ahead (the room decrypts in-thread). */
async function openAhead(
  ready: readonly ParsedEnvelope[],
  { opener, keyOf }: { opener: BatchOpener; keyOf: (epoch: number) => Uint8Array | undefined },
): Promise<Map<ParsedEnvelope, OpenedAhead>> {
  const keyed = ready.flatMap((parsed) => {
    const key = keyOf(parsed.header.epoch);
    return key ? [{ parsed, key }] : [];
  });
  const out = new Map<ParsedEnvelope, OpenedAhead>();
  const plaintexts = await opener(
    keyed.map(({ parsed, key }) => ({
      key,
      nonce: parsed.header.nonce,
      aad: parsed.headerBytes,
      ciphertext: parsed.ciphertext,
    })),
  ).catch(() => []);
  for (const [i, { parsed, key }] of keyed.entries()) {
    const plaintext = plaintexts[i];
    if (plaintext) out.set(parsed, { key, plaintext });
  }
  return out;
}
