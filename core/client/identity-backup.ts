/**
 * The identity backup: the user's two secret keys sealed with a key only the password holder can
 * derive, so the same username and password work on a new device without pairing.
 *   key  = HKDF-SHA256(ikm = OPAQUE export_key, salt = "roomkey/v1/identity-backup", info = user id, 32 bytes)
 *   aad  = "roomkey/v1/identity-backup" || 0x00 || user id
 *   blob = SealedIdentityBackup { version 1, nonce (24 random bytes), XChaCha20-Poly1305(key, nonce, IdentityBackup, aad) }
 * OPAQUE's export key is derived from the password and the server's OPRF key on the client only;
 * the gateway stores the blob and returns it inside the login's sealed DeviceSession, never able
 * to open it. A restored key pair must match the signed identity's public keys.
 * @example const blob = sealIdentityBackup(exportKey, userId, keys); const keys2 = await openIdentityBackup(exportKey, identity, blob);
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { concatBytes, equalBytes, utf8 } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import {
  aeadOpen,
  aeadSeal,
  hpkePublicKey,
  randomNonce,
  signingPublicKey,
  type UserIdentity,
  type UserKeys,
} from '../crypto/index.ts';
import { BadSignatureError, MalformedError, UnsupportedError } from '../errors.ts';

/** HKDF salt and AAD prefix of the identity backup. */
export const LABEL_IDENTITY_BACKUP = 'roomkey/v1/identity-backup';
const VERSION = 1;

function backupKey(exportKey: Uint8Array, userId: string): Uint8Array {
  if (!(exportKey instanceof Uint8Array) || exportKey.length < 32) {
    throw new MalformedError('OPAQUE export key: expected at least 32 bytes');
  }
  return hkdf(sha256, exportKey, utf8(LABEL_IDENTITY_BACKUP), utf8(userId), 32);
}

function aad(userId: string): Uint8Array {
  return concatBytes(utf8(LABEL_IDENTITY_BACKUP), new Uint8Array([0]), utf8(userId));
}

/**
 * Seals the user's secret keys for `userId` under the OPAQUE export key.
 * @example const identityBackup = sealIdentityBackup(exportKey, userId, userKeys);
 */
export function sealIdentityBackup(
  exportKey: Uint8Array,
  userId: string,
  keys: Pick<UserKeys, 'signingSecretKey' | 'hpkePrivateKey'>,
): roomkey.v1.SealedIdentityBackup.$Properties {
  const plain = encode(v1.IdentityBackup, {
    version: VERSION,
    signingSecret: keys.signingSecretKey,
    hpkeSecret: keys.hpkePrivateKey,
  });
  const nonce = randomNonce();
  return {
    version: VERSION,
    nonce,
    ciphertext: aeadSeal(backupKey(exportKey, userId), nonce, plain, aad(userId)),
  };
}

/**
 * Opens a backup and checks the keys inside belong to `identity` (a verified identity).
 * DecryptError when the export key is not the one it was sealed with (another password).
 * @example const keys = openIdentityBackup(session.exportKey, identity, session.identityBackup);
 */
export function openIdentityBackup(
  exportKey: Uint8Array,
  identity: UserIdentity,
  sealed: roomkey.v1.SealedIdentityBackup.$Properties | null | undefined,
): UserKeys {
  if (!sealed?.nonce || !sealed.ciphertext) {
    throw new UnsupportedError(
      'This account has no identity backup (it was made before backups existed): pair this device from one that is signed in.',
    );
  }
  if (sealed.version !== VERSION)
    throw new MalformedError(`identity backup: unknown version ${sealed.version}`);
  const plain = aeadOpen(
    backupKey(exportKey, identity.userId),
    sealed.nonce,
    sealed.ciphertext,
    aad(identity.userId),
  );
  const backup = decode(v1.IdentityBackup, plain, 'identity backup');
  const signingSecretKey = backup.signingSecret;
  const hpkePrivateKey = backup.hpkeSecret;
  if (signingSecretKey?.length !== 32 || hpkePrivateKey?.length !== 32) {
    throw new MalformedError('identity backup: keys of the wrong size');
  }
  const keys: UserKeys = {
    signingSecretKey: signingSecretKey.slice(),
    signingPublicKey: signingPublicKey(signingSecretKey),
    hpkePrivateKey: hpkePrivateKey.slice(),
    hpkePublicKey: hpkePublicKey(hpkePrivateKey),
  };
  if (
    !equalBytes(keys.signingPublicKey, identity.signingKey) ||
    !equalBytes(keys.hpkePublicKey, identity.hpkeKey)
  ) {
    throw new BadSignatureError('identity backup: the keys inside do not belong to this identity');
  }
  return keys;
}
