import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex, utf8 } from '../../../core/bytes.ts';
import {
  createHpkeRecipient,
  createHpkeSender,
  hpkeDeriveKeyPair,
  hpkeGenerateKeyPair,
  hpkeOpen,
  hpkePublicKey,
  hpkeSeal,
  hpkeSealDeterministic,
} from '../../../core/crypto/index.ts';
import { DecryptError, MalformedError } from '../../../core/errors.ts';
import { filled, flipBit } from './_helpers.ts';

const info = utf8('roomkey/v1/test');
const aad = utf8('aad');
const plaintext = utf8('sealed to a public key');
const recipient = await hpkeDeriveKeyPair(filled(5));
const stranger = await hpkeGenerateKeyPair();

test('seal then open round trip; each seal uses a fresh ephemeral key', async () => {
  const a = await hpkeSeal(recipient.publicKey, plaintext, info, aad);
  const b = await hpkeSeal(recipient.publicKey, plaintext, info, aad);
  assert.notEqual(toHex(a.enc), toHex(b.enc));
  assert.equal(a.enc.length, 32);
  assert.equal(a.ciphertext.length, plaintext.length + 16);
  assert.equal(toHex(await hpkeOpen(recipient.privateKey, a.enc, a.ciphertext, info, aad)), toHex(plaintext));
});

test('deterministic seal (vectors only) repeats exactly for the same ikmE', async () => {
  const a = await hpkeSealDeterministic(recipient.publicKey, plaintext, info, aad, filled(6));
  const b = await hpkeSealDeterministic(recipient.publicKey, plaintext, info, aad, filled(6));
  assert.deepEqual(a, b);
});

test('key derivation is deterministic and consistent with hpkePublicKey', async () => {
  assert.deepEqual(await hpkeDeriveKeyPair(filled(5)), recipient);
  assert.equal(toHex(hpkePublicKey(recipient.privateKey)), toHex(recipient.publicKey));
  assert.notEqual(toHex(stranger.publicKey), toHex(recipient.publicKey));
});

test('wrong key, info, aad, enc or ciphertext: DecryptError', async () => {
  const s = await hpkeSeal(recipient.publicKey, plaintext, info, aad);
  await assert.rejects(hpkeOpen(stranger.privateKey, s.enc, s.ciphertext, info, aad), DecryptError);
  await assert.rejects(hpkeOpen(recipient.privateKey, s.enc, s.ciphertext, utf8('other'), aad), DecryptError);
  await assert.rejects(hpkeOpen(recipient.privateKey, s.enc, s.ciphertext, info, utf8('AAD')), DecryptError);
  await assert.rejects(
    hpkeOpen(recipient.privateKey, flipBit(s.enc, 3), s.ciphertext, info, aad),
    DecryptError,
  );
  await assert.rejects(
    hpkeOpen(recipient.privateKey, s.enc, flipBit(s.ciphertext, 0), info, aad),
    DecryptError,
  );
  // An all-zero enc is a low-order point: the DH output is zero and the KEM refuses it.
  await assert.rejects(
    hpkeOpen(recipient.privateKey, new Uint8Array(32), s.ciphertext, info, aad),
    DecryptError,
  );
});

test('bad lengths and unusable keys: MalformedError', async () => {
  const s = await hpkeSeal(recipient.publicKey, plaintext, info, aad);
  await assert.rejects(hpkeSeal(recipient.publicKey.subarray(1), plaintext, info), MalformedError);
  await assert.rejects(hpkeSeal(new Uint8Array(32), plaintext, info), MalformedError); // low-order recipient
  await assert.rejects(
    hpkeOpen(recipient.privateKey.subarray(1), s.enc, s.ciphertext, info, aad),
    MalformedError,
  );
  await assert.rejects(
    hpkeOpen(recipient.privateKey, s.enc.subarray(1), s.ciphertext, info, aad),
    MalformedError,
  );
  await assert.rejects(
    hpkeOpen(recipient.privateKey, s.enc, s.ciphertext.subarray(0, 15), info, aad),
    MalformedError,
  );
  await assert.rejects(hpkeDeriveKeyPair(filled(1, 31)), MalformedError);
  await assert.rejects(
    hpkeSealDeterministic(recipient.publicKey, plaintext, info, aad, filled(1, 8)),
    MalformedError,
  );
  assert.throws(() => hpkePublicKey(filled(1, 31)), MalformedError);
});

test('contexts number messages: opening out of order fails, in order succeeds; exports agree', async () => {
  const sender = await createHpkeSender({ recipientPublicKey: recipient.publicKey, info });
  const c0 = await sender.seal(utf8('zero'));
  const c1 = await sender.seal(utf8('one'));
  const receiver = await createHpkeRecipient({
    recipientPrivateKey: recipient.privateKey,
    enc: sender.enc,
    info,
  });
  await assert.rejects(receiver.open(c1), DecryptError);
  const fresh = await createHpkeRecipient({
    recipientPrivateKey: recipient.privateKey,
    enc: sender.enc,
    info,
  });
  assert.equal(new TextDecoder().decode(await fresh.open(c0)), 'zero');
  assert.equal(new TextDecoder().decode(await fresh.open(c1)), 'one');
  assert.equal(toHex(await sender.export(utf8('ctx'), 32)), toHex(await fresh.export(utf8('ctx'), 32)));
  await assert.rejects(sender.export(utf8('ctx'), 0), MalformedError);
});
