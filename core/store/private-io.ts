/**
 * Internal: every backend call of the store goes through `io`, so a backend's own exception (a
 * bare Error from a disk or IndexedDB) reaches the caller as a StoreIoError that says what failed.
 * @example const bytes = await io('read a record', () => backend.get(id));
 */
import { RoomKeyError } from '../errors.ts';
import { StoreIoError } from './errors.ts';

/**
 * Runs `fn`; a non-RoomKey failure becomes a StoreIoError naming `what`.
 * @example await io('write the store header', () => backend.set(HEADER_KEY, bytes));
 */
export async function io<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RoomKeyError) throw error;
    throw new StoreIoError(
      `The store backend failed to ${what}: ${(error as Error)?.message ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
}
