/**
 * core/store: the encrypted key-value store (DESIGN.md "Local store key"). Browser-safe; the Node
 * file backend has its own entry, core/store/file-backend.ts.
 * @example import { EncryptedStore, IdbBackend } from '../core/store/index.ts';
 */
export type { BackendWrites, StoreBackend } from './backend.ts';
export { StoreIoError, StoreNotFoundError, WrongPrfSecretError } from './errors.ts';
export { ExtensionStorageBackend, type StorageAreaLike } from './extension-storage-backend.ts';
export { IdbBackend } from './idb-backend.ts';
export { MemoryBackend } from './memory-backend.ts';
export { ARGON2_LIMITS, type Argon2Params, checkArgon2Params, DEFAULT_ARGON2_PARAMS } from './params.ts';
export type { PrfEnrolment } from './private-prf-wrap.ts';
export {
  EncryptedStore,
  type KeysOptions,
  MAX_NAME_BYTES,
  MAX_VALUE_BYTES,
  type PrfCredential,
} from './store.ts';
