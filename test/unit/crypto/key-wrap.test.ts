import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../../core/bytes.ts';
import { createUserKeys, unwrapEpochSecrets, wrapEpochSecrets } from '../../../core/crypto/index.ts';
import { DecryptError, MalformedError } from '../../../core/errors.ts';
import { filled, flipBit } from './_helpers.ts';

const bob = await createUserKeys({ signingSeed: filled(1), hpkeSeed: filled(2) });
const eve = await createUserKeys({ signingSeed: filled(3), hpkeSeed: filled(4) });
const context = { roomId: 'room-1', epoch: 2, recipientUserId: 'u-bob' };
const secrets = [
  { epoch: 2, secret: filled(0x22) },
  { epoch: 0, secret: filled(0x20) },
  { epoch: 1, secret: filled(0x21) },
];
const mine = { ...context, recipientHpkePrivateKey: bob.hpkePrivateKey };

test('wrap then unwrap returns the secrets sorted by epoch', async () => {
  const wrap = await wrapEpochSecrets({ ...context, recipientHpkeKey: bob.hpkePublicKey, secrets });
  assert.equal(wrap.recipientUserId, 'u-bob');
  const out = await unwrapEpochSecrets(wrap, mine);
  assert.deepEqual(
    out.map((s) => [s.epoch, toHex(s.secret)]),
    [0, 1, 2].map((e) => [e, toHex(filled(0x20 + e))]),
  );
});

test('a wrap moved to another room or epoch, or opened by another key: DecryptError', async () => {
  const wrap = await wrapEpochSecrets({ ...context, recipientHpkeKey: bob.hpkePublicKey, secrets });
  await assert.rejects(unwrapEpochSecrets(wrap, { ...mine, roomId: 'room-2' }), DecryptError);
  await assert.rejects(unwrapEpochSecrets(wrap, { ...mine, epoch: 3 }), DecryptError);
  await assert.rejects(
    unwrapEpochSecrets(wrap, { ...mine, recipientHpkePrivateKey: eve.hpkePrivateKey }),
    DecryptError,
  );
  await assert.rejects(
    unwrapEpochSecrets({ ...wrap, ciphertext: flipBit(wrap.ciphertext, 7) }, mine),
    DecryptError,
  );
  await assert.rejects(unwrapEpochSecrets({ ...wrap, enc: flipBit(wrap.enc, 7) }, mine), DecryptError);
});

test('a wrap relabelled to another recipient fails: either by name (Malformed) or by AAD (Decrypt)', async () => {
  const wrap = await wrapEpochSecrets({ ...context, recipientHpkeKey: bob.hpkePublicKey, secrets });
  await assert.rejects(unwrapEpochSecrets({ ...wrap, recipientUserId: 'u-eve' }, mine), MalformedError);
  await assert.rejects(
    unwrapEpochSecrets({ ...wrap, recipientUserId: 'u-eve' }, { ...mine, recipientUserId: 'u-eve' }),
    DecryptError,
  );
});

test('bad secret lists: MalformedError', async () => {
  const wrapWith = (list: typeof secrets) =>
    wrapEpochSecrets({ ...context, recipientHpkeKey: bob.hpkePublicKey, secrets: list });
  await assert.rejects(wrapWith([]), MalformedError);
  await assert.rejects(wrapWith([{ epoch: 1, secret: filled(1) }]), MalformedError); // lacks epoch 2
  await assert.rejects(wrapWith([...secrets, { epoch: 3, secret: filled(1) }]), MalformedError); // later epoch
  await assert.rejects(wrapWith([...secrets, { epoch: 1, secret: filled(1) }]), MalformedError); // duplicate
  await assert.rejects(wrapWith([{ epoch: 2, secret: filled(1, 16) }]), MalformedError);
  await assert.rejects(
    wrapEpochSecrets({ ...context, recipientHpkeKey: filled(1, 31), secrets }),
    MalformedError,
  );
  const wrap = await wrapEpochSecrets({ ...context, recipientHpkeKey: bob.hpkePublicKey, secrets });
  await assert.rejects(unwrapEpochSecrets({ ...wrap, enc: wrap.enc.subarray(1) }, mine), MalformedError);
  await assert.rejects(unwrapEpochSecrets(null as never, mine), MalformedError);
});
