// The device's state (core/client/local-state.ts) over the real encrypted store: removing the pins
// record, or putting back an older copy of it, must be told when the state opens, never read as
// "nothing pinned yet" (that would trust every key on first use again). An interrupted sign-out
// must leave a store that says so, not one that blocks signing in again.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DirectoryPins } from '../../../core/client/gateway-directory.ts';
import { LocalState } from '../../../core/client/local-state.ts';
import { STORE_INTEGRITY_MESSAGE, StoreIntegrityError } from '../../../core/errors.ts';
import { FileBackend } from '../../../core/store/file-backend.ts';
import { MemoryBackend, type StoreBackend } from '../../../core/store/index.ts';
import { CHEAP } from '../store/suite.ts';

const PW = 'local state password';
const HEADER_KEY = 'roomkey-store-header';
const MANIFEST_KEY = 'roomkey-store-manifest';
const root = await mkdtemp(join(tmpdir(), 'roomkey-local-state-'));
after(() => rm(root, { recursive: true, force: true }));
let dirs = 0;

const backends: Array<[string, () => Promise<StoreBackend>]> = [
  ['memory', async () => new MemoryBackend()],
  ['file', () => FileBackend.open(join(root, `s${dirs++}`))],
];

const alice: DirectoryPins = { users: { 'user-alice': 'key-a' }, usernames: { alice: 'user-alice' } };
const aliceAndBob: DirectoryPins = {
  users: { ...alice.users, 'user-bob': 'key-b' },
  usernames: { ...alice.usernames, bob: 'user-bob' },
};

async function snapshot(backend: StoreBackend): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const key of await backend.keys()) out.set(key, (await backend.get(key))!);
  return out;
}

const isRecord = (key: string) => key !== HEADER_KEY && key !== MANIFEST_KEY;

/** A device whose state pinned Alice, then Bob; returns the storage as it was before Bob. */
async function pinnedTwice(make: () => Promise<StoreBackend>) {
  const backend = await make();
  const state = await LocalState.create(backend, PW, CHEAP);
  await state.setIdentity({ signingSecret: new Uint8Array([1]) });
  await state.setPins(alice);
  const before = await snapshot(backend);
  await state.setPins(aliceAndBob);
  state.lock();
  return { backend, before };
}

async function toldAtOpen(backend: StoreBackend): Promise<void> {
  await assert.rejects(LocalState.open(backend, PW), (e: unknown) => {
    assert.ok(e instanceof StoreIntegrityError, `expected StoreIntegrityError, got ${(e as Error)?.name}`);
    assert.equal(e.message, STORE_INTEGRITY_MESSAGE);
    assert.deepEqual(e.records, ['directory-pins']);
    return true;
  });
}

for (const [label, make] of backends) {
  describe(`local state integrity (${label})`, () => {
    it('removing the pins record is told at open, not read as "nothing pinned"', async () => {
      const { backend, before } = await pinnedTwice(make);
      // Whatever was written for the second pin (the format decides which keys that is) goes.
      for (const key of await backend.keys()) {
        const old = before.get(key);
        const now = (await backend.get(key))!;
        if (isRecord(key) && (!old || Buffer.compare(old, now) !== 0)) await backend.delete(key);
      }
      await toldAtOpen(backend);
    });

    it('an older copy of the pins put back is told at open', async () => {
      const { backend, before } = await pinnedTwice(make);
      for (const key of await backend.keys())
        if (isRecord(key) && !before.has(key)) await backend.delete(key);
      for (const [key, bytes] of before) if (isRecord(key)) await backend.set(key, bytes);
      await toldAtOpen(backend);
    });

    it('untouched, the pins read back as written', async () => {
      const { backend } = await pinnedTwice(make);
      const state = await LocalState.open(backend, PW);
      assert.deepEqual(await state.pins(), aliceAndBob);
    });

    it('an interrupted sign-out leaves a store that says so; signing out again clears the way', async () => {
      const { backend } = await pinnedTwice(make);
      let deletes = 0;
      const crashing: StoreBackend = {
        get: (k) => backend.get(k),
        set: (k, v) => backend.set(k, v),
        keys: () => backend.keys(),
        delete: async (k) => {
          if (++deletes > 1) throw new Error('simulated crash during sign-out');
          await backend.delete(k);
        },
      };
      await assert.rejects(LocalState.wipe(crashing));
      assert.equal(await LocalState.exists(backend), true, 'the header goes last');
      await assert.rejects(LocalState.open(backend, PW), StoreIntegrityError);
      await LocalState.wipe(backend);
      assert.deepEqual(await backend.keys(), []);
      await LocalState.create(backend, PW, CHEAP);
    });
  });
}
