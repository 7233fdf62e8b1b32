/**
 * User identity: an Ed25519 signing key and an X25519 HPKE key, published as a UserIdentityBody
 * signed by the signing key itself (self-certifying; label "roomkey/v1/user-identity").
 * @example const keys = await createUserKeys(); const signed = await signUserIdentity(keys, { userId, username, createdAtMs: Date.now() });
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { equalBytes } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { BadSignatureError } from '../errors.ts';
import { copyBytes, requireBytes, requireId, requireText, requireTime } from './_checks.ts';
import { HPKE_PUBLIC_KEY_BYTES, hpkeDeriveKeyPair } from './hpke.ts';
import { LABEL_USER_IDENTITY } from './labels.ts';
import { randomBytes } from './random.ts';
import {
  ED25519_PUBLIC_KEY_BYTES,
  requireSigningPublicKey,
  type SignOptions,
  signingKeyPair,
} from './sign.ts';
import { decodeSigned, type SignedProps, signBody, verifySigned } from './signed.ts';

/** Usernames are display handles; 256 UTF-8 bytes is ample. */
export const MAX_USERNAME_BYTES = 256;

/** A user's secret and public keys. Secret halves never leave the user's devices. */
export interface UserKeys {
  /** Ed25519 seed, 32 bytes. */
  signingSecretKey: Uint8Array;
  signingPublicKey: Uint8Array;
  /** X25519 private key (RFC 9180 DeriveKeyPair of the HPKE seed), 32 bytes. */
  hpkePrivateKey: Uint8Array;
  hpkePublicKey: Uint8Array;
}

/** The verified content of a UserIdentityBody. */
export interface UserIdentity {
  userId: string;
  username: string;
  signingKey: Uint8Array;
  hpkeKey: Uint8Array;
  createdAtMs: number;
}

/**
 * User keys from two 32-byte seeds (deterministic: the same seeds give the same keys), or random.
 * @example const keys = await createUserKeys({ signingSeed, hpkeSeed });
 */
export async function createUserKeys(seeds?: {
  signingSeed: Uint8Array;
  hpkeSeed: Uint8Array;
}): Promise<UserKeys> {
  const signingSeed = seeds ? requireBytes(seeds.signingSeed, 32, 'signing seed') : randomBytes(32);
  const hpkeSeed = seeds ? requireBytes(seeds.hpkeSeed, 32, 'HPKE seed') : randomBytes(32);
  const signing = signingKeyPair(signingSeed);
  const hpke = await hpkeDeriveKeyPair(hpkeSeed);
  return {
    signingSecretKey: signing.secretKey,
    signingPublicKey: signing.publicKey,
    hpkePrivateKey: hpke.privateKey,
    hpkePublicKey: hpke.publicKey,
  };
}

/**
 * Signs the public identity of `keys` (a v1.Signed over an encoded UserIdentityBody).
 * @example const signed = await signUserIdentity(keys, { userId: 'u1', username: 'ada', createdAtMs: 0 });
 */
export async function signUserIdentity(
  keys: UserKeys,
  fields: { userId: string; username: string; createdAtMs: number },
  options?: SignOptions,
): Promise<SignedProps> {
  const body = encode(v1.UserIdentityBody, {
    userId: requireId(fields.userId, 'user id'),
    username: requireText(fields.username, MAX_USERNAME_BYTES, 'username'),
    signingKey: requireSigningPublicKey(keys.signingPublicKey, 'signing public key'),
    hpkeKey: requireBytes(keys.hpkePublicKey, HPKE_PUBLIC_KEY_BYTES, 'HPKE public key'),
    createdAtMs: requireTime(fields.createdAtMs, 'created at'),
  });
  return signBody(LABEL_USER_IDENTITY, body, keys.signingSecretKey, options);
}

/**
 * Verifies a signed identity: the signer passes the strict Ed25519 key rule, then signature, field
 * lengths, and signer == body.signing_key.
 * MalformedError for bad shapes or an unusable key, BadSignatureError for a bad signature or foreign signer.
 * @example const identity = await verifyUserIdentity(signed, { expectedUserId: 'u1' });
 */
export async function verifyUserIdentity(
  signed: roomkey.v1.ISigned | Uint8Array,
  options?: SignOptions & { expectedUserId?: string },
): Promise<UserIdentity> {
  const checked = signed instanceof Uint8Array ? decodeSigned(signed, 'user identity') : signed;
  // Checked before the signature so a small- or mixed-order key gets a refusal that says so.
  requireSigningPublicKey(checked?.signer, 'user identity: signing key');
  const bodyBytes = await verifySigned(LABEL_USER_IDENTITY, checked, options);
  const body = decode(v1.UserIdentityBody, bodyBytes, 'user identity');
  const identity: UserIdentity = {
    userId: requireId(body.userId, 'user identity: user id'),
    username: requireText(body.username, MAX_USERNAME_BYTES, 'user identity: username'),
    signingKey: copyBytes(body.signingKey, ED25519_PUBLIC_KEY_BYTES, 'user identity: signing key'),
    hpkeKey: copyBytes(body.hpkeKey, HPKE_PUBLIC_KEY_BYTES, 'user identity: HPKE key'),
    createdAtMs: requireTime(body.createdAtMs, 'user identity: created at'),
  };
  if (!equalBytes(checked.signer!, identity.signingKey)) {
    throw new BadSignatureError('user identity: not signed by its own signing key.');
  }
  if (options?.expectedUserId !== undefined && identity.userId !== options.expectedUserId) {
    throw new BadSignatureError(
      `user identity: made for user ${identity.userId}, not ${options.expectedUserId}.`,
    );
  }
  return identity;
}
