/**
 * Field checks for hostile requests: each failure is a MalformedError naming the field, and the
 * identity and device-certificate checks verify signatures before anything is trusted or stored.
 * Every Ed25519 key they pass (identity signing key, device key) meets core/crypto's strict rule:
 * a small-order, mixed-order or non-canonical key is a MalformedError, so no such key is registered.
 */

import { decode } from '../core/codec.ts';
import {
  type DeviceCertificate,
  type UserIdentity,
  verifyDeviceCertificate,
  verifyUserIdentity,
} from '../core/crypto/index.ts';
import { MalformedError } from '../core/errors.ts';
import { isReplyKey } from '../core/transport/index.ts';
import { type roomkey, v1 } from '../proto/index.ts';
import type { Call } from './service.ts';

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
  body: UserIdentity;
}

/** A self-signed UserIdentityBody (core/crypto: strict signing key) whose user id is KV- and JWT-safe. */
export async function checkIdentity(
  signed: roomkey.v1.Signed.$Properties | null | undefined,
): Promise<CheckedIdentity> {
  if (!signed) throw new MalformedError('identity: missing');
  const body = await verifyUserIdentity(signed);
  requireUserId(body.userId, 'identity user_id');
  return { signed: signedOf(signed), body };
}

/** A DeviceCertificateBody signed by `identity`'s signing key, for that user, not expired, strict device key. */
export async function checkDeviceCertificate(
  signed: roomkey.v1.Signed.$Properties | null | undefined,
  identity: { userId: string; signingKey: Uint8Array },
  now: number,
): Promise<DeviceCertificate> {
  if (!signed) throw new MalformedError('device_certificate: missing');
  const body = await verifyDeviceCertificate(signed, identity, now);
  if (body.deviceName.length > MAX_DEVICE_NAME) {
    throw new MalformedError(`device_certificate device_name: at most ${MAX_DEVICE_NAME} characters`);
  }
  return body;
}

/** Decodes a user record's identity (stored after verification, so only the shape is checked). */
export function storedIdentity(record: roomkey.v1.UserRecord): roomkey.v1.UserIdentityBody {
  const body = record.identity?.body;
  if (!(body instanceof Uint8Array)) throw new MalformedError('stored user record has no identity');
  return decode(v1.UserIdentityBody, body, 'stored user identity');
}

/** Copies the three fields of a Signed (drops anything else a decoder attached). */
export function signedOf(signed: roomkey.v1.Signed.$Properties): roomkey.v1.Signed.$Properties {
  return { body: signed.body, signature: signed.signature, signer: signed.signer };
}

/** A sealed identity backup is opaque to the gateway: only its shape and size are checked. */
export function checkIdentityBackup(
  backup: roomkey.v1.SealedIdentityBackup.$Properties | null | undefined,
): roomkey.v1.SealedIdentityBackup.$Properties | undefined {
  if (!backup) return undefined;
  if (backup.version !== 1) throw new MalformedError('identity_backup: unknown version');
  requireBytes(backup.nonce, 24, 24, 'identity_backup nonce');
  requireBytes(backup.ciphertext, 16, 1024, 'identity_backup ciphertext');
  return { version: 1, nonce: backup.nonce, ciphertext: backup.ciphertext };
}

/** Runs an OPAQUE library step; its exceptions (bad encodings, bad points) become MalformedError. */
export function opaqueCall<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (cause) {
    throw new MalformedError(`${what}: not a valid OPAQUE message`, { cause });
  }
}
