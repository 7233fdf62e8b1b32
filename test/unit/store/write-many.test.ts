// EncryptedStore.write: several sets and removals in one backend update (one manifest write),
// never split across updates, even beyond the store's usual batch of 256 writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendWrites } from '../../../core/store/backend.ts';
import { EncryptedStore, MemoryBackend } from '../../../core/store/index.ts';
import { TEST_STORE_PARAMS } from '../../helpers/stack.ts';

class UpdateLog extends MemoryBackend {
  updates: number[] = [];
  override async update(key: string, plan: (current: unknown) => BackendWrites): Promise<void> {
    await super.update(key, (current) => {
      const writes = plan(current);
      this.updates.push(writes.set.length);
      return writes;
    });
  }
}

describe('store write of many names', () => {
  it('commits one call in one update, after what was queued before it', async () => {
    const backend = new UpdateLog();
    const store = await EncryptedStore.create(backend, 'pw', TEST_STORE_PARAMS);
    await store.set('old', new Uint8Array([1]));
    backend.updates = [];
    const first = store.set('first', new Uint8Array([1]));
    const many = Array.from({ length: 300 }, (_, i): [string, Uint8Array] => [
      `n${i}`,
      new Uint8Array([i & 255]),
    ]);
    await Promise.all([first, store.write(many, ['old'])]);
    assert.deepEqual(backend.updates, [1, 300]);
    assert.equal(await store.has('old'), false);
    assert.deepEqual(await store.get('n299'), new Uint8Array([299 & 255]));
    assert.equal((await store.keys()).length, 301);
  });
});
