/**
 * A batch whose signatures are being verified: made when a page arrives, so its verification (in
 * core/client's worker pool) runs while the previous page is decrypted. `receiveMany` takes it in
 * place of the envelopes and awaits its verdicts where it would have computed them: the checks and
 * their order do not change. Only objects made here are taken (the verdicts cannot be handed in).
 * @example const page = startVerifying(envelopes, pool.verify); const results = await room.receiveMany(page);
 */
import { type BatchVerifier, type ParsedEnvelope, verifyEnvelopeSignatures } from '../crypto/index.ts';
import { RoomKeyError } from '../errors.ts';
import { asReceived, type ReceivedEnvelope } from './received.ts';
import type { StoredEnvelope } from './types.ts';

/** The output of startVerifying. Frozen. */
export interface VerifyingBatch {
  readonly inputs: readonly ReceivedEnvelope[];
  /** The envelopes that parsed, in order; `valid` has one verdict for each. */
  readonly ready: readonly ParsedEnvelope[];
  readonly valid: Promise<boolean[]>;
}

const made = new WeakSet<VerifyingBatch>();

/**
 * Parses what is not parsed yet and starts verifying the signatures of the envelopes that parsed.
 * @example const batch = startVerifying(page, verifier);
 */
export function startVerifying(
  envelopes: readonly (Uint8Array | StoredEnvelope | ReceivedEnvelope)[],
  verifier?: BatchVerifier,
): VerifyingBatch {
  const inputs = envelopes.map(asReceived);
  const ready = inputs
    .map((received) => received.parsed)
    .filter((p): p is ParsedEnvelope => !(p instanceof RoomKeyError));
  const valid = verifyEnvelopeSignatures(ready, { verifier });
  // Awaited by receiveMany; until then a failure must not count as unhandled.
  valid.catch(() => undefined);
  const batch: VerifyingBatch = Object.freeze({ inputs, ready, valid });
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
