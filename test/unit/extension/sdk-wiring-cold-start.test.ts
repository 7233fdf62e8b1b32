// Issue 19, the extension's cold start: resuming a session reads the background's store, the SDK's
// store and the deployment config side by side; the config fetch (to the gateway this store
// connects to, as before) does not wait for the store's reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EncryptedStore } from '../../../core/store/index.ts';
import { createSessionFactory } from '../../../extension/lib/sdk-wiring.ts';
import { FakeArea, tick } from './fakes.ts';

describe('createSessionFactory().resume', () => {
  it('asks for the config while the store is still being read, and still needs the stored secret', async () => {
    let release!: () => void;
    const reading = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reads = 0;
    // The background's store, slow to answer: no SDK secret in it (so no session is resumed).
    const store = {
      get: async () => {
        reads++;
        await reading;
        return undefined;
      },
      set: async () => undefined,
    } as unknown as EncryptedStore;
    const asked: string[] = [];
    const sessions = createSessionFactory({
      area: new FakeArea(),
      deviceName: 'test',
      fetch: (async (url: string | URL) => {
        asked.push(String(url));
        return new Response('not here', { status: 404 });
      }) as typeof fetch,
    });
    const resumed = sessions.resume({ store, gateway: 'https://gw.example/' });
    await tick();
    assert.ok(reads > 0, 'the store is being read');
    assert.deepEqual(asked, ['https://gw.example/roomkey-config.json'], 'the config is asked meanwhile');
    release();
    assert.equal(await resumed, undefined, 'without the stored secret there is nothing to resume');
  });
});
