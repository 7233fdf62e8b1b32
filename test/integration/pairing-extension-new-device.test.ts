// The extension's background as the NEW device (lib/pairing-new.ts, Account.pair, sdk-wiring's
// SessionFactory.pair) against a real stack, in Node with in-memory extension storage: the offer
// is shown, a signed-in device reads it, both see the same code, and after its confirmation the
// background is signed in as that user with a store that opens again with the password. A cancel
// on the old device leaves the background signed out with nothing stored.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExtensionStorageBackend } from '../../core/store/index.ts';
import { Account } from '../../extension/lib/account.ts';
import { NewDevicePairing } from '../../extension/lib/pairing-new.ts';
import { createSessionFactory } from '../../extension/lib/sdk-wiring.ts';
import { SessionUnlockCache } from '../../extension/lib/unlock-cache.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';
import { FakeArea } from '../unit/extension/fakes.ts';

const CHEAP = { t: 1, mKib: 256, p: 1 };
let stack: TestStack;
let server: Server;
let gateway = '';
before(async () => {
  stack = await startStack();
  await stack.startGateway();
  // The deployment's roomkey-config.json, as the background reads it from the gateway's origin.
  const config = JSON.stringify({
    version: 1,
    natsWebSocketUrl: stack.nats.wsUrl,
    loginJwt: stack.nats.stack.public.loginJwt,
  });
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(config);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  gateway = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
after(async () => {
  server?.close();
  await stack?.stop();
});

function background() {
  const local = new FakeArea();
  const sessions = createSessionFactory({ area: local, deviceName: 'extension', storeParams: CHEAP });
  const account = new Account({
    backend: new ExtensionStorageBackend(local),
    sessions,
    unlockCache: new SessionUnlockCache(new FakeArea()),
    argon2: CHEAP,
    onState: () => undefined,
    onEvent: () => undefined,
  });
  return { account, local };
}

async function until<T>(what: string, check: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('the background pairs as a new device: same code, then signed in as the user', async () => {
  const old = await stack.signUpSession({ username: 'ext-new-1', password: 'pw 1' });
  const { account } = background();
  await account.restore();
  const pairing = new NewDevicePairing();
  const offer = await pairing.start(account, { gateway, password: 'pw here' });
  assert.equal(offer.state, 'offer');
  assert.match(offer.qrText, /^roomkey-pair:v1:/);
  const approval = await old.approvePairing(offer.qrText);
  const code = await until('the code', () => pairing.view?.state === 'code' && pairing.view.code);
  assert.equal(code, approval.code, 'both show the same code');
  assert.equal(pairing.view?.username, 'ext-new-1');
  await approval.confirm();
  await until('signed in', () => account.state.keys === 'ready');
  assert.equal(account.state.session?.username, 'ext-new-1');
  assert.equal(pairing.view?.state, 'done');
  assert.equal((await account.session().listRooms()).length, 0);
  // The store opens again with the password given for this device.
  await account.lock();
  await account.unlock('pw here');
  assert.equal(account.state.keys, 'ready');
  await account.signOut();
});

test('a cancel on the old device leaves the background signed out with nothing stored', async () => {
  const old = await stack.signUpSession({ username: 'ext-new-2', password: 'pw 2' });
  const { account, local } = background();
  await account.restore();
  const pairing = new NewDevicePairing();
  const offer = await pairing.start(account, { gateway, password: 'pw here' });
  const approval = await old.approvePairing(offer.qrText);
  await until('the code', () => pairing.view?.state === 'code');
  await approval.cancel();
  await until('failed', () => pairing.view?.state === 'failed');
  assert.match(pairing.view?.error ?? '', /cancelled/);
  assert.equal(account.state.keys, 'signed-out');
  assert.equal(local.data.size, 0, 'nothing stored');
});
