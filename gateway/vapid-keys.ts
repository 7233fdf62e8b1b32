/**
 * The deployment's VAPID key pair (RFC 8292), derived from the server secret (HKDF-SHA256 with its
 * own info string, then noble's seed-to-scalar map for P-256). Derived, not stored: every gateway
 * of a deployment has the same pair without coordinating, an existing deployment gains it at its
 * next start, and it changes only if the server secret does (which would also strand every push
 * subscription, since browsers bind a subscription to the key they were given).
 * @example const { publicKey, privateKey } = vapidKeys(fromHex(stack.secrets.serverSecret));
 */
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8 } from '../core/bytes.ts';

export interface VapidKeys {
  /** Uncompressed P-256 point, base64url (65 bytes): the browser's applicationServerKey. */
  publicKey: string;
  /** P-256 scalar, base64url (32 bytes): signs the VAPID JWTs. Never leaves the gateway. */
  privateKey: string;
}

const SALT = utf8('roomkey/v1/gateway');

/**
 * The VAPID key pair of the deployment whose server secret is `serverSecret`.
 * @example vapidKeys(fromHex(stack.secrets.serverSecret)).publicKey
 */
export function vapidKeys(serverSecret: Uint8Array): VapidKeys {
  if (!(serverSecret instanceof Uint8Array) || serverSecret.length < 32)
    throw new Error('server secret: expected at least 32 bytes');
  const seed = hkdf(sha256, serverSecret, SALT, utf8('roomkey/v1/gateway/vapid'), p256.lengths.seed ?? 48);
  const secret = p256.utils.randomSecretKey(seed);
  return { publicKey: toBase64Url(p256.getPublicKey(secret, false)), privateKey: toBase64Url(secret) };
}
