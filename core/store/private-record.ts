/**
 * Internal: sealing and opening one record. Backend key = base64url(record key), where the record
 * key is 32 fresh random bytes per write (format 2; format 1 used the blinded name); value =
 * StoreRecord{nonce, XChaCha20-Poly1305(valueKey, nonce, AAD = store_id || record key, StoreEntry{name, value})}.
 * Anything wrong with one record is a TamperedError naming only its backend id.
 * @example const bytes = sealRecord(keys, storeId, newRecordKey(), 'room/1', value);
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
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
 * The backend key of a raw record key (format 1: a blinded name).
 * @example const id = recordId(newRecordKey());
 */
export function recordId(recordKey: Uint8Array): string {
  return toBase64Url(recordKey);
}

/**
 * A fresh record key: every write of a record goes to a new backend key, so an older copy can
 * never sit where the manifest points.
 * @example const bytes = sealRecord(keys, storeId, newRecordKey(), name, value);
 */
export function newRecordKey(): Uint8Array {
  return randomBytes(KEY_BYTES);
}

function tampered(id: string, why: string): TamperedError {
  return new TamperedError(
    `Store record ${id} ${why}: it was modified, moved or copied from another store. Other records are unaffected; delete this one or restore it from a backup.`,
  );
}

/**
 * Encrypts `value` under `name`, bound to the backend key `recordKey` names.
 * @example await backend.set(recordId(key), sealRecord(keys, storeId, key, name, value));
 */
export function sealRecord(
  keys: StoreKeys,
  storeId: Uint8Array,
  recordKey: Uint8Array,
  name: string,
  value: Uint8Array,
): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const plaintext = encode(v1.StoreEntry, { key: name, value });
  const ciphertext = xchacha20poly1305(keys.valueKey, nonce, concatBytes(storeId, recordKey)).encrypt(
    plaintext,
  );
  plaintext.fill(0);
  return encode(v1.StoreRecord, { nonce, ciphertext });
}

/**
 * Decrypts the record stored under backend key `id` and checks its inner name: equal to
 * `expectedName` when given (the manifest said which name `id` holds), else blinding to `id` (a
 * format 1 record, found by listing). Throws TamperedError on any failure.
 * @example const { value } = openRecord(keys, storeId, id, bytes, 'identity');
 */
export function openRecord(
  keys: StoreKeys,
  storeId: Uint8Array,
  id: string,
  bytes: unknown,
  expectedName?: string,
): OpenedRecord {
  const { name, value, blindedKey } = openListedRecord(keys, storeId, id, bytes);
  const nameMatches = expectedName !== undefined ? name === expectedName : blindedKey;
  if (!nameMatches) {
    value.fill(0);
    throw tampered(id, 'holds another name');
  }
  return { name, value };
}

/**
 * Decrypts a record found by listing the backend, whatever name it holds; `blindedKey` tells
 * whether its key is the blinded name (written by format 1) rather than a random one.
 * @example const { name, blindedKey } = openListedRecord(keys, storeId, id, bytes);
 */
export function openListedRecord(
  keys: StoreKeys,
  storeId: Uint8Array,
  id: string,
  bytes: unknown,
): OpenedRecord & { blindedKey: boolean } {
  let recordKey: Uint8Array;
  try {
    recordKey = fromBase64Url(id);
  } catch {
    throw tampered(id, 'has an invalid name');
  }
  if (recordKey.length !== KEY_BYTES) throw tampered(id, 'has an invalid name');
  if (!(bytes instanceof Uint8Array)) throw tampered(id, 'is not stored as bytes');
  let entry: roomkey.v1.StoreEntry | undefined;
  let plaintext: Uint8Array | undefined;
  try {
    const record = decode(v1.StoreRecord, bytes, 'store record', MAX_DECODE_BYTES);
    if (record.nonce.length === NONCE_BYTES) {
      const aad = concatBytes(storeId, recordKey);
      plaintext = xchacha20poly1305(keys.valueKey, record.nonce, aad).decrypt(record.ciphertext);
      entry = decode(v1.StoreEntry, plaintext, 'store entry');
    }
  } catch {
    entry = undefined;
  }
  try {
    if (!entry) throw tampered(id, 'failed authentication');
    return {
      name: entry.key,
      value: Uint8Array.from(entry.value),
      blindedKey: equalBytes(blindName(keys, entry.key), recordKey),
    };
  } finally {
    plaintext?.fill(0);
  }
}
