import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { fromUtf8, utf8 } from '../../../core/bytes.ts';
import { decode, encode } from '../../../core/codec.ts';
import {
  generateEpochSecret,
  LABEL_EPOCH_COMMIT,
  sealToRoom,
  signBody,
  verifySigned,
  wrapEpochSecrets,
} from '../../../core/crypto/index.ts';
import {
  BadSignatureError,
  ConflictError,
  MalformedError,
  NotMemberError,
  ReplayError,
  type RoomKeyError,
  UnknownEpochError,
} from '../../../core/errors.ts';
import { type MemoryDirectory, type ReceiveResult, Room } from '../../../core/room/index.ts';
import { v1 } from '../../../proto/index.ts';
import type { TestUser } from '../../helpers/users.ts';
import { roomFixture } from './_room-fixtures.ts';

const now = 1_764_000_000_000;

function text(result: ReceiveResult | RoomKeyError): string {
  if (result instanceof Error) throw result;
  assert.equal(result.status, 'ok');
  return result.status === 'ok' ? result.message.text : '';
}

describe('room state machine', () => {
  let directory: MemoryDirectory;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let mallory: TestUser;
  let room: Room;

  beforeEach(async () => {
    ({
      directory,
      room,
      users: [alice, bob, carol, mallory],
    } = await roomFixture(['alice', 'bob', 'carol', 'mallory'], now, { name: 'Launch plans' }));
  });

  /** Bob's view of Alice's room: genesis then every commit so far. */
  async function follow(user: TestUser, source: Room): Promise<Room> {
    const copy = await Room.fromGenesis(source.genesisSigned, user.me, directory);
    for (let e = 1; e <= source.epoch; e++) await copy.applyCommit(source.signedAt(e));
    return copy;
  }

  it('creates epoch 0 with the creator as only member and reads its own messages', async () => {
    assert.equal(room.epoch, 0);
    assert.deepEqual(room.members, ['alice']);
    assert.equal(room.status, 'member');
    const { envelope } = await room.encrypt('hello', { nowMs: now });
    assert.equal(text(await room.receive(envelope)), 'hello');
  });

  it('adds a member in a new epoch; the newcomer reads from there on, not before', async () => {
    const before = await room.encrypt('before bob', { nowMs: now });
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    assert.equal(room.epoch, 1);
    assert.deepEqual(room.members, ['alice', 'bob']);
    const bobs = await follow(bob, room);
    assert.equal(bobs.status, 'member');
    const after = await room.encrypt('after bob', { nowMs: now });
    assert.equal(text(await bobs.receive(after.envelope)), 'after bob');
    await assert.rejects(bobs.receive(before.envelope), (e: unknown) => {
      assert.ok(e instanceof UnknownEpochError);
      assert.match(e.message, /history was not shared/);
      return true;
    });
    const reply = await bobs.encrypt('hi alice', { nowMs: now });
    assert.equal(text(await room.receive(reply.envelope)), 'hi alice');
  });

  it('shares earlier epochs with a newcomer when asked (history policy)', async () => {
    const before = await room.encrypt('old news', { nowMs: now });
    await room.applyCommit(await room.add(['bob'], { nowMs: now, shareHistory: true }));
    const bobs = await follow(bob, room);
    assert.equal(text(await bobs.receive(before.envelope)), 'old news');
  });

  it('removes a member: a new epoch they get no key for, a clear removed state', async () => {
    await room.applyCommit(await room.add(['bob', 'carol'], { nowMs: now }));
    const bobs = await follow(bob, room);
    const removal = await room.remove(['bob'], { nowMs: now });
    const body = decode(v1.EpochCommitBody, await verifySigned(LABEL_EPOCH_COMMIT, removal), 'commit');
    assert.deepEqual(body.keyWraps.map((w) => w.recipientUserId).sort(), ['alice', 'carol']);
    await room.applyCommit(removal);
    await bobs.applyCommit(removal);
    assert.equal(bobs.status, 'removed');
    const secret = await room.encrypt('bob must not read this', { nowMs: now });
    await assert.rejects(bobs.receive(secret.envelope), (e: unknown) => {
      assert.ok(e instanceof NotMemberError);
      assert.match(e.message, /removed from this room at epoch 2/);
      return true;
    });
    await assert.rejects(bobs.encrypt('still here?', { nowMs: now }), NotMemberError);
    await assert.rejects(bobs.rotate({ nowMs: now }), NotMemberError);
  });

  it('keeps the encrypted name across epochs, renames, and hides it from non-members', async () => {
    assert.equal(room.info.name, 'Launch plans');
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    const bobs = await follow(bob, room);
    assert.equal(bobs.info.name, 'Launch plans', 'the newcomer reads the name of the epoch it joined');
    await room.applyCommit(await room.rename({ name: 'Launch 🚀', topic: 'Q3' }, { nowMs: now }));
    await bobs.applyCommit(room.signedAt(2));
    assert.deepEqual(bobs.info, { name: 'Launch 🚀', topic: 'Q3' });
    const outsider = await follow(carol, room);
    assert.deepEqual(outsider.info, { name: '', topic: '' });
    for (let e = 0; e <= room.epoch; e++) {
      assert.ok(!Buffer.from(room.signedAt(e).body).includes('Launch'), 'the name never appears in clear');
    }
  });

  it('lets a keyless observer (the gateway) verify the chain but never read', async () => {
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    const observer = await Room.observe(room.genesisSigned, directory);
    await observer.applyCommit(room.signedAt(1));
    assert.deepEqual(observer.members, ['alice', 'bob']);
    assert.equal(observer.status, 'outside');
    assert.equal(observer.view().readable, false);
    const { envelope } = await room.encrypt('not for the server', { nowMs: now });
    await assert.rejects(observer.receive(envelope), UnknownEpochError);
    await assert.rejects(observer.rotate({ nowMs: now }), NotMemberError);
  });

  it('rotates: same members, new room public key', async () => {
    const before = room.view().roomPublicKey;
    await room.applyCommit(await room.rotate({ nowMs: now }));
    assert.equal(room.epoch, 1);
    assert.deepEqual(room.members, ['alice']);
    assert.notDeepEqual(room.view().roomPublicKey, before);
  });

  it('rejects a replayed message', async () => {
    const { envelope } = await room.encrypt('once', { nowMs: now });
    await room.receive(envelope);
    await assert.rejects(room.receive(envelope), ReplayError);
  });

  it('holds a message of an epoch not known yet and releases it when the commit arrives', async () => {
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    const bobs = await follow(bob, room);
    const rotation = await room.rotate({ nowMs: now });
    await room.applyCommit(rotation);
    const early = await room.encrypt('from the future', { nowMs: now });
    const held = await bobs.receive(early.envelope);
    assert.equal(held.status, 'held');
    assert.equal(held.status === 'held' && held.epoch, 2);
    assert.equal(bobs.heldCount, 1);
    const { released } = await bobs.applyCommit(rotation);
    assert.equal(released.length, 1);
    assert.equal(text(released[0]!), 'from the future');
    assert.equal(bobs.heldCount, 0);
  });

  it('rejects a message from a certified user who is not a member', async () => {
    const mallorys = await Room.fromGenesis(room.genesisSigned, mallory.me, directory);
    await assert.rejects(mallorys.encrypt('let me in', { nowMs: now }), NotMemberError);
    // Mallory forges an envelope with a key she does not have: the membership check stops it first.
    const forged = await forgeEnvelope(room, mallory);
    await assert.rejects(room.receive(forged), NotMemberError);
  });

  it('rejects a tampered signature and an uncertified device', async () => {
    const { envelope } = await room.encrypt('signed', { nowMs: now });
    const decoded = v1.Envelope.decode(envelope);
    const signature = Uint8Array.from(decoded.signature);
    signature[0]! ^= 1;
    await assert.rejects(room.receive(encode(v1.Envelope, { ...decoded, signature })), BadSignatureError);
    directory.revokeDevice(alice.me.device.publicKey);
    await assert.rejects(room.receive(envelope), BadSignatureError);
  });

  it('lets only one of two concurrent commits win; the other is a typed conflict', async () => {
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    const bobs = await follow(bob, room);
    const fromAlice = await room.add(['carol'], { nowMs: now });
    const fromBob = await bobs.rotate({ nowMs: now });
    await room.applyCommit(fromAlice);
    await assert.rejects(room.applyCommit(fromBob), ConflictError);
    await bobs.applyCommit(fromBob);
    await assert.rejects(bobs.applyCommit(fromAlice), ConflictError);
    await room.applyCommit(fromAlice); // redelivery of the applied commit is a no-op
    assert.equal(room.epoch, 2);
  });

  it('refuses commits from non-members and from skipped epochs', async () => {
    const mallorys = await Room.fromGenesis(room.genesisSigned, mallory.me, directory);
    await assert.rejects(mallorys.add(['mallory'], { nowMs: now }), NotMemberError);
    const first = await room.add(['bob'], { nowMs: now });
    await room.applyCommit(first);
    const second = await room.rotate({ nowMs: now });
    const late = await Room.fromGenesis(room.genesisSigned, carol.me, directory);
    await assert.rejects(late.applyCommit(second), ConflictError);
  });

  it('rejects a commit whose key wrap does not match the room public key', async () => {
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    const bobs = await follow(bob, room);
    const honest = await room.rotate({ nowMs: now });
    const body = decode(v1.EpochCommitBody, await verifySigned(LABEL_EPOCH_COMMIT, honest), 'commit');
    const bobIdentity = await directory.identity('bob');
    const lie = await wrapEpochSecrets({
      roomId: room.roomId,
      epoch: body.epoch,
      recipientUserId: 'bob',
      recipientHpkeKey: bobIdentity.hpkeKey,
      secrets: [{ epoch: body.epoch, secret: generateEpochSecret() }],
    });
    const keyWraps = body.keyWraps.map((w) => (w.recipientUserId === 'bob' ? lie : w));
    const forged = await signBody(
      LABEL_EPOCH_COMMIT,
      encode(v1.EpochCommitBody, { ...body, keyWraps }),
      alice.me.device.secretKey,
    );
    await assert.rejects(bobs.applyCommit(forged), (e: unknown) => {
      assert.ok(e instanceof MalformedError);
      assert.match(e.message, /does not match the room public key/);
      return true;
    });
    assert.equal(bobs.epoch, 1, 'a rejected commit changes nothing');
  });

  it('restores from a snapshot with keys, replay memory and held messages', async () => {
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    const bobs = await follow(bob, room);
    const seen = await room.encrypt('seen', { nowMs: now });
    assert.equal(text(await bobs.receive(seen.envelope)), 'seen');
    const rotation = await room.rotate({ nowMs: now });
    await room.applyCommit(rotation);
    const future = await room.encrypt('future', { nowMs: now });
    assert.equal((await bobs.receive(future.envelope)).status, 'held');
    const snapshot = decode(v1.RoomSnapshot, bobs.encodeSnapshot(), 'snapshot');
    const restored = await Room.restore(snapshot, bob.me, directory);
    assert.equal(restored.heldCount, 1);
    await assert.rejects(restored.receive(seen.envelope), ReplayError);
    const { released } = await restored.applyCommit(rotation);
    assert.equal(text(released[0]!), 'future');
  });

  it('catches up in a batch: good ones decrypt, bad ones keep their typed error in place', async () => {
    const sent = await Promise.all(['one', 'two', 'three'].map((t) => room.encrypt(t, { nowMs: now })));
    const tampered = v1.Envelope.decode(sent[1]!.envelope);
    const ciphertext = Uint8Array.from(tampered.ciphertext);
    ciphertext[3]! ^= 0x80;
    const batch = [
      sent[0]!.envelope,
      encode(v1.Envelope, { ...tampered, ciphertext }),
      sent[2]!.envelope,
      sent[0]!.envelope,
      new Uint8Array([0xff, 0xff]),
    ];
    const results = await room.receiveMany(batch);
    assert.equal(text(results[0]!), 'one');
    assert.ok(
      results[1] instanceof BadSignatureError,
      'ciphertext is signed: a flipped bit fails the signature',
    );
    assert.equal(text(results[2]!), 'three');
    assert.ok(results[3] instanceof ReplayError);
    assert.ok(results[4] instanceof MalformedError);
  });

  it('opens what anyone sealed to the room public key', async () => {
    const view = room.view();
    const sealed = await sealToRoom({
      roomId: room.roomId,
      epoch: view.epoch,
      roomPublicKey: view.roomPublicKey,
      plaintext: utf8('notice from an integration'),
    });
    assert.equal(fromUtf8(await room.openSealed(sealed)), 'notice from an integration');
  });
});

/** An envelope signed by `user`'s real device but encrypted with a key that is not the room's. */
async function forgeEnvelope(room: Room, user: TestUser): Promise<Uint8Array> {
  const { sealEnvelope, encodeEnvelope, encodeMessageContent } = await import(
    '../../../core/crypto/index.ts'
  );
  const parts = await sealEnvelope({
    roomId: room.roomId,
    epoch: room.epoch,
    senderUserId: user.me.userId,
    sentAtMs: now,
    contentType: 1,
    plaintext: encodeMessageContent({ text: 'forged' }),
    messageKey: generateEpochSecret(),
    deviceSecretKey: user.me.device.secretKey,
  });
  return encodeEnvelope(parts);
}
