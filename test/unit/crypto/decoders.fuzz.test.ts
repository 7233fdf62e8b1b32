// Hostile input to every other decoder of core/crypto: arbitrary bytes or fields only ever raise a
// typed RoomKeyError subclass (never another exception, never success).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  createUserKeys,
  decodeMessageContent,
  decodeSigned,
  deriveEpochKeys,
  openSealedToRoom,
  parseSealedToRoom,
  unwrapEpochSecrets,
  verifyDeviceCertificate,
  verifySigned,
  verifyUserIdentity,
} from '../../../core/crypto/index.ts';
import { RoomKeyError } from '../../../core/errors.ts';
import { filled } from './_helpers.ts';

const CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const RUNS = CI ? 10_000 : 1_000;
const HPKE_RUNS = CI ? 1_000 : 200;

const user = await createUserKeys({ signingSeed: filled(1), hpkeSeed: filled(2) });
const room = await deriveEpochKeys(filled(3), 'room-1', 0);

async function typedFailure(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof RoomKeyError && error.constructor !== RoomKeyError, `untyped: ${error}`);
    return;
  }
  assert.fail('hostile input was accepted');
}

test(`arbitrary bytes as Signed, identity, certificate, sealed-to-room (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
      await typedFailure(() => decodeSigned(bytes));
      await typedFailure(() => verifySigned('roomkey/v1/x', bytes));
      await typedFailure(() => verifyUserIdentity(bytes));
      await typedFailure(() =>
        verifyDeviceCertificate(bytes, { userId: 'u', signingKey: user.signingPublicKey }, 0),
      );
      await typedFailure(() => parseSealedToRoom(bytes));
    }),
    { numRuns: RUNS },
  );
});

test(`arbitrary well-shaped Signed objects never verify (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 100 }),
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      async (body, signature, signer) => {
        await typedFailure(() => verifySigned('roomkey/v1/x', { body, signature, signer }));
        await typedFailure(() => verifyUserIdentity({ body, signature, signer }));
      },
    ),
    { numRuns: RUNS },
  );
});

test(`message content decoding: bytes either decode or raise MalformedError (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodeMessageContent(bytes);
      } catch (error) {
        assert.ok(error instanceof RoomKeyError && error.constructor !== RoomKeyError, `untyped: ${error}`);
      }
    }),
    { numRuns: RUNS },
  );
});

test(`random key wraps and room seals never open (${HPKE_RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      // Right lengths, so every case reaches the KEM and the AEAD.
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 16, maxLength: 120 }),
      async (enc, ciphertext) => {
        await typedFailure(() =>
          unwrapEpochSecrets(
            { recipientUserId: 'u', enc, ciphertext },
            {
              roomId: 'room-1',
              epoch: 0,
              recipientUserId: 'u',
              recipientHpkePrivateKey: user.hpkePrivateKey,
            },
          ),
        );
        await typedFailure(() => openSealedToRoom({ roomId: 'room-1', epoch: 0, enc, ciphertext }, room));
      },
    ),
    { numRuns: HPKE_RUNS },
  );
});
