// unlockStore with a passkey's PRF output (core/client/passkey.ts + core/store's PRF wrap): the
// enrolled output opens the store, another one is BadCredentialsError naming the passkey, and the
// password keeps working. (The WebAuthn side runs in Chromium: test/e2e/passkey-unlock.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unlockStore } from '../../../core/client/account-flows.ts';
import { DEVICE_UNLOCK_CREDENTIAL } from '../../../core/client/device-unlock.ts';
import { LocalState } from '../../../core/client/local-state.ts';
import { passkeyCredentials } from '../../../core/client/passkey.ts';
import { BadCredentialsError } from '../../../core/errors.ts';
import { MemoryBackend } from '../../../core/store/memory-backend.ts';

const PARAMS = { t: 1, mKib: 256, p: 1 };

test('a passkey PRF output unlocks the store; another is refused by name; the password still works', async () => {
  const backend = new MemoryBackend();
  const state = await LocalState.create(backend, 'pw', PARAMS);
  await state.store.set('x', new Uint8Array([7]));
  const credentialId = new Uint8Array([1, 2, 3]);
  const secret = crypto.getRandomValues(new Uint8Array(32));
  await state.store.addPrf({ credentialId, prfSalt: new Uint8Array(32), secret });
  await state.store.addPrf({
    credentialId: DEVICE_UNLOCK_CREDENTIAL,
    prfSalt: new Uint8Array(32),
    secret: new Uint8Array(32).fill(9),
  });
  // The extension's session cache is RoomKey's own pseudo credential too.
  await state.store.addPrf({
    credentialId: new TextEncoder().encode('roomkey-extension-session\0xyz'),
    prfSalt: new Uint8Array(32),
    secret: new Uint8Array(32).fill(3),
  });
  assert.deepEqual(
    passkeyCredentials(state.store).map((c) => [...c.credentialId]),
    [[1, 2, 3]],
    'neither the device-unlock key nor the extension session cache is a passkey',
  );
  state.lock();

  const opened = await unlockStore(backend, { credentialId, secret });
  assert.deepEqual(await opened.store.get('x'), new Uint8Array([7]));
  opened.lock();
  await assert.rejects(
    unlockStore(backend, { credentialId, secret: new Uint8Array(32) }),
    (e: Error) => e instanceof BadCredentialsError && /passkey/.test(e.message),
  );
  (await unlockStore(backend, 'pw')).lock();
});
