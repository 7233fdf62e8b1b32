/**
 * Enroll tokens: a login without a device certificate (a new device that first has to restore
 * the user keys from the identity backup) gets one inside its sealed DeviceSession. It lets that
 * login register exactly one device certificate, within a few minutes, once (any gateway can
 * check it: it is sealed with a key from the server secret; its id is recorded on use).
 * @example const token = sealEnrollToken(keys, userId, now); const { userId } = await consumeEnrollToken(ctx, token);
 */
import type { KV } from '@nats-io/kv';
import { randomBytes } from '@noble/ciphers/utils.js';
import { toHex, utf8 } from '../core/bytes.ts';
import { decode, encode } from '../core/codec.ts';
import { ExpiredError, MalformedError } from '../core/errors.ts';
import { v1 } from '../proto/index.ts';
import { markUsedOnce } from './sealed-kv.ts';
import { openRecord, type ServerKeys, sealRecord } from './server-keys.ts';

const AAD = utf8('roomkey/v1/enroll-token');
export const ENROLL_TOKEN_LIFETIME_MS = 5 * 60_000;
const MAX_TOKEN_BYTES = 512;

/**
 * A fresh enroll token for `userId`.
 * @example const token = sealEnrollToken(ctx.keys, userId, ctx.now());
 */
export function sealEnrollToken(keys: ServerKeys, userId: string, now: number): Uint8Array {
  const token = encode(v1.EnrollToken, {
    tokenId: randomBytes(16),
    userId,
    expiresAtMs: now + ENROLL_TOKEN_LIFETIME_MS,
  });
  return sealRecord(keys.enrollTokens, token, AAD);
}

/** Opens, checks and uses up a token (single use across gateways); returns its user id. */
export async function consumeEnrollToken(
  keys: ServerKeys,
  usedIds: KV,
  sealed: unknown,
  now: number,
): Promise<string> {
  if (!(sealed instanceof Uint8Array) || sealed.length === 0 || sealed.length > MAX_TOKEN_BYTES) {
    throw new MalformedError('enroll_token: missing or of the wrong size; sign in again');
  }
  let plain: Uint8Array;
  try {
    plain = openRecord(keys.enrollTokens, sealed, AAD, 'enroll_token');
  } catch {
    throw new MalformedError('enroll_token: not issued by this deployment (or modified); sign in again');
  }
  const token = decode(v1.EnrollToken, plain, 'enroll token');
  if (!(token.tokenId instanceof Uint8Array) || token.tokenId.length !== 16 || !token.userId) {
    throw new MalformedError('enroll_token: incomplete');
  }
  if (Number(token.expiresAtMs) <= now) throw new ExpiredError('enroll_token expired: sign in again');
  await markUsedOnce(
    usedIds,
    `enroll.${toHex(token.tokenId)}`,
    'enroll_token was already used: sign in again',
  );
  return token.userId;
}
