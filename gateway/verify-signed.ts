/**
 * Checks a v1.Signed under a domain label before the gateway stores or trusts it.
 * Message = utf8(label) || 0x00 || body, Ed25519 (strict: no small-order or non-canonical keys).
 * @example const body = verifySignedLocal(LABEL_USER_IDENTITY, signed, identityKey);
 */
// TODO(crypto): use core/crypto verifySigned
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, equalBytes, utf8 } from '../core/bytes.ts';
import { BadSignatureError, MalformedError } from '../core/errors.ts';
import type { roomkey } from '../proto/index.ts';

export const LABEL_USER_IDENTITY = 'roomkey/v1/user-identity';
export const LABEL_DEVICE_CERTIFICATE = 'roomkey/v1/device-certificate';
export const LABEL_REFRESH = 'roomkey/v1/refresh';
export const LABEL_DEVICE_REVOCATION = 'roomkey/v1/device-revocation';

/** Returns the signed body; MalformedError for a bad shape, BadSignatureError for a bad signature. */
export function verifySignedLocal(
  label: string,
  signed: roomkey.v1.Signed.$Properties | null | undefined,
  expectedSigner?: Uint8Array,
): Uint8Array {
  const body = signed?.body;
  const signature = signed?.signature;
  const signer = signed?.signer;
  if (
    !(body instanceof Uint8Array) ||
    !(signature instanceof Uint8Array) ||
    !(signer instanceof Uint8Array)
  ) {
    throw new MalformedError(`${label}: expected a Signed with body, signature and signer`);
  }
  if (signature.length !== 64 || signer.length !== 32)
    throw new MalformedError(`${label}: bad signature or signer length`);
  if (expectedSigner && !equalBytes(signer, expectedSigner)) {
    throw new BadSignatureError(`${label}: signed by a different key than expected`);
  }
  if (!verifyDetached(signature, concatBytes(utf8(label), new Uint8Array([0]), body), signer)) {
    throw new BadSignatureError(`${label}: the signature does not verify; the object was modified or forged`);
  }
  return body;
}

/** Ed25519 verify of a labeled message made of parts; false (never a throw) for bad input. */
export function verifyLabeled(
  label: string,
  signature: unknown,
  publicKey: Uint8Array,
  ...parts: Uint8Array[]
): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  return verifyDetached(signature, concatBytes(utf8(label), new Uint8Array([0]), ...parts), publicKey);
}

function verifyDetached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
