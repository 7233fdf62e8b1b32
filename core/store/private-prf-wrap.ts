/**
 * Internal: wrapping the store key with a WebAuthn PRF secret (the authenticator's output for
 * `prf_salt`). KEK = HKDF-SHA256(secret, salt = store_id, info = "roomkey/v1/store/prf-kek");
 * AAD = "roomkey/v1/store/prf-wrap" 0x00 store_id credential_id.
 * @example const wrap = wrapWithPrf(storeKey, storeId, { credentialId, prfSalt, secret });
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../bytes.ts';
import { MalformedError } from '../errors.ts';
import { MAX_CREDENTIAL_ID_BYTES, NONCE_BYTES, type PrfWrapData } from './private-header.ts';
import { KEY_BYTES } from './private-subkeys.ts';

const KEK_INFO = utf8('roomkey/v1/store/prf-kek');
const AAD_LABEL = utf8('roomkey/v1/store/prf-wrap\0');
/** WebAuthn PRF outputs are 32 bytes; accept nothing shorter. */
const MIN_SECRET_BYTES = 32;

/**
 * An authenticator enrolment: its credential id, the PRF input salt it was asked with, and the
 * 32-byte PRF output it returned.
 * @example const enrolment: PrfEnrolment = { credentialId, prfSalt, secret: prfOutput };
 */
export interface PrfEnrolment {
  credentialId: Uint8Array;
  prfSalt: Uint8Array;
  secret: Uint8Array;
}

/**
 * Throws MalformedError unless `secret` is PRF output sized (≥ 32 bytes).
 * @example checkPrfSecret(secret);
 */
export function checkPrfSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
    throw new MalformedError(
      `A PRF secret must be at least ${MIN_SECRET_BYTES} bytes (the WebAuthn PRF output).`,
    );
  }
}

function kekFor(secret: Uint8Array, storeId: Uint8Array): Uint8Array {
  return hkdf(sha256, secret, storeId, KEK_INFO, KEY_BYTES);
}

/**
 * Seals `storeKey` for one authenticator.
 * @example header.prf.push(wrapWithPrf(keys.storeKey, header.storeId, enrolment));
 */
export function wrapWithPrf(storeKey: Uint8Array, storeId: Uint8Array, enrolment: PrfEnrolment): PrfWrapData {
  const { credentialId, prfSalt, secret } = enrolment;
  checkPrfSecret(secret);
  if (
    !(credentialId instanceof Uint8Array) ||
    credentialId.length < 1 ||
    credentialId.length > MAX_CREDENTIAL_ID_BYTES
  ) {
    throw new MalformedError(`A credential id must be 1..${MAX_CREDENTIAL_ID_BYTES} bytes.`);
  }
  if (!(prfSalt instanceof Uint8Array) || prfSalt.length < 1 || prfSalt.length > 256) {
    throw new MalformedError('A PRF salt must be 1..256 bytes (32 random bytes is usual).');
  }
  const nonce = randomBytes(NONCE_BYTES);
  const kek = kekFor(secret, storeId);
  try {
    const aad = concatBytes(AAD_LABEL, storeId, credentialId);
    const wrappedKey = xchacha20poly1305(kek, nonce, aad).encrypt(storeKey);
    return {
      credentialId: Uint8Array.from(credentialId),
      prfSalt: Uint8Array.from(prfSalt),
      nonce,
      wrappedKey,
    };
  } finally {
    kek.fill(0);
  }
}

/**
 * Opens one PRF wrap with `secret`; returns undefined when it does not open (wrong authenticator).
 * @example const storeKey = unwrapWithPrf(header.prf[0]!, header.storeId, secret);
 */
export function unwrapWithPrf(
  wrap: PrfWrapData,
  storeId: Uint8Array,
  secret: Uint8Array,
): Uint8Array | undefined {
  const kek = kekFor(secret, storeId);
  try {
    const aad = concatBytes(AAD_LABEL, storeId, wrap.credentialId);
    return xchacha20poly1305(kek, wrap.nonce, aad).decrypt(wrap.wrappedKey);
  } catch {
    return undefined;
  } finally {
    kek.fill(0);
  }
}
