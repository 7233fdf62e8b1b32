// Issue 11 point 10, end to end: a device's store loses its pins record (or gets an older copy of
// it back) while the app is closed. Signing in or resuming on that device must tell the person,
// with the message core/errors.ts gives StoreIntegrityError, instead of starting over with no pins
// (every key trusted on first use again). Real nats-server, real gateway, the SDK session, and the
// real encrypted store over the memory backend.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalState } from '../../core/client/local-state.ts';
import { RoomKeySession } from '../../core/client/session.ts';
import { STORE_INTEGRITY_MESSAGE, StoreIntegrityError } from '../../core/errors.ts';
import type { StoreBackend } from '../../core/store/backend.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const HEADER_KEY = 'roomkey-store-header';
const MANIFEST_KEY = 'roomkey-store-manifest';
const isRecord = (key: string) => key !== HEADER_KEY && key !== MANIFEST_KEY;

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

async function snapshot(backend: StoreBackend): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const key of await backend.keys()) out.set(key, (await backend.get(key))!);
  return out;
}

/** Alice's device after she pinned Bob (by inviting him), closed; and her storage from before. */
async function aliceWhoPinnedBob(tag: string, password: string) {
  const backend = new MemoryBackend();
  const alice = await stack.signUpSession({ username: `alice-${tag}`, password, backend });
  const bob = await stack.signUpSession({ username: `bob-${tag}` });
  const room = await alice.createRoom('Pinned');
  const beforeBob = await snapshot(backend);
  await alice.invite(room.roomId, bob.username);
  await alice.close();
  // The pin is saved in the background: wait until the store holds it.
  const deadline = Date.now() + 5000;
  for (;;) {
    const state = await LocalState.open(backend, password);
    const pinned = (await state.pins())?.users[bob.userId];
    state.lock();
    if (pinned) break;
    assert.ok(Date.now() < deadline, "Bob's pin never reached the store");
    await sleep(50);
  }
  return { backend, beforeBob, bob };
}

/** `start` must fail with the message for the person; a session it opens anyway is closed. */
async function assertTold(start: () => Promise<RoomKeySession>): Promise<void> {
  let session: RoomKeySession | undefined;
  try {
    await assert.rejects(
      async () => {
        session = await start();
      },
      (error: unknown) => {
        assert.ok(
          error instanceof StoreIntegrityError,
          `expected StoreIntegrityError, got ${(error as Error)?.name}`,
        );
        assert.equal(error.message, STORE_INTEGRITY_MESSAGE);
        return true;
      },
    );
  } finally {
    await session?.close();
  }
}

test('records written since an older copy are removed: resume and sign-in tell the person', async () => {
  const password = 'pw integrity 1';
  const { backend, beforeBob } = await aliceWhoPinnedBob('del', password);
  for (const key of await backend.keys()) {
    const old = beforeBob.get(key);
    const now = (await backend.get(key))!;
    if (isRecord(key) && (!old || Buffer.compare(old, now) !== 0)) await backend.delete(key);
  }
  const config = stack.clientConfig();
  await assertTold(() => RoomKeySession.resume({ config, backend, password }));
  await assertTold(() => stack.signInSession('alice-del', password, { backend }));
});

test('older copies of the records put back: resume tells the person; signing out and in rebuilds', async () => {
  const password = 'pw integrity 2';
  const { backend, beforeBob, bob } = await aliceWhoPinnedBob('old', password);
  for (const key of await backend.keys()) if (isRecord(key) && !beforeBob.has(key)) await backend.delete(key);
  for (const [key, bytes] of beforeBob) if (isRecord(key)) await backend.set(key, bytes);
  const config = stack.clientConfig();
  await assertTold(() => RoomKeySession.resume({ config, backend, password }));
  // What the message says to do: sign out (the locked device's data is deleted) and sign in again.
  await LocalState.wipe(backend);
  const again = await stack.signInSession('alice-old', password, { backend });
  const rooms = await again.listRooms();
  assert.equal(rooms[0]?.name, 'Pinned');
  assert.ok(rooms[0]?.members.some((m) => m.userId === bob.userId));
});

test('untouched, the device resumes with its pins', async () => {
  const password = 'pw integrity 3';
  const { backend, bob } = await aliceWhoPinnedBob('ok', password);
  const alice = await RoomKeySession.resume({ config: stack.clientConfig(), backend, password });
  await alice.close();
  const state = await LocalState.open(backend, password);
  assert.ok((await state.pins())?.users[bob.userId]);
});
