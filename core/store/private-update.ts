/**
 * Internal: one read-modify-write of the manifest with its records, on any backend. Memory and
 * IndexedDB do it in one transaction. File and extension storage have none: they apply the writes
 * in an order that keeps every crash harmless (new records under new keys, then the manifest, the
 * commit point, then the removal of what it no longer names; a crash leaves unreferenced records,
 * which the next unlock removes), one update per storage location at a time within the process.
 * A backend without `update` gets the same, one update per backend object at a time.
 * @example await updateBackend(backend, MANIFEST_KEY, (current) => ({ set, commit, delete: [] }));
 */
import { KeyedSerialQueue } from '../serial.ts';
import type { BackendWrites, StoreBackend } from './backend.ts';

/**
 * Reads `key`, runs `plan` and applies its writes in BackendWrites order (no transaction).
 * @example await locks.run(dir, () => applyInOrder(this, key, plan));
 */
export async function applyInOrder(
  backend: Pick<StoreBackend, 'get' | 'set' | 'delete'>,
  key: string,
  plan: (current: unknown) => BackendWrites,
): Promise<void> {
  const writes = plan(await backend.get(key));
  await Promise.all(writes.set.map(([k, value]) => backend.set(k, value)));
  if (writes.commit) await backend.set(key, writes.commit);
  await Promise.all(writes.delete.map((k) => backend.delete(k)));
}

const perObject = new KeyedSerialQueue<StoreBackend>();

/**
 * `backend.update` when there is one, else applyInOrder one at a time per backend object. Rejects
 * with whatever `plan` threw (nothing written then).
 * @example await updateBackend(backend, MANIFEST_KEY, plan);
 */
export function updateBackend(
  backend: StoreBackend,
  key: string,
  plan: (current: unknown) => BackendWrites,
): Promise<void> {
  if (backend.update) return backend.update(key, plan);
  return perObject.run(backend, () => applyInOrder(backend, key, plan));
}
