/**
 * Internal: the StoreHeader kept in clear under HEADER_KEY, and its strict validation. A header that
 * is missing a field or has the wrong sizes is a MalformedError that says how to recover.
 * @example const header = parseHeader(await backend.get(HEADER_KEY));
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { decode, encode } from '../codec.ts';
import { MalformedError, UnsupportedError } from '../errors.ts';
import { type Argon2Params, checkArgon2Params } from './params.ts';
import { KEY_BYTES } from './private-subkeys.ts';

/**
 * Backend key of the header. Record keys are 43-character base64url strings, so they never collide.
 * @example await backend.get(HEADER_KEY);
 */
export const HEADER_KEY = 'roomkey-store-header';

/** Format version written by this code. */
export const STORE_VERSION = 2;
/** The first format with a manifest: from it on, a store without one was tampered with. */
export const MANIFEST_FORMAT = 2;
/** Bytes of the random store id. */
export const STORE_ID_BYTES = 16;
/** Bytes of an Argon2id salt. */
export const SALT_BYTES = 16;
/** Bytes of an XChaCha20-Poly1305 nonce. */
export const NONCE_BYTES = 24;
/** Bytes of a wrapped 32-byte key: ciphertext plus the 16-byte Poly1305 tag. */
export const WRAPPED_KEY_BYTES = KEY_BYTES + 16;
/** Largest header accepted (a handful of wraps; each PRF credential id is at most 1023 bytes). */
const MAX_HEADER_BYTES = 64 * 1024;
/** WebAuthn caps credential ids at 1023 bytes. */
export const MAX_CREDENTIAL_ID_BYTES = 1023;

/**
 * The passphrase wrap of a validated header.
 * @example const { params, salt } = header.passphrase;
 */
export interface PassphraseWrapData {
  params: Argon2Params;
  salt: Uint8Array;
  nonce: Uint8Array;
  wrappedKey: Uint8Array;
}

/**
 * One PRF (WebAuthn) wrap of a validated header.
 * @example const { credentialId, prfSalt } = header.prf[0]!;
 */
export interface PrfWrapData {
  credentialId: Uint8Array;
  prfSalt: Uint8Array;
  nonce: Uint8Array;
  wrappedKey: Uint8Array;
}

/**
 * A validated header.
 * @example const header: HeaderData = { version: 1, storeId, passphrase, prf: [] };
 */
export interface HeaderData {
  version: number;
  storeId: Uint8Array;
  passphrase: PassphraseWrapData;
  prf: PrfWrapData[];
}

const RECOVERY =
  'restore the store data from a backup, or point at the right location; as a last resort delete this store and create a new one (its records cannot be read without this header)';

function bad(problem: string): MalformedError {
  return new MalformedError(`Store header ${problem}: ${RECOVERY}.`);
}

function sized(value: Uint8Array | null | undefined, min: number, max: number, field: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    throw bad(`has a missing or wrong-sized ${field}`);
  }
  return Uint8Array.from(value);
}

/**
 * Decodes and validates header bytes; `undefined` never reaches here (the caller reports "no store").
 * @example const header = parseHeader(bytes);
 */
export function parseHeader(bytes: Uint8Array): HeaderData {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw bad('is empty');
  let raw: roomkey.v1.StoreHeader;
  try {
    raw = decode(v1.StoreHeader, bytes, 'store header', MAX_HEADER_BYTES);
  } catch (cause) {
    throw new MalformedError(`Store header is not a valid RoomKey store header: ${RECOVERY}.`, { cause });
  }
  if (raw.version > STORE_VERSION) {
    throw new UnsupportedError(
      `This store was written by a newer RoomKey (format ${raw.version}, this code reads ${STORE_VERSION}): update RoomKey to open it.`,
    );
  }
  // Format 1 (no manifest) is still read: unlocking it adds the manifest and moves it to format 2.
  if (raw.version < 1) throw bad(`has no valid version (got ${raw.version})`);
  const storeId = sized(raw.storeId, STORE_ID_BYTES, STORE_ID_BYTES, 'store id');
  const pw = raw.passphrase;
  if (!pw) throw bad('has no passphrase wrap');
  let params: Argon2Params;
  try {
    params = checkArgon2Params(pw.params, 'store header');
  } catch (cause) {
    throw new MalformedError(`${(cause as Error).message}: ${RECOVERY}.`, { cause });
  }
  const passphrase: PassphraseWrapData = {
    params,
    salt: sized(pw.salt, SALT_BYTES, 64, 'passphrase salt'),
    nonce: sized(pw.nonce, NONCE_BYTES, NONCE_BYTES, 'passphrase nonce'),
    wrappedKey: sized(pw.wrappedKey, WRAPPED_KEY_BYTES, WRAPPED_KEY_BYTES, 'wrapped key'),
  };
  const prf = raw.prf.map(
    (w: roomkey.v1.PrfWrap.$Properties): PrfWrapData => ({
      credentialId: sized(w.credentialId, 1, MAX_CREDENTIAL_ID_BYTES, 'PRF credential id'),
      prfSalt: sized(w.prfSalt, 1, 256, 'PRF salt'),
      nonce: sized(w.nonce, NONCE_BYTES, NONCE_BYTES, 'PRF nonce'),
      wrappedKey: sized(w.wrappedKey, WRAPPED_KEY_BYTES, WRAPPED_KEY_BYTES, 'PRF wrapped key'),
    }),
  );
  return { version: raw.version, storeId, passphrase, prf };
}

/**
 * Encodes a header for the backend.
 * @example await backend.set(HEADER_KEY, serializeHeader(header));
 */
export function serializeHeader(header: HeaderData): Uint8Array {
  return encode(v1.StoreHeader, {
    version: header.version,
    storeId: header.storeId,
    passphrase: header.passphrase,
    prf: header.prf,
  });
}
