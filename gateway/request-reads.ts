/**
 * Reads of the users and devices buckets shared within one request: a room creation asks for the
 * caller's device record twice (the caller check and the genesis signer's certificate) and the
 * creator's user and device records again for whom to notify. One read each serves them all.
 * Made per request and dropped with it, so nothing here outlives what one request may assume.
 * @example const reads = readsOnce(ctx.buckets); await requireDevice(ctx, nkey, reads);
 */
import type { Buckets } from './buckets.ts';

/** Users and devices buckets as far as reading goes (the real buckets fit). */
export interface UserDeviceReads {
  users: Pick<Buckets['users'], 'get'>;
  devices: Pick<Buckets['devices'], 'get'>;
}

/**
 * Readers that ask KV once per key for as long as they are kept (see the top of this file).
 * @example const reads = readsOnce(ctx.buckets); new KvDirectory(reads, ctx.now);
 */
export function readsOnce(buckets: UserDeviceReads): UserDeviceReads {
  return { users: onceByKey(buckets.users), devices: onceByKey(buckets.devices) };
}

function onceByKey<R extends { get(key: string): Promise<unknown> }>(reader: R): Pick<R, 'get'> {
  const reads = new Map<string, ReturnType<R['get']>>();
  return {
    get: ((key: string) => {
      let read = reads.get(key);
      if (!read) {
        read = reader.get(key) as ReturnType<R['get']>;
        reads.set(key, read);
        // A failed read is tried again by the next asker rather than failing it too.
        read.catch(() => reads.delete(key));
      }
      return read;
    }) as R['get'],
  };
}
