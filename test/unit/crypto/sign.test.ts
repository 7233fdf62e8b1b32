import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatBytes, fromHex, toHex, utf8 } from '../../../core/bytes.ts';
import {
  ed25519Backend,
  labeledMessage,
  sign,
  signingKeyPair,
  signingPublicKey,
  verify,
  verifyBatch,
} from '../../../core/crypto/index.ts';
import { MalformedError } from '../../../core/errors.ts';
import { BACKENDS, filled, flipBit } from './_helpers.ts';

const alice = signingKeyPair(filled(1));
const bob = signingKeyPair(filled(2));
const message = utf8('hello');

test('Node 24 has WebCrypto Ed25519, so the fast path is the default', async () => {
  assert.equal(await ed25519Backend(), 'webcrypto');
});

test('noble and WebCrypto make identical signatures, each verifies the other', async () => {
  const signatures = await Promise.all(
    BACKENDS.map((backend) => sign(message, alice.secretKey, { backend })),
  );
  for (const s of signatures) assert.equal(toHex(s), toHex(signatures[0]!));
  for (const backend of BACKENDS)
    assert.equal(await verify(signatures[0]!, message, alice.publicKey, { backend }), true);
});

test('keys from a seed are deterministic; random keys differ', () => {
  assert.deepEqual(signingKeyPair(filled(1)), alice);
  assert.deepEqual(signingPublicKey(alice.secretKey), alice.publicKey);
  assert.notDeepEqual(signingKeyPair().publicKey, signingKeyPair().publicKey);
});

test('wrong key, wrong message, flipped signature bits do not verify', async () => {
  const signature = await sign(message, alice.secretKey);
  for (const backend of BACKENDS) {
    assert.equal(await verify(signature, message, bob.publicKey, { backend }), false);
    assert.equal(await verify(signature, utf8('hellO'), alice.publicKey, { backend }), false);
    for (const i of [0, 31, 32, 63]) {
      assert.equal(await verify(flipBit(signature, i, 3), message, alice.publicKey, { backend }), false);
    }
  }
});

test('wrong lengths are MalformedError, not false and not a library exception', async () => {
  const signature = await sign(message, alice.secretKey);
  await assert.rejects(sign(message, filled(1, 31)), MalformedError);
  await assert.rejects(verify(signature.subarray(1), message, alice.publicKey), MalformedError);
  await assert.rejects(verify(signature, message, alice.publicKey.subarray(1)), MalformedError);
  await assert.rejects(verify(signature, 'x' as unknown as Uint8Array, alice.publicKey), MalformedError);
  assert.throws(() => signingKeyPair(filled(1, 33)), MalformedError);
});

test('both backends reject a small-order public key with the signature that fools cofactored checks', async () => {
  // A = identity point, R = identity, S = 0: [8]SB == [8]R + [8]kA holds for every message.
  const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
  const signature = concatBytes(identity, new Uint8Array(32));
  for (const backend of BACKENDS)
    assert.equal(await verify(signature, message, identity, { backend }), false);
});

test('both backends reject a non-canonical S (S + L)', async () => {
  const signature = await sign(message, alice.secretKey);
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!);
  let malleable = s + L;
  const out = signature.slice();
  for (let i = 32; i < 64; i++) {
    out[i] = Number(malleable & 0xffn);
    malleable >>= 8n;
  }
  for (const backend of BACKENDS)
    assert.equal(await verify(out, message, alice.publicKey, { backend }), false);
});

test('verifyBatch returns one result per item, in order', async () => {
  const good = { signature: await sign(message, alice.secretKey), message, publicKey: alice.publicKey };
  const bad = { ...good, publicKey: bob.publicKey };
  for (const backend of BACKENDS) {
    assert.deepEqual(await verifyBatch([good, bad, good], { backend }), [true, false, true]);
    assert.deepEqual(await verifyBatch([], { backend }), []);
  }
  await assert.rejects(verifyBatch([good, { ...good, signature: new Uint8Array(3) }]), MalformedError);
});

test('labeledMessage is label || 0x00 || parts, and refuses labels with NUL', () => {
  assert.equal(toHex(labeledMessage('ab', utf8('c'), utf8('d'))), '6162006364');
  assert.throws(() => labeledMessage('a\0b'), MalformedError);
  assert.throws(() => labeledMessage(''), MalformedError);
});

test('a signing key rewritten in place is not served from the WebCrypto key cache', async () => {
  const key = filled(7);
  const first = await sign(message, key);
  key.fill(8);
  const second = await sign(message, key);
  assert.equal(toHex(second), toHex(await sign(message, filled(8), { backend: 'noble' })));
  assert.notEqual(toHex(first), toHex(second));
  assert.equal(toHex(signingPublicKey(key)), toHex(signingPublicKey(filled(8))));
});
