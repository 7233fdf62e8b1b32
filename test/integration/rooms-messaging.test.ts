// Two users exchange end-to-end encrypted messages through gateway-issued credentials, using the
// SDK (core/client RoomKeySession) over WebSocket as browsers do: create a room, invite by
// username, live messages both ways, history, and history again from a fresh session. Then the
// server side is read raw (admin credentials, JetStream files): nothing of it is in the clear.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { utf8 } from '../../core/bytes.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { textOf } from '../helpers/messages.ts';
import { nextMessage } from '../helpers/session-events.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

test('two users create a room, invite, and exchange messages live', async () => {
  const alice = await stack.signUpSession({ username: 'alice-m' });
  const bob = await stack.signUpSession({ username: 'bob-m' });
  const room = await alice.createRoom('Design review');
  assert.equal(room.name, 'Design review');
  assert.equal(room.status, 'member');

  const bobSeesRoom = new Promise<void>((resolve) => {
    const off = bob.on('rooms', (rooms) => {
      if (rooms.some((r) => r.roomId === room.roomId && r.status === 'member')) {
        off();
        resolve();
      }
    });
  });
  const invited = await alice.invite(room.roomId, 'bob-m');
  assert.deepEqual(invited.members.map((m) => m.username).sort(), ['alice-m', 'bob-m']);
  await bobSeesRoom;
  const bobRooms = await bob.listRooms();
  const seen = bobRooms.find((r) => r.roomId === room.roomId);
  assert.equal(seen?.name, 'Design review', 'the name is decrypted on Bob’s device');

  const atBob = nextMessage(bob, (m) => m.text === 'hello bob');
  const sent = await alice.send(room.roomId, 'hello bob');
  assert.equal(sent.status, 'sent');
  const received = await atBob;
  assert.equal(received.senderUsername, 'alice-m');
  assert.equal(received.messageId, sent.messageId);

  const atAlice = nextMessage(alice, (m) => m.text === 'hi alice');
  await bob.send(room.roomId, 'hi alice');
  assert.equal((await atAlice).senderUsername, 'bob-m');

  const progress: number[] = [];
  const history = await bob.history(room.roomId, { limit: 10, onProgress: (p) => progress.push(p.loaded) });
  assert.deepEqual(history.map(textOf), ['hello bob', 'hi alice']);
  assert.ok(progress.at(-1) === 2, `progress ${progress.join(',')}`);
});

test('history after a fresh session (a new device, password only) decrypts', async () => {
  const alice = await stack.signUpSession({ username: 'alice-h', password: 'correct horse 1' });
  const bob = await stack.signUpSession({ username: 'bob-h' });
  const room = await alice.createRoom('Notes');
  await alice.invite(room.roomId, 'bob-h', { shareHistory: true });
  for (let i = 0; i < 5; i++) await alice.send(room.roomId, `note ${i}`);
  await sleep(100);
  await bob.send(room.roomId, 'from bob');
  await alice.close();

  // A second device of Alice's: nothing local, only username + password.
  const laptop = await stack.signInSession('alice-h', 'correct horse 1', { backend: new MemoryBackend() });
  assert.notDeepEqual(laptop.deviceKey, alice.deviceKey, 'a new device key');
  const rooms = await laptop.listRooms();
  assert.equal(rooms.find((r) => r.roomId === room.roomId)?.name, 'Notes');
  const history = await laptop.history(room.roomId, { limit: 50 });
  assert.deepEqual(history.map(textOf), ['note 0', 'note 1', 'note 2', 'note 3', 'note 4', 'from bob']);
  const atBob = nextMessage(bob, (m) => m.text === 'from the laptop');
  await laptop.send(room.roomId, 'from the laptop');
  assert.equal((await atBob).senderUsername, 'alice-h');
});

test('at rest: no plaintext, room name, username or password in any stream, KV bucket or store file', async () => {
  const secrets = {
    texts: ['hello bob', 'hi alice', 'note 0', 'note 4', 'from bob', 'from the laptop'],
    names: ['Design review', 'Notes'],
    usernames: ['alice-m', 'bob-m', 'alice-h', 'bob-h'],
    passwords: ['correct horse 1'],
  };
  const appCreds = readFileSync(stackPaths(stack.nats.stack.dir).gatewayAppCreds);
  const app = stack.track(
    await wsconnect({ servers: stack.nats.wsUrl, authenticator: credsAuthenticator(appCreds) }),
  );
  const blobs: Uint8Array[] = [];
  let roomMessages = 0;
  for (const nc of [app, await stack.adminConnection()]) {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      const info = await jsm.streams.info(name);
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const m = await jsm.streams.getMessage(name, { seq }).catch(() => null);
        if (!m) continue;
        if (name.startsWith('RK_ROOMS_')) roomMessages++;
        blobs.push(utf8(m.subject), m.data, utf8(m.header?.toString() ?? ''));
      }
    }
  }
  assert.ok(roomMessages >= 10, `read ${roomMessages} room messages`);
  // And the server's files themselves (JetStream's file store keeps what it was given, as is).
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  for (const file of walk(join(stack.nats.dir, 'jetstream'))) blobs.push(readFileSync(file));
  const haystack = Buffer.concat(blobs);
  // Controls: the search sees real data (subjects, and JetStream's own files on disk).
  assert.ok(haystack.indexOf(Buffer.from('rk.v1.room.')) >= 0, 'room subjects are visible');
  assert.ok(haystack.length > 50_000, `read ${haystack.length} bytes`);
  for (const [kind, values] of Object.entries(secrets)) {
    for (const value of values) {
      assert.equal(haystack.indexOf(Buffer.from(value)), -1, `${kind}: "${value}" appears in the clear`);
    }
  }
});
