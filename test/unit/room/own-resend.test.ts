// A sender judges its own stored messages by the receivers' position rule (Room.refusedByPosition,
// core/room/replay-guard.ts storedPastGrace) and sends a refused one again with the same message
// id in the current epoch: a receiver that refused the first copy takes the second, one that took
// the first refuses the second as already received, so each shows it once (core/client/resend.ts).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { joinedSince, OwnSends } from '../../../core/client/resend.ts';
import { MalformedError, ReplayError, type RoomKeyError } from '../../../core/errors.ts';
import { type MemoryDirectory, REPLAY_GRACE_MS, type ReceiveResult, Room } from '../../../core/room/index.ts';
import type { TestUser } from '../../helpers/users.ts';
import { roomFixture } from './_room-fixtures.ts';

const T0 = 1_764_000_000_000;
const SECOND = 1000;
const ROTATED = T0 + 10 * SECOND;

function text(result: ReceiveResult | RoomKeyError): string {
  if (result instanceof Error) throw result;
  return result.status === 'ok' ? result.message.text : '';
}

const byPosition = (e: unknown) => e instanceof ReplayError && /had been replaced/.test(e.message);
const bySeenId = (e: unknown) => e instanceof ReplayError && /already received/.test(e.message);

describe('a message refused by position, judged by its sender and sent again', () => {
  let directory: MemoryDirectory;
  let bob: TestUser;
  let alice: Room;
  let bobs: Room;
  let seq = 0;
  const at = (bytes: Uint8Array, storedAtMs: number) => ({ bytes, storedAtMs, seq: ++seq });

  beforeEach(async () => {
    ({
      directory,
      room: alice,
      users: [, bob],
    } = await roomFixture(['alice', 'bob'], T0));
    const add = await alice.add(['bob'], { nowMs: T0 });
    await alice.applyCommit(add, { storedAtMs: T0, seq: ++seq });
    bobs = await Room.fromGenesis(alice.genesisSigned, bob.me, directory, { storedAtMs: T0 });
    await bobs.applyCommit(add, { storedAtMs: T0, seq });
  });

  it('the sender reaches the receiver’s verdict once it knows when the closing commit was stored', async () => {
    const epoch = alice.epoch;
    const late = await alice.encrypt('sent before the rotation was seen', { nowMs: ROTATED });
    const inTime = await alice.encrypt('in time', { nowMs: ROTATED });
    const lateStored = ROTATED + REPLAY_GRACE_MS + 1;
    // Bob rotated; Alice has not seen it: no verdict yet.
    const rotation = await bobs.rotate({ nowMs: ROTATED });
    await bobs.applyCommit(rotation, { storedAtMs: ROTATED, seq: ++seq });
    assert.equal(alice.refusedByPosition(epoch, lateStored), undefined, 'epoch still open as Alice knows it');
    await assert.rejects(bobs.receive(at(late.envelope, lateStored)), byPosition);
    assert.equal(text(await bobs.receive(at(inTime.envelope, ROTATED + REPLAY_GRACE_MS))), 'in time');

    // Applied live without its stored time: still no verdict; with it: the receivers' one.
    await alice.applyCommit(rotation);
    assert.equal(alice.refusedByPosition(epoch, lateStored), undefined, 'closing commit time not known');
    await alice.applyCommit(rotation, { storedAtMs: ROTATED, seq });
    assert.equal(alice.refusedByPosition(epoch, lateStored), true);
    assert.equal(alice.refusedByPosition(epoch, ROTATED + REPLAY_GRACE_MS), false);
    assert.equal(alice.refusedByPosition(alice.epoch, lateStored), undefined, 'the latest epoch is open');

    // Sent again with the same id in the new epoch: Bob shows it once.
    const again = await alice.encrypt('sent before the rotation was seen', {
      nowMs: ROTATED,
      messageId: late.messageId,
    });
    assert.deepEqual(again.messageId, late.messageId);
    assert.equal(again.epoch, epoch + 1);
    assert.equal(
      text(await bobs.receive(at(again.envelope, lateStored + 1))),
      'sent before the rotation was seen',
    );
    await assert.rejects(bobs.receive(at(again.envelope, lateStored + 2)), bySeenId);
  });

  it('a receiver that took the first copy refuses the second as already received', async () => {
    const late = await alice.encrypt('once', { nowMs: ROTATED });
    const rotation = await bobs.rotate({ nowMs: ROTATED });
    // Bob applied the rotation live and has not learnt its stored time: he takes the first copy.
    await bobs.applyCommit(rotation);
    const lateStored = ROTATED + REPLAY_GRACE_MS + 1;
    assert.equal(text(await bobs.receive(at(late.envelope, lateStored))), 'once');
    await alice.applyCommit(rotation, { storedAtMs: ROTATED, seq: ++seq });
    const again = await alice.encrypt('once', { nowMs: ROTATED, messageId: late.messageId });
    await assert.rejects(bobs.receive(at(again.envelope, lateStored + 1)), bySeenId);
  });

  it('is not sent again on its own to someone who joined after its epoch', async () => {
    const epoch = alice.epoch;
    assert.deepEqual(joinedSince(alice, epoch), []);
    const rotation = await alice.rotate({ nowMs: ROTATED });
    await alice.applyCommit(rotation, { storedAtMs: ROTATED, seq: ++seq });
    assert.deepEqual(joinedSince(alice, epoch), [], 'a rotation adds no one');
    const withCarol = await roomFixture(['alice', 'bob', 'carol'], T0);
    const room = withCarol.room;
    const first = room.epoch;
    const add = await room.add(['bob'], { nowMs: T0 });
    await room.applyCommit(add, { storedAtMs: T0, seq: ++seq });
    const bobsEpoch = room.epoch;
    const carol = await room.add(['carol'], { nowMs: ROTATED });
    await room.applyCommit(carol, { storedAtMs: ROTATED, seq: ++seq });
    assert.equal(joinedSince(room, bobsEpoch).length, 1, 'carol joined since');
    assert.equal(joinedSince(room, first).length, 2);
    const remove = await room.remove([room.members.find((u) => !room.view(bobsEpoch).members.includes(u))!], {
      nowMs: ROTATED,
    });
    await room.applyCommit(remove, { storedAtMs: ROTATED, seq: ++seq });
    assert.deepEqual(joinedSince(room, bobsEpoch), [], 'after her removal, only those who were there');
  });

  it('refuses a message id of the wrong size', async () => {
    await assert.rejects(alice.encrypt('x', { nowMs: T0, messageId: new Uint8Array(3) }), MalformedError);
  });
});

describe('OwnSends: own messages until a verdict', () => {
  const rule = (epoch: number, refused: Record<number, boolean | undefined>) => ({
    epoch,
    refusedByPosition: (e: number) => refused[e],
  });
  const entry = (seq: number, epoch = 1) => ({
    messageId: `m${seq}`,
    text: `t${seq}`,
    epoch,
    seq,
    sentAtMs: T0,
  });

  it('waits for the echo, then sends again only what receivers refuse', () => {
    const own = new OwnSends();
    own.sent(entry(1));
    own.sent(entry(2));
    assert.deepEqual(own.judge(rule(2, { 1: true })), [], 'no stored time yet: no verdict');
    own.echoed(1, T0 + 1, 0);
    own.echoed(2, T0 + 2, 0);
    own.echoed(3, T0 + 3, 0); // not one of ours: ignored
    const again = own.judge(rule(2, { 1: true }));
    assert.deepEqual(
      again.map((e) => e.seq),
      [1, 2],
    );
    assert.equal(own.size, 0);
    own.sent(entry(4));
    own.echoed(4, T0 + 4, 0);
    assert.deepEqual(own.judge(rule(2, { 1: false })), [], 'taken');
    assert.equal(own.size, 0);
  });

  it('an open epoch is vouched for only by a read of the chain that started after the echo', () => {
    const own = new OwnSends();
    own.sent(entry(1));
    own.echoed(1, T0 + 1, 3); // three reads had started when it arrived
    assert.deepEqual(own.judge(rule(1, {}), 3), [], 'a read that started before: no verdict');
    assert.equal(own.size, 1);
    assert.equal(own.echoedWaiting, 1);
    assert.deepEqual(own.judge(rule(1, {}), 4), [], 'a later read found the epoch still latest');
    assert.equal(own.size, 0);
  });

  it('a replaced epoch whose closing commit time is unknown waits, even after a read', () => {
    const own = new OwnSends();
    own.sent(entry(1));
    own.echoed(1, T0 + 1, 0);
    assert.deepEqual(own.judge(rule(2, { 1: undefined }), 5), []);
    assert.equal(own.size, 1);
  });
});
