// Hostile input on every gateway subject added for the directory, rooms, admin, offline refresh
// and enrollment: garbage, the wrong message type, oversized requests, broken fields, forged or
// misattributed signatures, replays. Each gets a typed error; nothing is stored (KV buckets and
// room streams unchanged); the gateway keeps serving.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, type NatsConnection, wsconnect } from '@nats-io/nats-core';
import { randomBytes } from '@noble/hashes/utils.js';
import { u64be } from '../../core/bytes.ts';
import { commitRequest, createRoomRequest } from '../../core/client/gateway-api.ts';
import { GatewayDirectory } from '../../core/client/gateway-directory.ts';
import { decode, encode } from '../../core/codec.ts';
import { labeledMessage, sign } from '../../core/crypto/index.ts';
import {
  BadSignatureError,
  ConflictError,
  ExpiredError,
  ForbiddenError,
  MalformedError,
  NotFoundError,
  NotMemberError,
  ReplayError,
  type RoomKeyError,
  TooLargeError,
} from '../../core/errors.ts';
import { type LocalMember, newRoomId, Room } from '../../core/room/index.ts';
import { LABEL_REFRESH_OFFLINE } from '../../core/transport/proof-labels.ts';
import { newReplyKey } from '../../core/transport/reply-seal.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import {
  ADMIN_SUBJECTS,
  DIRECTORY_SUBJECTS,
  LOGIN_SUBJECTS,
  ROOM_SUBJECTS,
} from '../../core/transport/subjects.ts';
import { BUCKETS } from '../../gateway/buckets.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { v1 } from '../../proto/index.ts';
import { refusal } from '../helpers/refusal.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
let admin: NatsConnection;
let app: NatsConnection;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
  admin = await stack.adminConnection();
  app = stack.track(
    await wsconnect({
      servers: stack.nats.wsUrl,
      authenticator: credsAuthenticator(readFileSync(stackPaths(stack.nats.stack.dir).gatewayAppCreds)),
    }),
  );
});
after(() => stack?.stop());

/** Messages in every gateway bucket and every room stream: "nothing stored" means no change. */
async function stored(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const kv = await jetstreamManager(admin);
  for (const name of Object.values(BUCKETS)) {
    if (name === BUCKETS.presence) continue; // beacons come and go on their own
    out[name] = (await kv.streams.info(`KV_${name}`)).state.messages;
  }
  const rooms = await jetstreamManager(app);
  for await (const name of rooms.streams.names()) out[name] = (await rooms.streams.info(name)).state.messages;
  return out;
}

async function expect(
  nc: NatsConnection,
  subject: string,
  body: Uint8Array,
  type: new (...a: never[]) => RoomKeyError,
  what: string,
  replyKey?: Uint8Array,
): Promise<void> {
  const error = await refusal(nc, subject, body, replyKey);
  assert.ok(error instanceof type, `${what}: expected ${type.name}, got ${error.name}: ${error.message}`);
}

async function rawMember() {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const member: LocalMember = {
    userId: user.userId,
    userKeys: user.keys,
    device: { secretKey: device.secretKey, publicKey: device.publicKey },
  };
  return { user, device, member, nc: me.nc, directory: new GatewayDirectory(() => me.nc) };
}

test('garbage, wrong type and oversized requests on every new device subject', async () => {
  const { nc } = await rawMember();
  const before = await stored();
  const wrongType = encode(v1.LoginStartRequest, {
    username: 'alice',
    credentialRequest: randomBytes(96),
    replyKey: newReplyKey(),
  });
  const subjects = [
    ...Object.values(DIRECTORY_SUBJECTS),
    ...Object.values(ROOM_SUBJECTS),
    ...Object.values(ADMIN_SUBJECTS),
  ];
  for (const subject of subjects) {
    const oversized = await refusal(nc, subject, new Uint8Array(1024 * 1024 - 1024).fill(7));
    assert.ok(oversized instanceof TooLargeError, `${subject} oversized: ${oversized.name}`);
    if (subject === ROOM_SUBJECTS.list) continue; // takes no input: anything small is an empty request
    await expect(nc, subject, randomBytes(97).fill(0xff, 0, 1), MalformedError, `${subject} garbage`);
    await expect(nc, subject, wrongType, MalformedError, `${subject} wrong type`);
    await expect(nc, subject, new Uint8Array(0), MalformedError, `${subject} empty`);
  }
  assert.deepEqual(await stored(), before, 'nothing stored');
});

test('broken fields, forged and misattributed signatures, replays: typed errors, nothing stored', async () => {
  const alice = await rawMember();
  const bob = await rawMember();
  const dir = (query: object) => encode(v1.DirectoryRequest, query);
  await expect(alice.nc, DIRECTORY_SUBJECTS.user, dir({ username: 'x' }), MalformedError, 'short username');
  await expect(
    alice.nc,
    DIRECTORY_SUBJECTS.user,
    dir({ username: 'nobody-here' }),
    NotFoundError,
    'unknown user',
  );
  await expect(alice.nc, DIRECTORY_SUBJECTS.identity, dir({ userId: 'a b' }), MalformedError, 'bad user id');
  await expect(
    alice.nc,
    DIRECTORY_SUBJECTS.devices,
    dir({ userId: 'x'.repeat(200) }),
    MalformedError,
    'long id',
  );
  await expect(
    alice.nc,
    DIRECTORY_SUBJECTS.device,
    dir({ deviceKey: randomBytes(5) }),
    MalformedError,
    'short key',
  );
  await expect(
    alice.nc,
    DIRECTORY_SUBJECTS.device,
    dir({ deviceKey: randomBytes(32) }),
    NotFoundError,
    'unknown key',
  );

  // A real room, made the right way, to aim at.
  const room = await Room.create({
    me: alice.member,
    directory: alice.directory,
    roomId: newRoomId(),
    orgId: 'default',
    projectId: 'default',
    nowMs: Date.now(),
  });
  await createRoomRequest(alice.nc, room.genesisSigned);
  const before = await stored();

  const genesis = room.genesisSigned;
  const create = (g: object) => encode(v1.CreateRoomRequest, { genesis: g });
  await expect(alice.nc, ROOM_SUBJECTS.create, create(genesis), ConflictError, 'replayed genesis');
  await expect(bob.nc, ROOM_SUBJECTS.create, create(genesis), ForbiddenError, 'someone else’s genesis');
  const flipped = { ...genesis, signature: genesis.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
  await expect(alice.nc, ROOM_SUBJECTS.create, create(flipped), BadSignatureError, 'tampered genesis');
  await expect(
    alice.nc,
    ROOM_SUBJECTS.create,
    create({ body: randomBytes(50), signature: randomBytes(64), signer: alice.device.publicKey }),
    BadSignatureError,
    'garbage genesis',
  );
  const elsewhere = await Room.create({
    me: alice.member,
    directory: alice.directory,
    roomId: newRoomId(),
    orgId: 'default',
    projectId: 'no-such-project',
    nowMs: Date.now(),
  });
  await expect(
    alice.nc,
    ROOM_SUBJECTS.create,
    create(elsewhere.genesisSigned),
    NotFoundError,
    'unknown project',
  );
  const badOrg = await Room.create({
    me: alice.member,
    directory: alice.directory,
    roomId: newRoomId(),
    orgId: 'bad org!',
    projectId: 'default',
    nowMs: Date.now(),
  });
  await expect(alice.nc, ROOM_SUBJECTS.create, create(badOrg.genesisSigned), MalformedError, 'bad org id');

  const rotate = await room.rotate({ nowMs: Date.now() });
  const commit = (roomId: string, c: object) => encode(v1.CommitRequest, { roomId, commit: c });
  await expect(alice.nc, ROOM_SUBJECTS.commit, commit('not-a-room', rotate), MalformedError, 'bad room id');
  await expect(
    alice.nc,
    ROOM_SUBJECTS.commit,
    commit(newRoomId(), rotate),
    MalformedError,
    'commit for another room',
  );
  await expect(
    bob.nc,
    ROOM_SUBJECTS.commit,
    commit(room.roomId, rotate),
    ForbiddenError,
    'sent by another device',
  );
  const forged = { ...rotate, signature: rotate.signature.map((b, i) => (i === 5 ? b ^ 1 : b)) };
  await expect(
    alice.nc,
    ROOM_SUBJECTS.commit,
    commit(room.roomId, forged),
    BadSignatureError,
    'tampered commit',
  );
  await expect(
    alice.nc,
    ROOM_SUBJECTS.commit,
    commit(room.roomId, { body: rotate.body }),
    MalformedError,
    'unsigned',
  );
  const commits = encode(v1.CommitsRequest, { roomId: room.roomId });
  await expect(bob.nc, ROOM_SUBJECTS.commits, commits, NotMemberError, 'outsider reads commits');
  await expect(
    bob.nc,
    ROOM_SUBJECTS.cursor,
    encode(v1.CursorRequest, { roomId: room.roomId }),
    NotMemberError,
    'outsider cursor',
  );
  await expect(
    alice.nc,
    ROOM_SUBJECTS.cursor,
    encode(v1.CursorRequest, { roomId: 'x/y' }),
    MalformedError,
    'bad id cursor',
  );
  assert.deepEqual(await stored(), before, 'nothing stored by refused requests');

  // The good commit is stored once. Sent again by its device (a reply lost with a node: issue 13)
  // it gets the first answer and stores nothing; sent by anyone else it is refused.
  const first = await commitRequest(alice.nc, room.roomId, rotate);
  const afterGood = await stored();
  const again = await commitRequest(alice.nc, room.roomId, rotate);
  assert.deepEqual([again.epoch, Number(again.seq)], [first.epoch, Number(first.seq)], 'replayed commit');
  assert.deepEqual(await stored(), afterGood, 'nothing stored by a replayed commit');
  await expect(
    bob.nc,
    ROOM_SUBJECTS.commit,
    commit(room.roomId, rotate),
    ForbiddenError,
    'replayed by another',
  );
  const stale = await room.rename({ name: 'stale' }, { nowMs: Date.now() }); // built on epoch 0 again
  await expect(alice.nc, ROOM_SUBJECTS.commit, commit(room.roomId, stale), ConflictError, 'stale parent');

  const org = (p: object) => encode(v1.OrgPolicy, p);
  await expect(alice.nc, ADMIN_SUBJECTS.org, org({ orgId: 'bad id!' }), MalformedError, 'bad org id');
  await expect(
    alice.nc,
    ADMIN_SUBJECTS.org,
    org({ orgId: 'o1', rules: { invite: 9 } }),
    MalformedError,
    'role out of range',
  );
  await expect(
    alice.nc,
    ADMIN_SUBJECTS.org,
    org({ orgId: 'o1', grants: [{ userId: 'x y', role: 2 }] }),
    MalformedError,
    'bad grant',
  );
  await expect(
    alice.nc,
    ADMIN_SUBJECTS.org,
    org({ orgId: 'default', rules: {} }),
    ForbiddenError,
    'not an admin of default',
  );
  await expect(
    alice.nc,
    ADMIN_SUBJECTS.project,
    encode(v1.ProjectPolicy, { orgId: 'nope', projectId: 'p' }),
    NotFoundError,
    'no org',
  );
  await expect(
    bob.nc,
    ADMIN_SUBJECTS.room,
    encode(v1.RoomPolicy, { roomId: room.roomId, grants: [{ userId: bob.user.userId, role: 4 }] }),
    ForbiddenError,
    'outsider grants himself',
  );
  await expect(
    alice.nc,
    ADMIN_SUBJECTS.get,
    encode(v1.PolicyGetRequest, { orgId: 'nope' }),
    NotFoundError,
    'get unknown org',
  );
  assert.deepEqual(await stored(), afterGood, 'nothing stored by refused requests');
});

test('offline refresh and enrollment: forged, stale and replayed requests', async () => {
  const { device } = await rawMember();
  const anon = await stack.loginConnection();
  const before = await stored();
  const offline = async (requestedAtMs: number, key = device.secretKey, replyKey = newReplyKey()) => {
    const proof = await sign(
      labeledMessage(LABEL_REFRESH_OFFLINE, device.publicKey, u64be(requestedAtMs), replyKey),
      key,
    );
    return {
      body: encode(v1.RefreshRequest, { deviceKey: device.publicKey, requestedAtMs, proof, replyKey }),
      replyKey,
    };
  };
  const forged = await offline(Date.now(), randomBytes(32));
  await expect(
    anon,
    LOGIN_SUBJECTS.deviceRefresh,
    forged.body,
    BadSignatureError,
    'forged proof',
    forged.replyKey,
  );
  const old = await offline(Date.now() - 10 * 60_000);
  await expect(anon, LOGIN_SUBJECTS.deviceRefresh, old.body, ExpiredError, 'stale proof', old.replyKey);
  // A proof for another reply key does not verify (it binds the key the reply is sealed with).
  const good = await offline(Date.now());
  const otherKey = newReplyKey();
  const moved = encode(v1.RefreshRequest, {
    ...decode(v1.RefreshRequest, good.body, 'r'),
    replyKey: otherKey,
  });
  await expect(
    anon,
    LOGIN_SUBJECTS.deviceRefresh,
    moved,
    BadSignatureError,
    'proof moved to another reply key',
    otherKey,
  );
  assert.deepEqual(await stored(), before, 'nothing stored');
  await gatewayRequest(anon, LOGIN_SUBJECTS.deviceRefresh, good.body, { replyKey: good.replyKey });
  await expect(anon, LOGIN_SUBJECTS.deviceRefresh, good.body, ReplayError, 'replayed refresh', good.replyKey);

  const replyKey = newReplyKey();
  const enroll = encode(v1.EnrollDeviceRequest, {
    enrollToken: randomBytes(120),
    deviceCertificate: device.certificate,
    replyKey,
  });
  await expect(anon, LOGIN_SUBJECTS.deviceEnroll, enroll, MalformedError, 'forged enroll token', replyKey);
});

test('after all that, the gateway still serves rooms', async () => {
  const alice = await stack.signUpSession({ username: 'alice-z' });
  const room = await alice.createRoom('Still fine');
  const sent = await alice.send(room.roomId, 'ok');
  assert.equal(sent.status, 'sent');
});
