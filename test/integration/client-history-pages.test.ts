// history() of more than two pages against a real stack: pages are pulled one ahead, verified and
// opened by the session's verifier and opener (a host's worker pool; here ones that count), while
// the messages come out complete, in stored order, with a forged copy refused in place.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { aeadOpen } from '../../core/crypto/aead.ts';
import { type VerifyItem, verifyBatch } from '../../core/crypto/sign.ts';
import type { BatchOpener } from '../../core/room/index.ts';
import { roomSubject } from '../../core/transport/subjects.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { textOf } from '../helpers/messages.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

const COUNT = 1_050; // more than four pages of history()'s 256

test('a history of several pages is verified by the session verifier, complete and in order, a forgery refused', async () => {
  const batches: number[] = [];
  const verifier = (items: readonly VerifyItem[]) => {
    batches.push(items.length);
    return verifyBatch(items);
  };
  const alice = await stack.signUpSession({ username: 'alice-hp' });
  let opened = 0;
  const opener: BatchOpener = async (items) => {
    opened += items.length;
    return items.map((i) => aeadOpen(i.key, i.nonce, i.ciphertext, i.aad));
  };
  const bob = await stack.signUpSession({ username: 'bob-hp', verifier, opener });
  const room = await alice.createRoom('Pages');
  await alice.invite(room.roomId, 'bob-hp');
  const texts = Array.from({ length: COUNT }, (_, i) => `m${i}`);
  for (let i = 0; i < COUNT; i += 50)
    await Promise.all(texts.slice(i, i + 50).map((t) => alice.send(room.roomId, t)));
  // A copy of a stored envelope with its last byte (its signature's) changed, stored by Alice's device.
  const subject = roomSubject(room.roomId, 'msg');
  const appCreds = readFileSync(stackPaths(stack.nats.stack.dir).gatewayAppCreds);
  const app = stack.track(
    await wsconnect({ servers: stack.nats.wsUrl, authenticator: credsAuthenticator(appCreds) }),
  );
  const jsm = await jetstreamManager(app);
  const stream = await jsm.streams.find(subject);
  const last = await jsm.streams.getMessage(stream, { last_by_subj: subject });
  const forged = Uint8Array.from(last!.data);
  forged[forged.length - 1]! ^= 1;
  await jetstream(alice.nc).publish(subject, forged, { msgID: 'forged-copy' });
  await alice.send(room.roomId, 'after the forgery');

  const history = await bob.history(room.roomId, { limit: 2_000 });
  // Sent 50 at a time, so stored in any order within each 50: the stored order is the sequence's.
  const read = history.map(textOf);
  assert.deepEqual(
    [...read].sort(),
    [...texts, 'after the forgery'].sort(),
    'every message once, none forged',
  );
  assert.equal(read.at(-1), 'after the forgery');
  const seqs = history.map((m) => m.seq);
  assert.ok(
    seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!),
    'in stored order across pages',
  );
  const asked = batches.reduce((a, b) => a + b, 0);
  assert.equal(asked, COUNT + 2, `the verifier was asked for every envelope (${batches.join(', ')})`);
  assert.ok(batches.length >= 5, `one batch per page (${batches.join(', ')})`);
  assert.equal(opened, COUNT + 2, 'every envelope opened ahead by the session opener');
});
