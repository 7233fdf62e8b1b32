/**
 * Replies on the shared login inbox are sealed with a key only the requester knows: the client puts
 * 32 random bytes (reply_key) in its request, which only the gateway can read (no login-credential
 * client may subscribe to request subjects), and the gateway seals the encoded Reply with it.
 * @example const sealed = sealReply(replyKey, replyBytes); const bytes = openReply(replyKey, sealed);
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { utf8 } from '../bytes.ts';
import { DecryptError, MalformedError } from '../errors.ts';

export const REPLY_KEY_BYTES = 32;
const NONCE_BYTES = 24;
const AAD = utf8('roomkey/v1/sealed-reply');

/** A fresh reply key for one request. */
export function newReplyKey(): Uint8Array {
  return randomBytes(REPLY_KEY_BYTES);
}

export function isReplyKey(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === REPLY_KEY_BYTES;
}

export function sealReply(
  replyKey: Uint8Array,
  reply: Uint8Array,
): { nonce: Uint8Array; ciphertext: Uint8Array } {
  if (!isReplyKey(replyKey)) throw new MalformedError(`reply key: expected ${REPLY_KEY_BYTES} bytes`);
  const nonce = randomBytes(NONCE_BYTES);
  return { nonce, ciphertext: xchacha20poly1305(replyKey, nonce, AAD).encrypt(reply) };
}

export function openReply(
  replyKey: Uint8Array,
  sealed: { nonce?: Uint8Array | null; ciphertext?: Uint8Array | null },
): Uint8Array {
  const { nonce, ciphertext } = sealed;
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_BYTES || !(ciphertext instanceof Uint8Array)) {
    throw new MalformedError('sealed reply: bad nonce or ciphertext');
  }
  try {
    return xchacha20poly1305(replyKey, nonce, AAD).decrypt(ciphertext);
  } catch (cause) {
    throw new DecryptError(
      `sealed reply does not open with this request's reply key (${(cause as Error).message})`,
    );
  }
}
