// Pairing's refusals in Node (core/crypto/pairing.ts): hostile offer texts, expired and over-long
// offers, a hello for another channel, a transfer opened with another transcript or changed in one
// bit: each a typed error, never a crash or a silent success.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toBase64Url } from '../../../core/bytes.ts';
import {
  createUserKeys,
  encodePairingHello,
  encodePairingOffer,
  hpkeGenerateKeyPair,
  openPairingTransfer,
  PAIRING_OFFER_TTL_MS,
  pairingCode,
  pairingTranscript,
  parsePairingHello,
  parsePairingOfferText,
  randomBytes,
  requireFreshOffer,
  sealPairingTransfer,
  signUserIdentity,
} from '../../../core/crypto/index.ts';
import { DecryptError, ExpiredError, MalformedError } from '../../../core/errors.ts';

async function fixture() {
  const ephemeral = await hpkeGenerateKeyPair();
  const channelId = randomBytes(16);
  const offer = encodePairingOffer({
    channelId,
    ephemeralKey: ephemeral.publicKey,
    deviceKey: randomBytes(32),
    expiresAtMs: Date.now() + PAIRING_OFFER_TTL_MS,
  });
  const keys = await createUserKeys();
  const identity = await signUserIdentity(keys, { userId: 'user-pair1', username: 'p', createdAtMs: 1 });
  const hello = encodePairingHello({ channelId, nonce: randomBytes(32), identity });
  return { ephemeral, channelId, offer, hello };
}

test('hostile offer texts are MalformedError', () => {
  for (const text of [
    '',
    'hello',
    'roomkey-pair:v1:',
    'roomkey-pair:v1:!!!',
    `roomkey-pair:v1:${toBase64Url(randomBytes(300))}`,
    `roomkey-pair:v1:${toBase64Url(new Uint8Array([0x0a, 0x02, 1, 2]))}`,
    'x'.repeat(5000),
    42,
    null,
  ]) {
    assert.throws(() => parsePairingOfferText(text), MalformedError, String(text).slice(0, 40));
  }
});

test('an offer past its time, or claiming more than 2 minutes, is ExpiredError', async () => {
  const { offer } = await fixture();
  const parsed = parsePairingOfferText(`  ${offer.qrText}\n`);
  requireFreshOffer(parsed, Date.now());
  assert.throws(() => requireFreshOffer(parsed, parsed.expiresAtMs), ExpiredError);
  assert.throws(() => requireFreshOffer({ expiresAtMs: Date.now() + 10 * 60_000 }, Date.now()), ExpiredError);
});

test('a hello for another channel is refused; one changed bit changes the code', async () => {
  const { channelId, offer, hello } = await fixture();
  assert.throws(() => parsePairingHello(hello, randomBytes(16)), MalformedError);
  parsePairingHello(hello, channelId);
  const code = pairingCode(pairingTranscript(offer.bytes, hello));
  assert.match(code, /^\d{6}$/);
  const changed = hello.slice();
  changed[changed.length - 1]! ^= 1;
  assert.notEqual(pairingCode(pairingTranscript(offer.bytes, changed)), code);
});

test('a transfer opens only with its transcript, and not after one changed bit', async () => {
  const { ephemeral, offer, hello } = await fixture();
  const transcript = pairingTranscript(offer.bytes, hello);
  const payload = randomBytes(100);
  const sealed = await sealPairingTransfer(ephemeral.publicKey, transcript, payload);
  assert.deepEqual(await openPairingTransfer(ephemeral.privateKey, transcript, sealed), payload);
  const other = pairingTranscript(offer.bytes, hello.subarray(1));
  await assert.rejects(openPairingTransfer(ephemeral.privateKey, other, sealed), DecryptError);
  const flipped = sealed.ciphertext.slice();
  flipped[3]! ^= 1;
  await assert.rejects(
    openPairingTransfer(ephemeral.privateKey, transcript, { enc: sealed.enc, ciphertext: flipped }),
    DecryptError,
  );
  await assert.rejects(
    openPairingTransfer(ephemeral.privateKey, transcript, {
      enc: sealed.enc.subarray(1),
      ciphertext: flipped,
    }),
    MalformedError,
  );
});
