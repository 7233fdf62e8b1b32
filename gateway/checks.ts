/**
 * Field checks for hostile requests: each failure is a MalformedError naming the field, and the
 * identity and device-certificate checks verify signatures before anything is trusted or stored.
 */

import { equalBytes } from '../core/bytes.ts';
import { decode } from '../core/codec.ts';
import { BadSignatureError, ExpiredError, MalformedError } from '../core/errors.ts';
import { isReplyKey } from '../core/transport/reply-seal.ts';
import { type roomkey, v1 } from '../proto/index.ts';
import type { Call } from './service.ts';
import { LABEL_DEVICE_CERTIFICATE, LABEL_USER_IDENTITY, verifySignedLocal } from './verify-signed.ts';

/** User ids are chosen by the client at sign-up; they become KV keys and JWT names. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_DEVICE_NAME = 128;

/** Reads the request's reply key and arms sealing of every later reply (errors included). */
export function takeReplyKey(call: Call, replyKey: unknown): void {
  if (!isReplyKey(replyKey)) throw new MalformedError('reply_key: expected 32 random bytes');
  call.replyKey = replyKey;
}

export function requireBytes(value: unknown, min: number, max: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    throw new MalformedError(
      min === max ? `${what}: expected ${min} bytes` : `${what}: expected ${min} to ${max} bytes`,
    );
  }
  return value;
}

export function requireUserId(value: unknown, what = 'user_id'): string {
  if (typeof value !== 'string' || !USER_ID_PATTERN.test(value)) {
    throw new MalformedError(`${what}: 8 to 64 of letters, digits, '_' and '-'`);
  }
  return value;
}

export interface CheckedIdentity {
  signed: roomkey.v1.Signed.$Properties;
  body: roomkey.v1.UserIdentityBody;
}

/** A self-signed UserIdentityBody: signer = its own signing key, well-formed keys and id. */
export function checkIdentity(signed: roomkey.v1.Signed.$Properties | null | undefined): CheckedIdentity {
  if (!signed) throw new MalformedError('identity: missing');
  const bodyBytes = verifySignedLocal(LABEL_USER_IDENTITY, signed);
  const body = decode(v1.UserIdentityBody, bodyBytes, 'user identity');
  requireUserId(body.userId, 'identity user_id');
  requireBytes(body.signingKey, 32, 32, 'identity signing_key');
  requireBytes(body.hpkeKey, 32, 32, 'identity hpke_key');
  if (!equalBytes(body.signingKey, signed.signer!)) {
    throw new BadSignatureError('identity: must be signed by the signing key it names');
  }
  return { signed: { body: signed.body, signature: signed.signature, signer: signed.signer }, body };
}

/** A DeviceCertificateBody signed by `identity`'s signing key, for that user, not expired. */
export function checkDeviceCertificate(
  signed: roomkey.v1.Signed.$Properties | null | undefined,
  identity: roomkey.v1.UserIdentityBody,
  now: number,
): roomkey.v1.DeviceCertificateBody {
  if (!signed) throw new MalformedError('device_certificate: missing');
  const bodyBytes = verifySignedLocal(LABEL_DEVICE_CERTIFICATE, signed, identity.signingKey);
  const body = decode(v1.DeviceCertificateBody, bodyBytes, 'device certificate');
  if (body.userId !== identity.userId)
    throw new MalformedError('device_certificate: issued for another user');
  requireBytes(body.deviceKey, 32, 32, 'device_certificate device_key');
  if (typeof body.deviceName !== 'string' || body.deviceName.length > MAX_DEVICE_NAME) {
    throw new MalformedError(`device_certificate device_name: at most ${MAX_DEVICE_NAME} characters`);
  }
  const expires = Number(body.expiresAtMs ?? 0);
  if (expires !== 0 && expires <= now)
    throw new ExpiredError('device_certificate has expired: certify the device again');
  return body;
}

/** Decodes a user record's identity (stored after verification, so only the shape is checked). */
export function storedIdentity(record: roomkey.v1.UserRecord): roomkey.v1.UserIdentityBody {
  const body = record.identity?.body;
  if (!(body instanceof Uint8Array)) throw new MalformedError('stored user record has no identity');
  return decode(v1.UserIdentityBody, body, 'stored user identity');
}
