/**
 * Internal: the manifest, the store's own list of its records (format 2). Kept under MANIFEST_KEY as
 * StoreRecord{nonce, XChaCha20-Poly1305(manifestKey, nonce, AAD = "roomkey/v1/store/manifest" 0x00
 * store_id, StoreManifest{generation, entries: (name, record key)})}. Whatever is wrong with it is a
 * StoreIntegrityError: without a trustworthy list no record's absence can be judged.
 * @example const manifest = openManifest(keys.manifestKey, storeId, await backend.get(MANIFEST_KEY));
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { concatBytes, utf8 } from '../bytes.ts';
import { decode, encode, MAX_DECODE_BYTES } from '../codec.ts';
import { StoreIntegrityError, TooLargeError } from '../errors.ts';
import { NONCE_BYTES } from './private-header.ts';
import { recordId } from './private-record.ts';
import { KEY_BYTES } from './private-subkeys.ts';

/**
 * Backend key of the manifest: not 43 characters, so it never collides with a record key.
 * @example await backend.get(MANIFEST_KEY);
 */
export const MANIFEST_KEY = 'roomkey-store-manifest';

const AAD_LABEL = utf8('roomkey/v1/store/manifest\0');

/**
 * A decrypted manifest: name → 32-byte record key, and the generation it was written at.
 * @example const key = manifest.entries.get('identity');
 */
export interface Manifest {
  generation: number;
  entries: Map<string, Uint8Array>;
}

/**
 * One change to the list: `name` now lives under `recordKey`, or is gone when it is undefined.
 * @example const change: ManifestChange = { name: 'identity', recordKey: newRecordKey() };
 */
export interface ManifestChange {
  name: string;
  recordKey?: Uint8Array;
}

function damaged(): StoreIntegrityError {
  return new StoreIntegrityError('damaged-manifest');
}

/**
 * Encrypts a manifest. TooLargeError when it would not decode again (far more records than a device keeps).
 * @example await backend.set(MANIFEST_KEY, sealManifest(keys.manifestKey, storeId, manifest));
 */
export function sealManifest(manifestKey: Uint8Array, storeId: Uint8Array, manifest: Manifest): Uint8Array {
  const entries = [...manifest.entries].map(([name, recordKey]) => ({ name, recordKey }));
  const plaintext = encode(v1.StoreManifest, { generation: manifest.generation, entries });
  const nonce = randomBytes(NONCE_BYTES);
  const aad = concatBytes(AAD_LABEL, storeId);
  const ciphertext = xchacha20poly1305(manifestKey, nonce, aad).encrypt(plaintext);
  const sealed = encode(v1.StoreRecord, { nonce, ciphertext });
  if (sealed.length > MAX_DECODE_BYTES) {
    throw new TooLargeError(
      `The store's list of records would exceed ${MAX_DECODE_BYTES} bytes: delete records you no longer need.`,
    );
  }
  return sealed;
}

/**
 * Decrypts and validates manifest bytes as read from the backend (anything: the backend is not
 * trusted). StoreIntegrityError ('damaged-manifest') on any failure.
 * @example const { generation, entries } = openManifest(keys.manifestKey, storeId, bytes);
 */
export function openManifest(manifestKey: Uint8Array, storeId: Uint8Array, bytes: unknown): Manifest {
  if (!(bytes instanceof Uint8Array)) throw damaged();
  let raw: roomkey.v1.StoreManifest;
  try {
    const record = decode(v1.StoreRecord, bytes, 'store manifest', MAX_DECODE_BYTES);
    if (record.nonce.length !== NONCE_BYTES) throw damaged();
    const aad = concatBytes(AAD_LABEL, storeId);
    const plaintext = xchacha20poly1305(manifestKey, record.nonce, aad).decrypt(record.ciphertext);
    raw = decode(v1.StoreManifest, plaintext, 'store manifest');
  } catch {
    throw damaged();
  }
  const generation = Number(raw.generation);
  if (!Number.isSafeInteger(generation) || generation < 1) throw damaged();
  const entries = new Map<string, Uint8Array>();
  for (const entry of raw.entries) {
    if (!entry.name || entries.has(entry.name) || entry.recordKey?.length !== KEY_BYTES) throw damaged();
    entries.set(entry.name, Uint8Array.from(entry.recordKey));
  }
  return { generation, entries };
}

/**
 * The manifest after `changes` (later ones win), one generation on, and the backend ids of the
 * records nothing refers to any more (to delete once the new manifest is stored).
 * @example const { next, garbage } = applyChanges(current, [{ name: 'a', recordKey }]);
 */
export function applyChanges(
  current: Manifest,
  changes: readonly ManifestChange[],
): { next: Manifest; garbage: string[] } {
  const entries = new Map(current.entries);
  const garbage: string[] = [];
  for (const { name, recordKey } of changes) {
    const old = entries.get(name);
    if (old) garbage.push(recordId(old));
    if (recordKey) entries.set(name, recordKey);
    else entries.delete(name);
  }
  return { next: { generation: current.generation + 1, entries }, garbage };
}
