// Every behaviour is checked on each X25519 backend (WebCrypto where it passes its self-test, and
// noble), so the two cannot differ in a verdict or an error type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex, utf8 } from '../../../core/bytes.ts';
import {
  createHpkeRecipient,
  createHpkeSender,
  hpkeBackend,
  hpkeDeriveKeyPair,
  hpkeGenerateKeyPair,
  hpkeOpen,
  hpkePublicKey,
  hpkeSeal,
  hpkeSealDeterministic,
  type X25519Backend,
} from '../../../core/crypto/hpke.ts';
import { DecryptError, MalformedError, UnsupportedError } from '../../../core/errors.ts';
import { filled, flipBit } from './_helpers.ts';

const info = utf8('roomkey/v1/test');
const aad = utf8('aad');
const plaintext = utf8('sealed to a public key');
const recipient = await hpkeDeriveKeyPair(filled(5));
const stranger = await hpkeGenerateKeyPair();

test('Node 24 has WebCrypto X25519 that passes its known-answer test (else only noble would be tested)', async () => {
  assert.equal(await hpkeBackend(), 'webcrypto');
});

test('an unknown backend name is an UnsupportedError', async () => {
  const backend = 'openssl' as X25519Backend;
  await assert.rejects(
    hpkeSeal(recipient.publicKey, plaintext, info, aad, undefined, { backend }),
    UnsupportedError,
  );
});

test('each backend opens what the other sealed; deterministic seals are byte-equal across backends', async () => {
  const byNoble = await hpkeSeal(recipient.publicKey, plaintext, info, aad, undefined, { backend: 'noble' });
  const byWebCrypto = await hpkeSeal(recipient.publicKey, plaintext, info, aad, undefined, {
    backend: 'webcrypto',
  });
  const open = (s: typeof byNoble, backend: X25519Backend) =>
    hpkeOpen(recipient.privateKey, s.enc, s.ciphertext, info, aad, { backend });
  assert.equal(toHex(await open(byNoble, 'webcrypto')), toHex(plaintext));
  assert.equal(toHex(await open(byWebCrypto, 'noble')), toHex(plaintext));
  const fixed = (backend: X25519Backend) =>
    hpkeSealDeterministic(recipient.publicKey, plaintext, info, aad, filled(6), { backend });
  assert.deepEqual(await fixed('noble'), await fixed('webcrypto'));
  assert.deepEqual(
    await hpkeDeriveKeyPair(filled(7), { backend: 'noble' }),
    await hpkeDeriveKeyPair(filled(7), { backend: 'webcrypto' }),
  );
});

test('a key array rewritten in place is the new key (WebCrypto import caches check the bytes)', async () => {
  const other = await hpkeDeriveKeyPair(filled(8));
  const key = recipient.privateKey.slice();
  const toFirst = await hpkeSeal(recipient.publicKey, plaintext, info, aad);
  const toOther = await hpkeSeal(other.publicKey, plaintext, info, aad);
  for (const backend of ['webcrypto', 'noble'] as const) {
    key.set(recipient.privateKey);
    assert.equal(
      toHex(await hpkeOpen(key, toFirst.enc, toFirst.ciphertext, info, aad, { backend })),
      toHex(plaintext),
    );
    key.set(other.privateKey);
    assert.equal(
      toHex(await hpkeOpen(key, toOther.enc, toOther.ciphertext, info, aad, { backend })),
      toHex(plaintext),
    );
    await assert.rejects(
      hpkeOpen(key, toFirst.enc, toFirst.ciphertext, info, aad, { backend }),
      DecryptError,
    );
  }
});

for (const backend of ['webcrypto', 'noble'] as const) {
  const on = { backend };
  const seal = (pub: Uint8Array, pt: Uint8Array, i: Uint8Array, a?: Uint8Array) =>
    hpkeSeal(pub, pt, i, a, undefined, on);
  const open = (key: Uint8Array, enc: Uint8Array, ct: Uint8Array, i: Uint8Array, a?: Uint8Array) =>
    hpkeOpen(key, enc, ct, i, a, on);

  test(`seal then open round trip; each seal uses a fresh ephemeral key (${backend})`, async () => {
    const a = await seal(recipient.publicKey, plaintext, info, aad);
    const b = await seal(recipient.publicKey, plaintext, info, aad);
    assert.notEqual(toHex(a.enc), toHex(b.enc));
    assert.equal(a.enc.length, 32);
    assert.equal(a.ciphertext.length, plaintext.length + 16);
    assert.equal(toHex(await open(recipient.privateKey, a.enc, a.ciphertext, info, aad)), toHex(plaintext));
  });

  test(`deterministic seal (vectors only) repeats exactly for the same ikmE (${backend})`, async () => {
    const a = await hpkeSealDeterministic(recipient.publicKey, plaintext, info, aad, filled(6), on);
    const b = await hpkeSealDeterministic(recipient.publicKey, plaintext, info, aad, filled(6), on);
    assert.deepEqual(a, b);
  });

  test(`key derivation is deterministic and consistent with hpkePublicKey (${backend})`, async () => {
    assert.deepEqual(await hpkeDeriveKeyPair(filled(5), on), recipient);
    assert.equal(toHex(hpkePublicKey(recipient.privateKey)), toHex(recipient.publicKey));
    assert.notEqual(toHex((await hpkeGenerateKeyPair(on)).publicKey), toHex(recipient.publicKey));
  });

  test(`wrong key, info, aad, enc or ciphertext: DecryptError (${backend})`, async () => {
    const s = await seal(recipient.publicKey, plaintext, info, aad);
    await assert.rejects(open(stranger.privateKey, s.enc, s.ciphertext, info, aad), DecryptError);
    await assert.rejects(open(recipient.privateKey, s.enc, s.ciphertext, utf8('other'), aad), DecryptError);
    await assert.rejects(open(recipient.privateKey, s.enc, s.ciphertext, info, utf8('AAD')), DecryptError);
    await assert.rejects(
      open(recipient.privateKey, flipBit(s.enc, 3), s.ciphertext, info, aad),
      DecryptError,
    );
    await assert.rejects(
      open(recipient.privateKey, s.enc, flipBit(s.ciphertext, 0), info, aad),
      DecryptError,
    );
    // An all-zero enc is a low-order point: the DH output is zero and the KEM refuses it.
    await assert.rejects(
      open(recipient.privateKey, new Uint8Array(32), s.ciphertext, info, aad),
      DecryptError,
    );
  });

  test(`bad lengths and unusable keys: MalformedError (${backend})`, async () => {
    const s = await seal(recipient.publicKey, plaintext, info, aad);
    await assert.rejects(seal(recipient.publicKey.subarray(1), plaintext, info), MalformedError);
    await assert.rejects(seal(new Uint8Array(32), plaintext, info), MalformedError); // low-order recipient
    await assert.rejects(
      open(recipient.privateKey.subarray(1), s.enc, s.ciphertext, info, aad),
      MalformedError,
    );
    await assert.rejects(
      open(recipient.privateKey, s.enc.subarray(1), s.ciphertext, info, aad),
      MalformedError,
    );
    await assert.rejects(
      open(recipient.privateKey, s.enc, s.ciphertext.subarray(0, 15), info, aad),
      MalformedError,
    );
    await assert.rejects(hpkeDeriveKeyPair(filled(1, 31), on), MalformedError);
    await assert.rejects(
      hpkeSealDeterministic(recipient.publicKey, plaintext, info, aad, filled(1, 8), on),
      MalformedError,
    );
    assert.throws(() => hpkePublicKey(filled(1, 31)), MalformedError);
  });

  test(`contexts number messages: out of order fails, in order succeeds; exports agree (${backend})`, async () => {
    const sender = await createHpkeSender({ recipientPublicKey: recipient.publicKey, info, backend });
    const c0 = await sender.seal(utf8('zero'));
    const c1 = await sender.seal(utf8('one'));
    const recipientOf = () =>
      createHpkeRecipient({ recipientPrivateKey: recipient.privateKey, enc: sender.enc, info, backend });
    const receiver = await recipientOf();
    await assert.rejects(receiver.open(c1), DecryptError);
    const fresh = await recipientOf();
    assert.equal(new TextDecoder().decode(await fresh.open(c0)), 'zero');
    assert.equal(new TextDecoder().decode(await fresh.open(c1)), 'one');
    assert.equal(toHex(await sender.export(utf8('ctx'), 32)), toHex(await fresh.export(utf8('ctx'), 32)));
    await assert.rejects(sender.export(utf8('ctx'), 0), MalformedError);
  });
}
