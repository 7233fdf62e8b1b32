/**
 * "Keep this device unlocked" (opt-in): lets the service worker open the encrypted store without
 * the user, so a wake-up push can become a notification that names the room. The page's client
 * turns it on and off; the service worker (sw/wake.ts) opens the store with it. Browser only
 * (IndexedDB, WebCrypto).
 *
 * How: a non-extractable HMAC-SHA-256 WebCrypto key is made on this device and kept in IndexedDB
 * (structured clone keeps it non-extractable: script on this origin can use it, nobody can read
 * it out). It enrols with the store through the store's PRF-wrap mechanism as a pseudo
 * authenticator: credential id `roomkey/device-unlock`, a random PRF salt in the store header, and
 * the "PRF output" HMAC(device key, salt). The service worker recomputes that secret and calls
 * `EncryptedStore.unlockWithPrf`. Turning it off removes the wrap and deletes the key.
 * Threat model: anything running on this origin in this browser profile can unlock the store
 * while the opt-in is on (as with any "stay signed in"); the bytes on disk alone cannot.
 * @example await enableDeviceUnlock(registration, password); const store = await openWithDeviceUnlock(registration);
 */
import { equalBytes, utf8 } from '../bytes.ts';
import type { StoreBackend } from '../store/backend.ts';
import { IdbBackend } from '../store/idb-backend.ts';
import { EncryptedStore } from '../store/store.ts';

/** The pseudo credential id of the device-unlock wrap in the store header. */
export const DEVICE_UNLOCK_CREDENTIAL = utf8('roomkey/device-unlock');
const DB = 'roomkey-device';
const OBJECTS = 'devices';

/** What the page records for the service worker, per deployment (keyed by `configUrl`). */
export interface DeviceRecord {
  /** The deployment's `roomkey-config.json` URL. */
  configUrl: string;
  /** The IndexedDB database of the encrypted store. */
  storeDb: string;
  /** Whether notifications may show decrypted text. */
  previews: boolean;
  /** The non-extractable HMAC key, when the device-unlock opt-in is on. */
  key?: CryptoKey;
  /** When the opt-in was turned on: nothing older is ever notified. */
  enabledAtMs?: number;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(OBJECTS);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(OBJECTS, mode);
      const req = run(t.objectStore(OBJECTS));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/**
 * Every deployment this browser profile has a store for (the service worker wakes each).
 * @example for (const record of await deviceRecords()) await openWithDeviceUnlock(record);
 */
export async function deviceRecords(): Promise<DeviceRecord[]> {
  return (await tx('readonly', (s) => s.getAll())) as DeviceRecord[];
}

/**
 * The record of one deployment, if this profile has one.
 * @example const record = await deviceRecord(deploymentConfigUrl(gatewayUrl));
 */
export async function deviceRecord(configUrl: string): Promise<DeviceRecord | undefined> {
  return (await tx('readonly', (s) => s.get(configUrl))) as DeviceRecord | undefined;
}

/**
 * Records (or updates) where a deployment's store is; the record is stored as given.
 * @example await saveDeviceRecord({ configUrl, storeDb, previews: false });
 */
export async function saveDeviceRecord(record: DeviceRecord): Promise<void> {
  await tx('readwrite', (s) => s.put(record, record.configUrl));
}

/**
 * Forgets a deployment (its device key goes with the record).
 * @example await deleteDeviceRecord(configUrl);
 */
export async function deleteDeviceRecord(configUrl: string): Promise<void> {
  await tx('readwrite', (s) => s.delete(configUrl));
}

async function secretFor(key: CryptoKey, salt: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, salt as Uint8Array<ArrayBuffer>));
}

/**
 * Turns the opt-in on: a new non-extractable key, its wrap added to the store (unlocked here with
 * the password: the store key never leaves core/store).
 * @example await enableDeviceUnlock({ configUrl, storeDb, previews: true }, password);
 */
export async function enableDeviceUnlock(
  record: Omit<DeviceRecord, 'key'>,
  password: string,
  backend: StoreBackend = new IdbBackend(record.storeDb),
): Promise<void> {
  const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const prfSalt = crypto.getRandomValues(new Uint8Array(32));
  const store = await EncryptedStore.open(backend);
  await store.unlock(password);
  try {
    await store.addPrf({
      credentialId: DEVICE_UNLOCK_CREDENTIAL,
      prfSalt,
      secret: await secretFor(key, prfSalt),
    });
  } finally {
    store.lock();
  }
  await saveDeviceRecord({ ...record, key, enabledAtMs: Date.now() });
}

/**
 * Turns the opt-in off: the wrap leaves the store header (needs the password) and the key is deleted.
 * @example await disableDeviceUnlock({ configUrl, storeDb, previews: false }, password);
 */
export async function disableDeviceUnlock(
  record: Omit<DeviceRecord, 'key'>,
  password: string | undefined,
  backend: StoreBackend = new IdbBackend(record.storeDb),
): Promise<void> {
  if (password !== undefined && (await EncryptedStore.exists(backend))) {
    const store = await EncryptedStore.open(backend);
    await store.unlock(password);
    try {
      await store.removePrf(DEVICE_UNLOCK_CREDENTIAL);
    } finally {
      store.lock();
    }
  }
  // Without the key the wrap left in the header can never be opened again.
  await saveDeviceRecord({ configUrl: record.configUrl, storeDb: record.storeDb, previews: record.previews });
}

/**
 * The store of `record`, unlocked with the device key; undefined when the opt-in is off or the
 * store cannot be opened that way (wrap removed, store replaced).
 * @example const store = await openWithDeviceUnlock(record); if (store) await readRecent(store, config, {});
 */
export async function openWithDeviceUnlock(
  record: DeviceRecord,
  backend: StoreBackend = new IdbBackend(record.storeDb),
): Promise<EncryptedStore | undefined> {
  if (!record.key || !(await EncryptedStore.exists(backend))) return undefined;
  const store = await EncryptedStore.open(backend);
  const enrolment = store.prfCredentials().find((c) => equalBytes(c.credentialId, DEVICE_UNLOCK_CREDENTIAL));
  if (!enrolment) return undefined;
  try {
    await store.unlockWithPrf(await secretFor(record.key, enrolment.prfSalt), DEVICE_UNLOCK_CREDENTIAL);
    return store;
  } catch {
    return undefined;
  }
}
