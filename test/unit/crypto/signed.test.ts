import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex, utf8 } from '../../../core/bytes.ts';
import {
  decodeSigned,
  encodeSigned,
  signBody,
  signingKeyPair,
  verifySigned,
} from '../../../core/crypto/index.ts';
import { BadSignatureError, MalformedError } from '../../../core/errors.ts';
import { BACKENDS, filled, flipBit } from './_helpers.ts';

const key = signingKeyPair(filled(3));
const other = signingKeyPair(filled(4));
const body = utf8('body bytes');

test('signBody/verifySigned round trip, from props and from bytes, on every backend', async () => {
  for (const backend of BACKENDS) {
    const signed = await signBody('roomkey/v1/test', body, key.secretKey, { backend });
    assert.equal(toHex(signed.signer), toHex(key.publicKey));
    assert.equal(toHex(await verifySigned('roomkey/v1/test', signed, { backend })), toHex(body));
    const bytes = encodeSigned(signed);
    assert.equal(toHex(await verifySigned('roomkey/v1/test', bytes, { backend })), toHex(body));
    assert.deepEqual(decodeSigned(bytes), signed);
  }
});

test('another label, a modified body, a swapped signer: BadSignatureError', async () => {
  const signed = await signBody('roomkey/v1/test', body, key.secretKey);
  await assert.rejects(verifySigned('roomkey/v1/other', signed), BadSignatureError);
  await assert.rejects(
    verifySigned('roomkey/v1/test', { ...signed, body: flipBit(body, 0) }),
    BadSignatureError,
  );
  await assert.rejects(
    verifySigned('roomkey/v1/test', { ...signed, signer: other.publicKey }),
    BadSignatureError,
  );
  await assert.rejects(
    verifySigned('roomkey/v1/test', signed, { expectedSigner: other.publicKey }),
    BadSignatureError,
  );
});

test('label prefixes cannot be confused: "a" || 0 || "b..." is not "a\\0b" (labels have no NUL)', async () => {
  const signed = await signBody('roomkey/v1/x', utf8('y'), key.secretKey);
  await assert.rejects(
    verifySigned('roomkey/v1/xy', { ...signed, body: new Uint8Array(0) }),
    BadSignatureError,
  );
});

test('missing or wrong-length fields and garbage bytes: MalformedError', async () => {
  const signed = await signBody('roomkey/v1/test', body, key.secretKey);
  await assert.rejects(
    verifySigned('roomkey/v1/test', { ...signed, signature: signed.signature.subarray(1) }),
    MalformedError,
  );
  await assert.rejects(
    verifySigned('roomkey/v1/test', { ...signed, signer: new Uint8Array(0) }),
    MalformedError,
  );
  await assert.rejects(verifySigned('roomkey/v1/test', { body, signer: key.publicKey }), MalformedError);
  await assert.rejects(verifySigned('roomkey/v1/test', new Uint8Array([0xff, 0xff, 0xff])), MalformedError);
  await assert.rejects(verifySigned('roomkey/v1/test', null as never), MalformedError);
  assert.throws(() => decodeSigned(encodeSigned(signed).subarray(0, 10)), MalformedError);
});
