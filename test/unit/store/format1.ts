// Builds a store as format 1 wrote it (before the manifest): header version 1, each record under
// base64url(HMAC(nameKey, name)), no manifest. Browser-safe (the Chromium suite uses it too).
import { randomBytes } from '@noble/ciphers/utils.js';
import { utf8 } from '../../../core/bytes.ts';
import type { Argon2Params, StoreBackend } from '../../../core/store/index.ts';
import { HEADER_KEY, serializeHeader } from '../../../core/store/private-header.ts';
import { wrapWithPassphrase } from '../../../core/store/private-passphrase-wrap.ts';
import { recordId, sealRecord } from '../../../core/store/private-record.ts';
import { blindName, deriveStoreKeys } from '../../../core/store/private-subkeys.ts';

/** Writes a format 1 store holding `value of <name>` under each name; returns each name's backend id. */
export async function writeFormat1Store(
  backend: StoreBackend,
  passphrase: string,
  params: Argon2Params,
  names: readonly string[],
): Promise<Map<string, string>> {
  const storeId = randomBytes(16);
  const storeKey = randomBytes(32);
  const passphraseWrap = await wrapWithPassphrase(storeKey, storeId, passphrase, params);
  await backend.set(
    HEADER_KEY,
    serializeHeader({ version: 1, storeId, passphrase: passphraseWrap, prf: [] }),
  );
  const keys = deriveStoreKeys(storeKey, storeId);
  const ids = new Map<string, string>();
  for (const name of names) {
    const blinded = blindName(keys, name);
    await backend.set(recordId(blinded), sealRecord(keys, storeId, blinded, name, utf8(`value of ${name}`)));
    ids.set(name, recordId(blinded));
  }
  return ids;
}
