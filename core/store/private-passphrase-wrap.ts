/**
 * Internal: wrapping the store key with a passphrase. KEK = Argon2id(NFC(passphrase), salt, params),
 * 32 bytes; wrapped_key = XChaCha20-Poly1305(KEK, nonce, AAD = "roomkey/v1/store/passphrase-wrap" 0x00 store_id).
 * @example const wrap = await wrapWithPassphrase(storeKey, storeId, 'pw', DEFAULT_ARGON2_PARAMS);
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { concatBytes, utf8 } from '../bytes.ts';
import { MalformedError, WrongPassphraseError } from '../errors.ts';
import { type Argon2Options, deriveArgon2id } from './_argon2.ts';
import { type Argon2Params, checkArgon2Params } from './params.ts';
import { NONCE_BYTES, type PassphraseWrapData, SALT_BYTES } from './private-header.ts';
import { KEY_BYTES } from './private-subkeys.ts';

const AAD_LABEL = utf8('roomkey/v1/store/passphrase-wrap\0');

function passphraseBytes(passphrase: string): Uint8Array {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new MalformedError('The passphrase must be a non-empty string.');
  }
  return utf8(passphrase.normalize('NFC'));
}

/**
 * The KEK of a passphrase wrap: Argon2id(NFC(passphrase), salt, params), 32 bytes, WebAssembly when
 * it runs here (`options.backend` forces one, for vectors and benchmarks).
 * @example const kek = await passphraseKek('pw', salt, DEFAULT_ARGON2_PARAMS);
 */
export async function passphraseKek(
  passphrase: string,
  salt: Uint8Array,
  params: Argon2Params,
  options?: Argon2Options,
): Promise<Uint8Array> {
  const checked = checkArgon2Params(params, 'Argon2id parameters');
  if (!(salt instanceof Uint8Array) || salt.length < SALT_BYTES || salt.length > 64)
    throw new MalformedError(`Argon2id salt: expected ${SALT_BYTES}..64 bytes`);
  const password = passphraseBytes(passphrase);
  try {
    return await deriveArgon2id(password, salt, checked, KEY_BYTES, options);
  } finally {
    password.fill(0);
  }
}

/**
 * Seals `storeKey` under a fresh salt and nonce with a key derived from `passphrase`.
 * @example const wrap = await wrapWithPassphrase(keys.storeKey, storeId, 'new passphrase', params);
 */
export async function wrapWithPassphrase(
  storeKey: Uint8Array,
  storeId: Uint8Array,
  passphrase: string,
  params: Argon2Params,
): Promise<PassphraseWrapData> {
  const checked = checkArgon2Params(params, 'Argon2id parameters');
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const kek = await passphraseKek(passphrase, salt, checked);
  try {
    const wrappedKey = xchacha20poly1305(kek, nonce, concatBytes(AAD_LABEL, storeId)).encrypt(storeKey);
    return { params: checked, salt, nonce, wrappedKey };
  } finally {
    kek.fill(0);
  }
}

/**
 * Opens a passphrase wrap; a wrong passphrase (or a modified wrap) is a WrongPassphraseError.
 * @example const storeKey = await unwrapWithPassphrase(header.passphrase, header.storeId, 'pw');
 */
export async function unwrapWithPassphrase(
  wrap: PassphraseWrapData,
  storeId: Uint8Array,
  passphrase: string,
): Promise<Uint8Array> {
  const kek = await passphraseKek(passphrase, wrap.salt, wrap.params);
  try {
    return xchacha20poly1305(kek, wrap.nonce, concatBytes(AAD_LABEL, storeId)).decrypt(wrap.wrappedKey);
  } catch {
    throw new WrongPassphraseError();
  } finally {
    kek.fill(0);
  }
}
