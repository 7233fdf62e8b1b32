// Short-lived device JWTs under the SDK: the session refreshes before expiry and reconnects (so
// the server applies the new JWT), across several lifetimes, without losing messages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionState } from '../../core/client/types.ts';
import { nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const LIFETIME_MS = 2500;
let stack: TestStack;
before(async () => {
  stack = await startStack({ jwtLifetimeMs: LIFETIME_MS });
  await stack.startGateway();
});
after(() => stack?.stop());

test('sessions outlive several JWT lifetimes and keep exchanging messages', async () => {
  const alice = await stack.signUpSession({ username: 'alice-j' });
  const bob = await stack.signUpSession({ username: 'bob-j' });
  const room = await alice.createRoom('Long call');
  await alice.invite(room.roomId, 'bob-j');
  await bob.listRooms();
  const states: ConnectionState[] = [];
  bob.on('connection', (s) => states.push(s));
  const start = Date.now();
  let i = 0;
  while (Date.now() - start < LIFETIME_MS * 3) {
    const text = `tick ${i++}`;
    const got = nextMessage(bob, (m) => m.text === text, 8000);
    await alice.send(room.roomId, text);
    await got;
    await sleep(400);
  }
  assert.equal(alice.connection, 'online');
  assert.equal(bob.connection, 'online');
  assert.ok(states.includes('reconnecting'), `refreshes reconnected (${states.join(',')})`);
  const history = await bob.history(room.roomId, { limit: 100 });
  assert.equal(history.length, i, 'every message stored once');
});
