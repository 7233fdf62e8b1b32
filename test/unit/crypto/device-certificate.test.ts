import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '../../../core/codec.ts';
import {
  createDeviceKey,
  createUserKeys,
  encodeSigned,
  LABEL_DEVICE_CERTIFICATE,
  signBody,
  signDeviceCertificate,
  verifyDeviceCertificate,
} from '../../../core/crypto/index.ts';
import { BadSignatureError, ExpiredError, MalformedError } from '../../../core/errors.ts';
import { v1 } from '../../../proto/index.ts';
import { BACKENDS, filled, flipBit } from './_helpers.ts';

const user = await createUserKeys({ signingSeed: filled(1), hpkeSeed: filled(2) });
const eve = await createUserKeys({ signingSeed: filled(3), hpkeSeed: filled(4) });
const device = createDeviceKey(filled(5));
const who = { userId: 'u-ada', signingKey: user.signingPublicKey };
const fields = {
  userId: 'u-ada',
  deviceKey: device.publicKey,
  deviceName: 'laptop',
  issuedAtMs: 1000,
  expiresAtMs: 2000,
};

test('sign then verify returns the certificate, from props or bytes, on every backend', async () => {
  for (const backend of BACKENDS) {
    const signed = await signDeviceCertificate(user, fields, { backend });
    for (const input of [signed, encodeSigned(signed)]) {
      assert.deepEqual(await verifyDeviceCertificate(input, who, 1500, { backend }), fields);
    }
  }
  const forever = await signDeviceCertificate(user, { ...fields, expiresAtMs: undefined });
  assert.equal((await verifyDeviceCertificate(forever, who, Number.MAX_SAFE_INTEGER)).expiresAtMs, 0);
});

test('expired at or after expires_at_ms: ExpiredError', async () => {
  const signed = await signDeviceCertificate(user, fields);
  await assert.rejects(verifyDeviceCertificate(signed, who, 2000), ExpiredError);
  await assert.rejects(verifyDeviceCertificate(signed, who, 5000), ExpiredError);
  assert.ok(await verifyDeviceCertificate(signed, who, 1999));
});

test("signed by another user's key, issued for another user, or modified: BadSignatureError", async () => {
  const signed = await signDeviceCertificate(user, fields);
  const byEve = await signDeviceCertificate(eve, fields);
  await assert.rejects(verifyDeviceCertificate(byEve, who, 1500), BadSignatureError);
  await assert.rejects(
    verifyDeviceCertificate(signed, { userId: 'u-bob', signingKey: user.signingPublicKey }, 1500),
    BadSignatureError,
  );
  await assert.rejects(
    verifyDeviceCertificate({ ...signed, body: flipBit(signed.body, 2) }, who, 1500),
    BadSignatureError,
  );
  await assert.rejects(
    verifyDeviceCertificate({ ...signed, signature: flipBit(signed.signature, 40) }, who, 1500),
    BadSignatureError,
  );
});

test('bad shapes: MalformedError', async () => {
  await assert.rejects(signDeviceCertificate(user, { ...fields, deviceKey: filled(1, 31) }), MalformedError);
  await assert.rejects(signDeviceCertificate(user, { ...fields, expiresAtMs: 500 }), MalformedError);
  const short = await signBody(
    LABEL_DEVICE_CERTIFICATE,
    encode(v1.DeviceCertificateBody, { ...fields, deviceKey: device.publicKey.subarray(2) }),
    user.signingSecretKey,
  );
  await assert.rejects(verifyDeviceCertificate(short, who, 1500), MalformedError);
  const signed = await signDeviceCertificate(user, fields);
  await assert.rejects(
    verifyDeviceCertificate(signed, { ...who, signingKey: filled(1, 3) }, 1500),
    MalformedError,
  );
  await assert.rejects(verifyDeviceCertificate(signed, who, Number.NaN), MalformedError);
});
