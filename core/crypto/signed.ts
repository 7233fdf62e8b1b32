/**
 * The `Signed` wrapper (common.proto): exact body bytes + signature + signer. The signature covers
 * utf8(label) || 0x00 || body, so a body signed for one purpose is never valid for another, and a
 * verifier checks the bytes it received without re-encoding anything.
 * @example const body = await verifySigned(LABEL_USER_IDENTITY, signed);
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { equalBytes } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { BadSignatureError, MalformedError } from '../errors.ts';
import { copyBytes, plainBytes, requireBytes } from './_checks.ts';
import {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  labeledMessage,
  type SignOptions,
  sign,
  signingPublicKey,
  verify,
} from './sign.ts';

/** The fields of a v1.Signed, all present. */
export interface SignedProps {
  body: Uint8Array;
  signature: Uint8Array;
  signer: Uint8Array;
}

export interface VerifySignedOptions extends SignOptions {
  /** Reject (BadSignatureError) unless this key is the signer. */
  expectedSigner?: Uint8Array;
}

/**
 * Signs `body` under `label` with the 32-byte seed `secretKey`; returns v1.Signed props.
 * @example const signed = await signBody(LABEL_USER_IDENTITY, body, user.signingSecretKey);
 */
export async function signBody(
  label: string,
  body: Uint8Array,
  secretKey: Uint8Array,
  options?: SignOptions,
): Promise<SignedProps> {
  requireBytes(body, {}, 'signed body');
  const signature = await sign(labeledMessage(label, body), secretKey, options);
  return { body: plainBytes(body), signature, signer: signingPublicKey(secretKey) };
}

/**
 * Decodes a v1.Signed from bytes (hostile input: MalformedError, never another exception).
 * @example const signed = decodeSigned(bytes);
 */
export function decodeSigned(bytes: Uint8Array, what = 'signed object'): SignedProps {
  return checkShape(decode(v1.Signed, bytes, what), what);
}

/**
 * Encodes Signed props to the bytes that travel and that the commit hash chain hashes.
 * @example const parentHash = sha256(encodeSigned(signed));
 */
export function encodeSigned(signed: SignedProps): Uint8Array {
  const checked = checkShape(signed, 'signed object');
  return encode(v1.Signed, { body: checked.body, signature: checked.signature, signer: checked.signer });
}

function checkShape(signed: roomkey.v1.ISigned, what: string): SignedProps {
  if (signed === null || typeof signed !== 'object') throw new MalformedError(`${what}: expected a Signed`);
  return {
    body: copyBytes(signed.body ?? new Uint8Array(0), {}, `${what} body`),
    signature: copyBytes(signed.signature, ED25519_SIGNATURE_BYTES, `${what} signature`),
    signer: copyBytes(signed.signer, ED25519_PUBLIC_KEY_BYTES, `${what} signer`),
  };
}

/**
 * Verifies a Signed (props or encoded bytes) under `label`; returns the body bytes.
 * Wrong lengths or bad encoding: MalformedError. Wrong signature or signer: BadSignatureError.
 * @example const body = await verifySigned(LABEL_DEVICE_CERTIFICATE, signed, { expectedSigner: userKey });
 */
export async function verifySigned(
  label: string,
  signed: roomkey.v1.ISigned | Uint8Array,
  options?: VerifySignedOptions,
): Promise<Uint8Array> {
  const checked = signed instanceof Uint8Array ? decodeSigned(signed, label) : checkShape(signed, label);
  if (options?.expectedSigner !== undefined) {
    requireBytes(options.expectedSigner, ED25519_PUBLIC_KEY_BYTES, 'expected signer');
    if (!equalBytes(checked.signer, options.expectedSigner)) {
      throw new BadSignatureError(`${label}: signed by a different key than expected.`);
    }
  }
  const valid = await verify(checked.signature, labeledMessage(label, checked.body), checked.signer, options);
  if (!valid)
    throw new BadSignatureError(
      `${label}: the signature does not verify; the object was modified or forged.`,
    );
  return checked.body;
}
