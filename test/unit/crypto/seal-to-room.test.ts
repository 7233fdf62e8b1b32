import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex, utf8 } from '../../../core/bytes.ts';
import {
  deriveEpochKeys,
  encodeSealedToRoom,
  openSealedToRoom,
  parseSealedToRoom,
  sealToRoom,
} from '../../../core/crypto/index.ts';
import { DecryptError, MalformedError } from '../../../core/errors.ts';
import { filled, flipBit } from './_helpers.ts';

const keys = await deriveEpochKeys(filled(7), 'room-1', 4);
const plaintext = utf8('{"notice":"hello"}');

test('seal then open, from props or bytes', async () => {
  const sealed = await sealToRoom({
    roomId: 'room-1',
    epoch: 4,
    roomPublicKey: keys.roomPublicKey,
    plaintext,
  });
  assert.equal(toHex(await openSealedToRoom(sealed, keys)), toHex(plaintext));
  assert.equal(toHex(await openSealedToRoom(encodeSealedToRoom(sealed), keys)), toHex(plaintext));
  assert.deepEqual(parseSealedToRoom(encodeSealedToRoom(sealed)), sealed);
});

test('opening with the keys of another room or epoch: MalformedError before any crypto', async () => {
  const sealed = await sealToRoom({
    roomId: 'room-1',
    epoch: 4,
    roomPublicKey: keys.roomPublicKey,
    plaintext,
  });
  await assert.rejects(
    openSealedToRoom(sealed, await deriveEpochKeys(filled(7), 'room-1', 5)),
    MalformedError,
  );
});

test('a seal relabelled to another room/epoch (even with that key), or modified: DecryptError', async () => {
  const sealed = await sealToRoom({
    roomId: 'room-1',
    epoch: 4,
    roomPublicKey: keys.roomPublicKey,
    plaintext,
  });
  // Relabel to epoch 5 and try with a key that claims epoch 5 but is the real private key.
  await assert.rejects(openSealedToRoom({ ...sealed, epoch: 5 }, { ...keys, epoch: 5 }), DecryptError);
  await assert.rejects(
    openSealedToRoom({ ...sealed, roomId: 'room-2' }, { ...keys, roomId: 'room-2' }),
    DecryptError,
  );
  await assert.rejects(
    openSealedToRoom({ ...sealed, ciphertext: flipBit(sealed.ciphertext, 1) }, keys),
    DecryptError,
  );
  const other = await deriveEpochKeys(filled(8), 'room-1', 4);
  await assert.rejects(openSealedToRoom(sealed, other), DecryptError);
});

test('bad shapes: MalformedError', async () => {
  await assert.rejects(
    sealToRoom({ roomId: '', epoch: 0, roomPublicKey: keys.roomPublicKey, plaintext }),
    MalformedError,
  );
  await assert.rejects(
    sealToRoom({ roomId: 'r', epoch: -1, roomPublicKey: keys.roomPublicKey, plaintext }),
    MalformedError,
  );
  await assert.rejects(
    sealToRoom({ roomId: 'r', epoch: 0, roomPublicKey: filled(1, 8), plaintext }),
    MalformedError,
  );
  assert.throws(() => parseSealedToRoom(new Uint8Array([0x1a, 0x02, 0x00])), MalformedError);
  assert.throws(
    () => parseSealedToRoom({ roomId: 'r', epoch: 0, enc: filled(1, 31), ciphertext: filled(1, 16) }),
    MalformedError,
  );
  assert.throws(
    () => parseSealedToRoom({ roomId: 'r', epoch: 0, enc: filled(1), ciphertext: filled(1, 15) }),
    MalformedError,
  );
});
