// core/store over the memory backend, with the one run of the production Argon2id defaults.
import { describe, it } from 'node:test';
import { MemoryBackend, type StoreBackend } from '../../../core/store/index.ts';
import { defineIntegritySuite } from './integrity-suite.ts';
import { defineStoreSuite } from './suite.ts';

async function dump(backend: StoreBackend): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const key of await backend.keys()) out.push(new TextEncoder().encode(key), (await backend.get(key))!);
  return out;
}

defineStoreSuite(
  'memory',
  { describe, it },
  {
    fresh: async () => new MemoryBackend(),
    reopen: async (backend) => backend,
    dump,
    withDefaults: true,
  },
);

defineIntegritySuite(
  'memory',
  { describe, it },
  { fresh: async () => new MemoryBackend(), reopen: async (backend) => backend, dump },
);
