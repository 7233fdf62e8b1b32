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
import { publicKeyWithTorsion, TORSION_8, withSignBitSet } from '../../vectors/ed25519-forge.ts';
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

test('a device key of small or mixed order, or not canonical, is refused when certified and when checked', async () => {
  const weakKeys = [
    TORSION_8.toBytes(), // order 8
    publicKeyWithTorsion(filled(5), TORSION_8), // the device's own key plus a torsion component
    withSignBitSet(TORSION_8.double().double().toBytes()), // (0, -1) with the sign bit: non-canonical
  ];
  for (const deviceKey of weakKeys) {
    await assert.rejects(signDeviceCertificate(user, { ...fields, deviceKey }), MalformedError);
    // Signed by the real user key, so the signature is fine: only the key check can refuse it.
    const signed = await signBody(
      LABEL_DEVICE_CERTIFICATE,
      encode(v1.DeviceCertificateBody, { ...fields, deviceKey }),
      user.signingSecretKey,
    );
    for (const backend of BACKENDS) {
      await assert.rejects(verifyDeviceCertificate(signed, who, 1500, { backend }), (e: unknown) => {
        assert.ok(e instanceof MalformedError, String(e));
        assert.match(e.message, /^device certificate: device key: not a usable Ed25519 public key/);
        return true;
      });
    }
  }
  // The user key it is checked against must pass the same rule.
  const signed = await signDeviceCertificate(user, fields);
  await assert.rejects(
    verifyDeviceCertificate(signed, { ...who, signingKey: publicKeyWithTorsion(filled(1), TORSION_8) }, 1500),
    MalformedError,
  );
});
