// Device names sealed to the user's HPKE key: any holder of the identity key opens them; a name
// moved to another device or user, changed, or malformed is refused with a typed error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8 } from '../../../core/bytes.ts';
import {
  cleanDeviceName,
  createUserKeys,
  MAX_SEALED_DEVICE_NAME_BYTES,
  openDeviceName,
  randomBytes,
  sealDeviceName,
} from '../../../core/crypto/index.ts';
import { DecryptError, MalformedError, TooLargeError } from '../../../core/errors.ts';
import { v1 } from '../../../proto/index.ts';

const alice = await createUserKeys();
const bob = await createUserKeys();
const deviceKey = randomBytes(32);
const context = { userId: 'user-alice', deviceKey };
const opener = { ...context, userHpkePrivateKey: alice.hpkePrivateKey };
const seal = (name: string) => sealDeviceName({ ...context, userHpkePublicKey: alice.hpkePublicKey, name });

test('a sealed name opens with the user key, and holds no plaintext', async () => {
  const sealed = await seal('  Firefox   on Linux ');
  assert.equal(await openDeviceName(sealed, opener), 'Firefox on Linux');
  assert.equal(Buffer.from(sealed).includes(Buffer.from('Firefox')), false);
  assert.ok(sealed.length <= MAX_SEALED_DEVICE_NAME_BYTES);
  assert.ok((await seal('é'.repeat(64))).length <= MAX_SEALED_DEVICE_NAME_BYTES, 'the longest name fits');
});

test('a name moved to another device, another user, or opened by another user is refused', async () => {
  const sealed = await seal('laptop');
  await assert.rejects(openDeviceName(sealed, { ...opener, deviceKey: randomBytes(32) }), DecryptError);
  await assert.rejects(openDeviceName(sealed, { ...opener, userId: 'user-bob' }), DecryptError);
  await assert.rejects(
    openDeviceName(sealed, { ...opener, userHpkePrivateKey: bob.hpkePrivateKey }),
    DecryptError,
  );
});

test('hostile bytes get a typed error, never a crash', async () => {
  const sealed = await seal('laptop');
  const flipped = sealed.slice();
  flipped[flipped.length - 1]! ^= 1;
  await assert.rejects(openDeviceName(flipped, opener), DecryptError);
  await assert.rejects(openDeviceName(new Uint8Array([0xff, 0xff, 0xff]), opener), MalformedError);
  await assert.rejects(
    openDeviceName(new Uint8Array(MAX_SEALED_DEVICE_NAME_BYTES + 1), opener),
    TooLargeError,
  );
  const fields = v1.SealedDeviceName.decode(sealed);
  const shortEnc = v1.SealedDeviceName.encode({
    enc: fields.enc.subarray(0, 31),
    ciphertext: fields.ciphertext,
  }).finish();
  await assert.rejects(openDeviceName(shortEnc, opener), MalformedError);
  const noCiphertext = v1.SealedDeviceName.encode({ enc: fields.enc }).finish();
  await assert.rejects(openDeviceName(noCiphertext, opener), MalformedError);
  // Sealed by someone holding the public key, but not a name: control characters, or not UTF-8.
  const { hpkeSeal } = await import('../../../core/crypto/index.ts');
  const aad = new Uint8Array([...deviceKey, ...utf8('user-alice')]);
  for (const bad of [utf8('a\u0007b'), new Uint8Array([0xc3, 0x28]), utf8('')]) {
    const raw = await hpkeSeal(alice.hpkePublicKey, bad, utf8('roomkey/v1/device-name'), aad);
    await assert.rejects(openDeviceName(v1.SealedDeviceName.encode(raw).finish(), opener), MalformedError);
  }
});

test('names people type are cleaned; empty and too long ones are refused in words', () => {
  assert.equal(cleanDeviceName(' work\tlaptop\n'), 'work laptop');
  assert.throws(() => cleanDeviceName('   '), /cannot be empty/);
  assert.throws(() => cleanDeviceName('x'.repeat(65)), /at most 64 characters/);
  assert.equal(cleanDeviceName('😀'.repeat(64)).length, 128, '64 characters, counted as people count them');
});
