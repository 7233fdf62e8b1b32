import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatBytes, toHex } from '../../../core/bytes.ts';
import { encode } from '../../../core/codec.ts';
import {
  createUserKeys,
  encodeSigned,
  LABEL_USER_IDENTITY,
  signBody,
  signUserIdentity,
  verifyUserIdentity,
} from '../../../core/crypto/index.ts';
import { BadSignatureError, MalformedError } from '../../../core/errors.ts';
import { v1 } from '../../../proto/index.ts';
import { signedByMixedKey } from '../../vectors/ed25519-forge.ts';
import { BACKENDS, filled, flipBit } from './_helpers.ts';

const seeds = { signingSeed: filled(1), hpkeSeed: filled(2) };
const keys = await createUserKeys(seeds);
const fields = { userId: 'u-ada', username: 'Ada', createdAtMs: 1_700_000_000_000 };

test('keys from seeds are deterministic; random keys differ', async () => {
  assert.deepEqual(await createUserKeys(seeds), keys);
  const random = await createUserKeys();
  assert.notEqual(toHex(random.signingPublicKey), toHex(keys.signingPublicKey));
  assert.notEqual(toHex(random.hpkePublicKey), toHex(keys.hpkePublicKey));
  await assert.rejects(createUserKeys({ signingSeed: filled(1, 31), hpkeSeed: filled(2) }), MalformedError);
});

test('sign then verify returns the identity, from props or bytes, on every backend', async () => {
  for (const backend of BACKENDS) {
    const signed = await signUserIdentity(keys, fields, { backend });
    for (const input of [signed, encodeSigned(signed)]) {
      const identity = await verifyUserIdentity(input, { backend, expectedUserId: 'u-ada' });
      assert.deepEqual(identity, {
        ...fields,
        signingKey: keys.signingPublicKey,
        hpkeKey: keys.hpkePublicKey,
      });
    }
  }
});

test('a modified body, another user id, or another label: BadSignatureError', async () => {
  const signed = await signUserIdentity(keys, fields);
  await assert.rejects(verifyUserIdentity({ ...signed, body: flipBit(signed.body, 5) }), BadSignatureError);
  await assert.rejects(verifyUserIdentity(signed, { expectedUserId: 'u-eve' }), BadSignatureError);
  const mislabeled = await signBody('roomkey/v1/device-certificate', signed.body, keys.signingSecretKey);
  await assert.rejects(verifyUserIdentity(mislabeled), BadSignatureError);
});

test("an identity signed by someone else's key (valid signature) is refused", async () => {
  const eve = await createUserKeys({ signingSeed: filled(9), hpkeSeed: filled(8) });
  const signed = await signUserIdentity(keys, fields);
  const forged = await signBody(LABEL_USER_IDENTITY, signed.body, eve.signingSecretKey);
  await assert.rejects(verifyUserIdentity(forged), BadSignatureError);
});

test('wrong field lengths inside a correctly signed body: MalformedError', async () => {
  const bad = [
    { ...fields, signingKey: keys.signingPublicKey, hpkeKey: keys.hpkePublicKey.subarray(1) },
    { ...fields, signingKey: keys.signingPublicKey, hpkeKey: keys.hpkePublicKey, userId: '' },
    { ...fields, signingKey: keys.signingPublicKey, hpkeKey: keys.hpkePublicKey, userId: 'x'.repeat(300) },
  ];
  for (const body of bad) {
    const signed = await signBody(
      LABEL_USER_IDENTITY,
      encode(v1.UserIdentityBody, body),
      keys.signingSecretKey,
    );
    await assert.rejects(verifyUserIdentity(signed), MalformedError);
  }
  const garbage = await signBody(LABEL_USER_IDENTITY, new Uint8Array([0xff, 0xff]), keys.signingSecretKey);
  await assert.rejects(verifyUserIdentity(garbage), MalformedError);
  await assert.rejects(signUserIdentity(keys, { ...fields, userId: '' }), MalformedError);
  await assert.rejects(signUserIdentity(keys, { ...fields, createdAtMs: -1 }), MalformedError);
});

test('an identity whose signing key has small or mixed order is refused with MalformedError on every backend', async () => {
  const body = (signingKey: Uint8Array) =>
    encode(v1.UserIdentityBody, { ...fields, signingKey, hpkeKey: keys.hpkePublicKey });
  // Its signature passes the cofactorless equation too, so only the key check can refuse it.
  const mixed = signedByMixedKey(LABEL_USER_IDENTITY, body, seeds.signingSeed);
  // The identity point with R = identity and S = 0 "signs" every message under both equations.
  const identityPoint = new Uint8Array(32);
  identityPoint[0] = 1;
  const small = {
    body: body(identityPoint),
    signature: concatBytes(identityPoint, new Uint8Array(32)),
    signer: identityPoint,
  };
  for (const signed of [mixed, small]) {
    for (const backend of BACKENDS) {
      await assert.rejects(verifyUserIdentity(signed, { backend }), (e: unknown) => {
        assert.ok(e instanceof MalformedError, String(e));
        assert.match(
          e.message,
          /^user identity: signing key: not a usable Ed25519 public key \(a point of (small|mixed) order/,
        );
        return true;
      });
    }
  }
  await assert.rejects(signUserIdentity({ ...keys, signingPublicKey: mixed.signer }, fields), MalformedError);
});
