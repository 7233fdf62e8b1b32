/**
 * Internal: sealing and opening one record. Backend key = base64url(blinded name); value =
 * StoreRecord{nonce, XChaCha20-Poly1305(valueKey, nonce, AAD = store_id || blinded, StoreEntry{name, value})}.
 * Anything wrong with one record is a TamperedError naming only its blinded id.
 * @example const bytes = sealRecord(keys, storeId, blinded, 'room/1', value);
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { type roomkey, v1 } from '../../proto/index.ts';
import { concatBytes, equalBytes, fromBase64Url, toBase64Url } from '../bytes.ts';
import { decode, encode, MAX_DECODE_BYTES } from '../codec.ts';
import { TamperedError } from '../errors.ts';
import { NONCE_BYTES } from './private-header.ts';
import { blindName, KEY_BYTES, type StoreKeys } from './private-subkeys.ts';

/**
 * A decrypted record.
 * @example const { name, value } = openRecord(keys, storeId, id, bytes);
 */
export interface OpenedRecord {
  name: string;
  value: Uint8Array;
}

/**
 * The backend key of a raw blinded name.
 * @example const id = recordId(blindName(keys, 'identity'));
 */
export function recordId(blinded: Uint8Array): string {
  return toBase64Url(blinded);
}

function tampered(id: string, why: string): TamperedError {
  return new TamperedError(
    `Store record ${id} ${why}: it was modified, moved or copied from another store. Other records are unaffected; delete this one or restore it from a backup.`,
  );
}

/**
 * Encrypts `value` under `name`.
 * @example await backend.set(recordId(blinded), sealRecord(keys, storeId, blinded, name, value));
 */
export function sealRecord(
  keys: StoreKeys,
  storeId: Uint8Array,
  blinded: Uint8Array,
  name: string,
  value: Uint8Array,
): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const plaintext = encode(v1.StoreEntry, { key: name, value });
  const ciphertext = xchacha20poly1305(keys.valueKey, nonce, concatBytes(storeId, blinded)).encrypt(
    plaintext,
  );
  plaintext.fill(0);
  return encode(v1.StoreRecord, { nonce, ciphertext });
}

/**
 * Decrypts the record stored under backend key `id` and checks that its inner name blinds to `id`
 * (and equals `expectedName` when given). Throws TamperedError on any failure.
 * @example const { value } = openRecord(keys, storeId, id, bytes, 'identity');
 */
export function openRecord(
  keys: StoreKeys,
  storeId: Uint8Array,
  id: string,
  bytes: unknown,
  expectedName?: string,
): OpenedRecord {
  let blinded: Uint8Array;
  try {
    blinded = fromBase64Url(id);
  } catch {
    throw tampered(id, 'has an invalid name');
  }
  if (blinded.length !== KEY_BYTES) throw tampered(id, 'has an invalid name');
  if (!(bytes instanceof Uint8Array)) throw tampered(id, 'is not stored as bytes');
  let entry: roomkey.v1.StoreEntry | undefined;
  let plaintext: Uint8Array | undefined;
  try {
    const record = decode(v1.StoreRecord, bytes, 'store record', MAX_DECODE_BYTES);
    if (record.nonce.length === NONCE_BYTES) {
      const aad = concatBytes(storeId, blinded);
      plaintext = xchacha20poly1305(keys.valueKey, record.nonce, aad).decrypt(record.ciphertext);
      entry = decode(v1.StoreEntry, plaintext, 'store entry');
    }
  } catch {
    entry = undefined;
  }
  try {
    if (!entry) throw tampered(id, 'failed authentication');
    // With an expected name, `id` was computed from it: equal names mean the blinding matches.
    const nameMatches =
      expectedName !== undefined
        ? entry.key === expectedName
        : equalBytes(blindName(keys, entry.key), blinded);
    if (!nameMatches) throw tampered(id, 'holds another name');
    return { name: entry.key, value: Uint8Array.from(entry.value) };
  } finally {
    plaintext?.fill(0);
  }
}
