// The identity backup (core/client/identity-backup.ts): sealed under the OPAQUE export key, bound
// to the user id, and restored only into keys that match the signed identity.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openIdentityBackup, sealIdentityBackup } from '../../../core/client/identity-backup.ts';
import {
  createUserKeys,
  randomBytes,
  signUserIdentity,
  verifyUserIdentity,
} from '../../../core/crypto/index.ts';
import { BadSignatureError, DecryptError, UnsupportedError } from '../../../core/errors.ts';

async function user(userId: string) {
  const keys = await createUserKeys();
  const identity = await verifyUserIdentity(
    await signUserIdentity(keys, { userId, username: userId, createdAtMs: 1 }),
  );
  return { keys, identity };
}

describe('identity backup', () => {
  it('round-trips the user keys with the same export key', async () => {
    const { keys, identity } = await user('u-backup-1');
    const exportKey = randomBytes(64);
    const sealed = sealIdentityBackup(exportKey, identity.userId, keys);
    assert.equal(sealed.nonce?.length, 24);
    const restored = openIdentityBackup(exportKey, identity, sealed);
    assert.deepEqual(restored, keys);
  });

  it('does not open with another export key (another password)', async () => {
    const { keys, identity } = await user('u-backup-2');
    const sealed = sealIdentityBackup(randomBytes(64), identity.userId, keys);
    assert.throws(() => openIdentityBackup(randomBytes(64), identity, sealed), DecryptError);
  });

  it('is bound to its user id and to the identity keys', async () => {
    const a = await user('u-backup-a');
    const b = await user('u-backup-b');
    const exportKey = randomBytes(64);
    // Moved to another user id: the AAD differs.
    assert.throws(
      () =>
        openIdentityBackup(exportKey, b.identity, sealIdentityBackup(exportKey, a.identity.userId, a.keys)),
      DecryptError,
    );
    // Sealed for b's id but holding a's keys: they do not match b's identity.
    assert.throws(
      () =>
        openIdentityBackup(exportKey, b.identity, sealIdentityBackup(exportKey, b.identity.userId, a.keys)),
      BadSignatureError,
    );
  });

  it('says what to do when an account has no backup', async () => {
    const { identity } = await user('u-backup-3');
    assert.throws(() => openIdentityBackup(randomBytes(64), identity, undefined), UnsupportedError);
  });
});
