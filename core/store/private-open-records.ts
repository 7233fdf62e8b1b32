/**
 * Internal: what unlocking checks before it hands out a single record. The manifest must be there
 * (format 2) and open under the store key, and every record it lists must be in the backend; else
 * StoreIntegrityError, and the store stays locked. A format 1 store (no manifest yet) gets one,
 * listing its records as they are, before anything else is written. Then records still under
 * format 1 keys move to fresh ones (an older copy kept under the old key is then useless), and
 * backend keys the manifest does not name are removed.
 * @example const records = await openRecordSet(backend, header, keys);
 */
import { equalBytes, fromBase64Url } from '../bytes.ts';
import { ConflictError, StoreIntegrityError, TamperedError } from '../errors.ts';
import type { StoreBackend } from './backend.ts';
import { HEADER_KEY, type HeaderData, MANIFEST_FORMAT } from './private-header.ts';
import { io } from './private-io.ts';
import { MANIFEST_KEY, type Manifest, openManifest, sealManifest } from './private-manifest.ts';
import { openListedRecord, recordId } from './private-record.ts';
import { RecordSet } from './private-records.ts';
import { blindName, type StoreKeys } from './private-subkeys.ts';
import { updateBackend } from './private-update.ts';

/** Records read at once while listing a format 1 store. */
const LIST_BATCH = 64;
/** Tries when another tab changes the store while this one checks it. */
const ATTEMPTS = 3;

/**
 * Checks the store's records against its manifest (making one for a format 1 store) and returns
 * them, ready to use. StoreIntegrityError when a record or the manifest was removed or replaced.
 * @example const records = await openRecordSet(backend, header, deriveStoreKeys(storeKey, header.storeId));
 */
export async function openRecordSet(
  backend: StoreBackend,
  header: HeaderData,
  keys: StoreKeys,
): Promise<RecordSet> {
  for (let attempt = 1; ; attempt++) {
    const found = await checkedManifest(backend, header, keys);
    if (found === 'changed') {
      if (attempt < ATTEMPTS) continue;
      throw new ConflictError('The store kept changing while it was being unlocked: unlock it again.');
    }
    const records = new RecordSet(backend, header.storeId, keys, found.manifest, found.bytes);
    await moveFormat1Records(records, keys);
    await records.removeUnlisted(found.ids);
    return records;
  }
}

interface Checked {
  manifest: Manifest;
  bytes: Uint8Array;
  ids: string[];
}

async function checkedManifest(
  backend: StoreBackend,
  header: HeaderData,
  keys: StoreKeys,
): Promise<Checked | 'changed'> {
  let bytes = await io('read the store manifest', () => backend.get(MANIFEST_KEY));
  let manifest: Manifest;
  if (bytes === undefined) {
    if (header.version >= MANIFEST_FORMAT) throw new StoreIntegrityError('missing-manifest');
    manifest = await listFormat1(backend, header.storeId, keys);
    const sealed = sealManifest(keys.manifestKey, header.storeId, manifest);
    let raced = false;
    await io('write the store manifest', () =>
      updateBackend(backend, MANIFEST_KEY, (current) => {
        raced = current !== undefined; // another tab made it first: check that one instead
        return raced ? { set: [], delete: [] } : { set: [], commit: sealed, delete: [] };
      }),
    );
    if (raced) return 'changed';
    bytes = sealed;
  } else {
    manifest = openManifest(keys.manifestKey, header.storeId, bytes);
  }
  const ids = await io('list keys', () => backend.keys());
  const present = new Set(ids);
  const missing = [...manifest.entries].filter(([, key]) => !present.has(recordId(key)));
  if (missing.length > 0) {
    // Another tab may have replaced those records since the manifest was read.
    const again = await io('read the store manifest', () => backend.get(MANIFEST_KEY));
    if (again instanceof Uint8Array && !equalBytes(again, bytes)) return 'changed';
    throw new StoreIntegrityError('missing-record', missing.map(([name]) => name).sort());
  }
  return { manifest, bytes, ids };
}

/**
 * The manifest of a format 1 store: every record, found by listing, must open and sit under its
 * blinded name. A record that does not open is refused rather than left out (leaving out the pins
 * would silently reset them); one under a random key means the store was format 2 and its manifest
 * was removed.
 */
async function listFormat1(backend: StoreBackend, storeId: Uint8Array, keys: StoreKeys): Promise<Manifest> {
  const ids = (await io('list keys', () => backend.keys())).filter(
    (id) => id !== HEADER_KEY && id !== MANIFEST_KEY,
  );
  const entries = new Map<string, Uint8Array>();
  for (let i = 0; i < ids.length; i += LIST_BATCH) {
    const batch = ids.slice(i, i + LIST_BATCH);
    const values = await Promise.all(batch.map((id) => io('read a record', () => backend.get(id))));
    batch.forEach((id, j) => {
      if (values[j] === undefined) return; // deleted while listing
      let opened: ReturnType<typeof openListedRecord>;
      try {
        opened = openListedRecord(keys, storeId, id, values[j]);
      } catch (error) {
        if (!(error instanceof TamperedError)) throw error;
        throw new StoreIntegrityError('unreadable-record', [id]);
      }
      opened.value.fill(0);
      if (!opened.blindedKey) throw new StoreIntegrityError('downgraded');
      entries.set(opened.name, fromBase64Url(id));
    });
  }
  return { generation: 1, entries };
}

/** Rewrites records still under their blinded name (format 1) under fresh random keys. */
async function moveFormat1Records(records: RecordSet, keys: StoreKeys): Promise<void> {
  const names = [...records.entries]
    .filter(([name, key]) => equalBytes(blindName(keys, name), key))
    .map(([name]) => name);
  await Promise.all(
    names.map(async (name) => {
      let value: Uint8Array | undefined;
      try {
        value = await records.get(name);
      } catch (error) {
        if (error instanceof TamperedError) return; // stays where it is; get() keeps reporting it
        throw error;
      }
      if (value) await records.set(name, value);
    }),
  );
}
