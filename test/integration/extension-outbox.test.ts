// The outbox under the extension (issue 17 §4): the background's session (extension/lib's Account
// over sdk-wiring's SdkSession, in Node with in-memory extension storage) against a real stack.
// Alice's background reaches nats-server through a TCP relay the test cuts: a page's message sent
// meanwhile is kept ("not sent yet", an `outbox` event for the pages), encrypted in storage.local;
// another is discarded. The browser restarts (storage.session gone, a new background, locked),
// the network comes back, Alice unlocks: the kept message goes out with its one message id and
// Bob receives it exactly once; the discarded one never. Bound: 60 s.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredMessage } from '../../core/client/types.ts';
import { UnavailableError } from '../../core/errors.ts';
import { ExtensionStorageBackend } from '../../core/store/index.ts';
import { Account } from '../../extension/lib/account.ts';
import type { SessionEvents } from '../../extension/lib/background-session.ts';
import { createSessionFactory } from '../../extension/lib/sdk-wiring.ts';
import { SessionUnlockCache } from '../../extension/lib/unlock-cache.ts';
import { Deliveries, until } from '../helpers/fault-traffic.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';
import { FakeArea } from '../unit/extension/fakes.ts';
import { relayedNats } from './helpers/tcp-relay.ts';

const CHEAP = { t: 1, mKib: 256, p: 1 };
const PASSWORD = 'alice password';
let stack: TestStack;
let server: Server | undefined;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(async () => {
  server?.close();
  await stack?.stop();
});

/** The deployment's roomkey-config.json, with the NATS WebSocket behind the test's relay. */
async function configServer(servers: string): Promise<string> {
  const config = JSON.stringify({
    version: 1,
    natsWebSocketUrl: servers,
    loginJwt: stack.nats.stack.public.loginJwt,
  });
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(config);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

/** A background over `local` (storage.local); a new `session` area is a browser restart. */
function background(local: FakeArea, session = new FakeArea()) {
  const outbox: SessionEvents['outbox'][] = [];
  const account = new Account({
    backend: new ExtensionStorageBackend(local),
    sessions: createSessionFactory({ area: local, deviceName: 'extension', storeParams: CHEAP }),
    unlockCache: new SessionUnlockCache(session),
    argon2: CHEAP,
    onState: () => undefined,
    onEvent: (type, detail) => {
      if (type === 'outbox') outbox.push(detail as SessionEvents['outbox']);
    },
  });
  return { account, outbox };
}

test('sent while the extension is offline: kept, discardable, sent once after a browser restart', {
  timeout: 60_000,
}, async (t) => {
  const { relay, servers } = await relayedNats(stack.nats.wsUrl, t);
  const gateway = await configServer(servers);
  const local = new FakeArea();
  const first = background(local);
  t.after(() => first.account.lock());
  await first.account.restore();
  await first.account.signUp({ gateway, username: 'alice-xo', password: PASSWORD });
  const bob = await stack.signUpSession({ username: 'bob-xo' });
  const alice = first.account.session();
  const { roomId } = await alice.createRoom('Outbox in the extension');
  await alice.invite(roomId, 'bob-xo', { shareHistory: false });
  await eventually('bob follows the room', async () =>
    (await bob.listRooms()).some((r) => r.roomId === roomId),
  );
  const deliveries = new Deliveries(bob, roomId);
  t.after(() => deliveries.stop());
  const atBob: StoredMessage[] = [];
  t.after(bob.on('message', (m) => m.roomId === roomId && atBob.push(m)));

  relay.cut();
  await until(() => first.account.state.connection !== 'online', 10_000, 'the background is offline');
  const text = 'sent from the page while the extension was offline';
  await assert.rejects(alice.send(roomId, text), UnavailableError, 'the page hears it was not sent');
  const [kept] = (await alice.unsent?.(roomId)) ?? [];
  assert.ok(kept, 'the background kept it');
  assert.equal(kept.status, 'unsent');
  assert.equal(kept.text, text);
  assert.ok(
    first.outbox.some((o) => o.roomId === roomId && o.unsent.some((m) => m.messageId === kept.messageId)),
    'the pages were told (outbox event)',
  );

  const dropped = 'this one is discarded';
  await assert.rejects(alice.send(roomId, dropped), UnavailableError);
  const discard = (await alice.unsent!(roomId)).find((m) => m.text === dropped)!;
  await alice.discardSend!(roomId, discard.messageId);
  assert.deepEqual(
    (await alice.unsent!(roomId)).map((m) => m.messageId),
    [kept.messageId],
    'Discard removes it',
  );
  assert.deepEqual(
    first.outbox.at(-1)?.unsent.map((m) => m.messageId),
    [kept.messageId],
  );

  // Encrypted at rest in storage.local: no stored value holds the text.
  for (const [key, value] of local.data) assert.ok(!value.includes('extension was offline'), `in ${key}`);

  // The browser restarts: storage.session is gone, the new background starts locked.
  await first.account.lock();
  const second = background(local);
  t.after(() => second.account.lock());
  await second.account.restore();
  assert.equal(second.account.state.keys, 'locked');
  relay.restore();
  await second.account.unlock(PASSWORD);
  assert.deepEqual(await deliveries.waitFor([kept.messageId], 20_000), [], 'bob gets it');
  await eventually(
    'the outbox empty',
    async () => (await second.account.session().unsent!(roomId)).length === 0,
  );
  assert.deepEqual(second.outbox.at(-1), { roomId, unsent: [] }, 'the pages hear the outbox emptied');
  await sleep(1500); // a second copy would be here by now
  assert.deepEqual(deliveries.duplicates(), [], 'received once');
  assert.equal(atBob.filter((m) => m.status === 'received' && m.text === text).length, 1);
  assert.equal(atBob.filter((m) => m.status === 'received' && m.text === dropped).length, 0, 'never');
  await second.account.lock();
});
