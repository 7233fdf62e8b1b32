import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex, utf8 } from '../../../core/bytes.ts';
import {
  deriveEpochKeys,
  deriveMessageKey,
  generateEpochSecret,
  hpkeOpen,
  hpkeSeal,
} from '../../../core/crypto/index.ts';
import { MalformedError } from '../../../core/errors.ts';
import { filled } from './_helpers.ts';

const secret = filled(0x42);

test('derivation is deterministic and matches the separate message-key function', async () => {
  const a = await deriveEpochKeys(secret, 'room-1', 3);
  assert.deepEqual(await deriveEpochKeys(secret, 'room-1', 3), a);
  assert.equal(toHex(deriveMessageKey(secret, 'room-1', 3)), toHex(a.messageKey));
  assert.equal(a.messageKey.length, 32);
  assert.equal(a.roomPublicKey.length, 32);
});

test('keys are bound to secret, room and epoch (no two of these inputs share a key)', async () => {
  const variants = await Promise.all([
    deriveEpochKeys(secret, 'room-1', 3),
    deriveEpochKeys(secret, 'room-1', 4),
    deriveEpochKeys(secret, 'room-2', 3),
    deriveEpochKeys(filled(0x43), 'room-1', 3),
  ]);
  const all = variants.flatMap((k) => [toHex(k.messageKey), toHex(k.roomPublicKey), toHex(k.roomPrivateKey)]);
  assert.equal(new Set(all).size, all.length);
});

test('the room key pair is a working HPKE key pair', async () => {
  const keys = await deriveEpochKeys(generateEpochSecret(), 'room-1', 0);
  const sealed = await hpkeSeal(keys.roomPublicKey, utf8('x'), utf8('i'));
  assert.equal(
    toHex(await hpkeOpen(keys.roomPrivateKey, sealed.enc, sealed.ciphertext, utf8('i'))),
    toHex(utf8('x')),
  );
});

test('bad secret, room id or epoch: MalformedError', async () => {
  await assert.rejects(deriveEpochKeys(filled(1, 31), 'room-1', 0), MalformedError);
  await assert.rejects(deriveEpochKeys(secret, '', 0), MalformedError);
  for (const epoch of [-1, 1.5, 2 ** 32, Number.NaN]) {
    assert.throws(() => deriveMessageKey(secret, 'room-1', epoch), MalformedError);
  }
  assert.ok(deriveMessageKey(secret, 'room-1', 2 ** 32 - 1));
});
