// Safety numbers and key changes against a real stack: both users compute the same number; a
// gateway that swaps Bob's keys gets them refused by Alice (nothing from the new key is accepted),
// recorded in her encrypted store (still there after a restart), a verified Bob becomes
// unverified, and only her review (accept, or verifying the new number) moves the pin.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BadSignatureError, MalformedError } from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { swapUserKeys } from '../helpers/key-change-swap.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('a swapped key is refused, shown as key-changed (also after a restart), unverifies, and moves only when accepted', async () => {
  const aliceBackend = new MemoryBackend();
  const alice = await stack.signUpSession({
    username: 'alice-kc',
    password: 'pw alice kc',
    backend: aliceBackend,
  });
  const bob = await stack.signUpSession({ username: 'bob-kc', password: 'pw bob kc' });
  const room = await alice.createRoom('Pinned');
  await alice.invite(room.roomId, 'bob-kc');

  const changes: string[][] = [];
  alice.on('contacts', ({ userIds }) => changes.push(userIds));
  const [fromAlice] = await alice.contacts.views([bob.userId]);
  const [fromBob] = await bob.contacts.views([alice.userId]);
  assert.equal(fromAlice?.trust, 'unverified');
  assert.equal(
    fromAlice?.safetyNumber?.digits,
    fromBob?.safetyNumber?.digits,
    'the same number on both sides',
  );

  // A QR that is not this pair's number marks nothing.
  const wrong = `roomkey-safety:v1:${'1'.repeat(60)}`;
  await assert.rejects(alice.contacts.verify(bob.userId, wrong), BadSignatureError);
  await assert.rejects(alice.contacts.verify(bob.userId, 'hello'), MalformedError);
  assert.equal((await alice.contacts.view(bob.userId)).trust, 'unverified');
  // Scanning Bob's QR verifies him.
  assert.equal((await alice.contacts.verify(bob.userId, fromBob!.safetyNumber!.qrText)).trust, 'verified');

  await swapUserKeys(await stack.bucket('rk_users'), stack.nats.stack.secrets.serverSecret, bob.userId);
  const changed = await alice.contacts.view(bob.userId);
  assert.equal(changed.trust, 'key-changed');
  assert.equal(changed.username, 'bob-kc');
  assert.notEqual(
    changed.safetyNumber?.digits,
    fromBob?.safetyNumber?.digits,
    'the review shows the new number',
  );
  // The new key is still refused everywhere until accepted.
  await assert.rejects(alice.invite((await alice.createRoom('Other')).roomId, 'bob-kc'), BadSignatureError);
  for (let i = 0; i < 20 && !changes.some((ids) => ids.includes(bob.userId)); i++) await sleep(50);
  assert.ok(
    changes.some((ids) => ids.includes(bob.userId)),
    'a contacts event named Bob',
  );

  // After a restart the change is still pending (kept in the encrypted store), not silently trusted.
  await alice.close();
  const again = await stack.signInSession('alice-kc', 'pw alice kc', { backend: aliceBackend });
  assert.equal((await again.contacts.view(bob.userId)).trust, 'key-changed');
  const accepted = await again.contacts.acceptKeyChange(bob.userId);
  assert.equal(accepted.trust, 'unverified', 'a verification of the old key never carries over');
  assert.equal(accepted.safetyNumber?.digits, changed.safetyNumber?.digits);
  assert.equal((await again.contacts.view(bob.userId)).trust, 'unverified');
});
