import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex, utf8 } from '../../../core/bytes.ts';
import { aeadOpen, aeadSeal, randomNonce } from '../../../core/crypto/index.ts';
import { DecryptError, MalformedError } from '../../../core/errors.ts';
import { filled, flipBit } from './_helpers.ts';

const key = filled(9);
const nonce = filled(1, 24);
const aad = utf8('header');
const plaintext = utf8('secret text');

test('seal then open returns the plaintext; ciphertext = plaintext + 16-byte tag', () => {
  const ct = aeadSeal(key, nonce, plaintext, aad);
  assert.equal(ct.length, plaintext.length + 16);
  assert.equal(toHex(aeadOpen(key, nonce, ct, aad)), toHex(plaintext));
  assert.equal(toHex(aeadOpen(key, nonce, aeadSeal(key, nonce, new Uint8Array(0)))), '');
});

test('wrong key, nonce or aad, or any flipped bit: DecryptError', () => {
  const ct = aeadSeal(key, nonce, plaintext, aad);
  assert.throws(() => aeadOpen(filled(8), nonce, ct, aad), DecryptError);
  assert.throws(() => aeadOpen(key, filled(2, 24), ct, aad), DecryptError);
  assert.throws(() => aeadOpen(key, nonce, ct, utf8('Header')), DecryptError);
  assert.throws(() => aeadOpen(key, nonce, ct), DecryptError);
  for (let i = 0; i < ct.length; i++)
    assert.throws(() => aeadOpen(key, nonce, flipBit(ct, i, i % 8), aad), DecryptError);
});

test('bad lengths: MalformedError', () => {
  const ct = aeadSeal(key, nonce, plaintext, aad);
  assert.throws(() => aeadSeal(filled(1, 31), nonce, plaintext), MalformedError);
  assert.throws(() => aeadSeal(key, filled(1, 12), plaintext), MalformedError);
  assert.throws(() => aeadOpen(key, nonce, ct.subarray(0, 15), aad), MalformedError);
  assert.throws(() => aeadOpen(key, nonce, 'x' as never, aad), MalformedError);
});

test('random nonces are 24 bytes and differ', () => {
  assert.equal(randomNonce().length, 24);
  assert.notEqual(toHex(randomNonce()), toHex(randomNonce()));
});
