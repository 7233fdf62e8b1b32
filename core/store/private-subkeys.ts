/**
 * Internal: the keys derived from the 32-byte store key, and name blinding.
 * nameKey = HKDF-SHA256(storeKey, salt = store_id, info = "roomkey/v1/store/name"),
 * valueKey and manifestKey likewise with info "roomkey/v1/store/value" and "roomkey/v1/store/manifest";
 * a blinded name is HMAC-SHA256(nameKey, name).
 * @example const keys = deriveStoreKeys(storeKey, storeId); const id = blindName(keys, 'room/abc');
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../bytes.ts';

/** Length in bytes of the store key, of each derived key and of a raw blinded name. */
export const KEY_BYTES = 32;

/**
 * The unlocked key material of one store; every array is zeroed by `zeroStoreKeys`.
 * @example const { valueKey } = deriveStoreKeys(storeKey, storeId);
 */
export interface StoreKeys {
  storeKey: Uint8Array;
  nameKey: Uint8Array;
  valueKey: Uint8Array;
  manifestKey: Uint8Array;
}

const NAME_INFO = utf8('roomkey/v1/store/name');
const VALUE_INFO = utf8('roomkey/v1/store/value');
const MANIFEST_INFO = utf8('roomkey/v1/store/manifest');

/**
 * Derives the name and value keys; takes ownership of `storeKey` (zeroed with the rest on lock).
 * @example const keys = deriveStoreKeys(randomBytes(32), storeId);
 */
export function deriveStoreKeys(storeKey: Uint8Array, storeId: Uint8Array): StoreKeys {
  return {
    storeKey,
    nameKey: hkdf(sha256, storeKey, storeId, NAME_INFO, KEY_BYTES),
    valueKey: hkdf(sha256, storeKey, storeId, VALUE_INFO, KEY_BYTES),
    manifestKey: hkdf(sha256, storeKey, storeId, MANIFEST_INFO, KEY_BYTES),
  };
}

/**
 * Overwrites every key with zeros.
 * @example zeroStoreKeys(keys);
 */
export function zeroStoreKeys(keys: StoreKeys): void {
  keys.storeKey.fill(0);
  keys.nameKey.fill(0);
  keys.valueKey.fill(0);
  keys.manifestKey.fill(0);
}

/**
 * The raw 32-byte blinded form of a key name (base64url of it is the backend key).
 * @example const raw = blindName(keys, 'identity');
 */
export function blindName(keys: StoreKeys, name: string): Uint8Array {
  return hmac(sha256, keys.nameKey, utf8(name));
}
