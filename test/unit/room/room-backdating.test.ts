// Issue 11 point 7: a device's validity at a message or commit is judged by when JetStream stored
// it (and by the epoch it belongs to), never by the time its sender wrote into it. The directory
// here knows revocation times, as the gateway's does.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { decode } from '../../../core/codec.ts';
import { BadSignatureError, type RoomKeyError } from '../../../core/errors.ts';
import { type MemoryDirectory, type ReceiveResult, Room } from '../../../core/room/index.ts';
import { v1 } from '../../../proto/index.ts';
import type { TestUser } from '../../helpers/users.ts';
import { roomFixture } from './_room-fixtures.ts';

const T0 = 1_764_000_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** When Bob's device is revoked (the gateway's clock). */
const REVOKED_AT = T0 + 60 * MINUTE;

function okText(result: ReceiveResult | RoomKeyError): string {
  if (result instanceof Error) throw result;
  assert.equal(result.status, 'ok');
  return result.status === 'ok' ? result.message.text : '';
}

function isRevokedRefusal(error: unknown): boolean {
  assert.ok(error instanceof BadSignatureError, `expected BadSignatureError, got ${String(error)}`);
  assert.match(error.message, /no valid certificate \(unknown or revoked\)/);
  return true;
}

describe('device validity by stored time and epoch, not the sender clock', () => {
  let directory: MemoryDirectory;
  let alice: TestUser;
  let bob: TestUser;
  let room: Room;
  let bobs: Room;

  beforeEach(async () => {
    ({
      directory,
      room,
      users: [alice, bob],
    } = await roomFixture(['alice', 'bob'], T0));
    await room.applyCommit(await room.add(['bob'], { nowMs: T0 }), { storedAtMs: T0, seq: 2 });
    bobs = await Room.fromGenesis(room.genesisSigned, bob.me, directory, { storedAtMs: T0, seq: 1 });
    await bobs.applyCommit(room.signedAt(1), { storedAtMs: T0, seq: 2 });
    directory.revokeDevice(bob.me.device.publicKey, REVOKED_AT);
  });

  it('refuses a revoked device’s message dated before its revocation but stored after it', async () => {
    const { envelope } = await bobs.encrypt('backdated', { nowMs: REVOKED_AT - 30 * MINUTE });
    await assert.rejects(
      room.receive({ bytes: envelope, storedAtMs: REVOKED_AT + 1000, seq: 9 }),
      isRevokedRefusal,
    );
  });

  it('keeps what a device had stored before its revocation, whatever its own clock said', async () => {
    const { envelope } = await bobs.encrypt('clock ahead', { nowMs: REVOKED_AT + 120 * MINUTE });
    const result = await room.receive({ bytes: envelope, storedAtMs: REVOKED_AT - MINUTE, seq: 7 });
    assert.equal(okText(result), 'clock ahead');
    assert.ok(result.status === 'ok');
    assert.equal(result.message.storedAtMs, REVOKED_AT - MINUTE);
    assert.equal(result.message.seq, 7);
    assert.equal(result.message.sentAtMs, REVOKED_AT + 120 * MINUTE, 'the claim is kept, for display');
  });

  it('draws the line at the revocation itself, by the server clock', async () => {
    const before = await bobs.encrypt('just before', { nowMs: REVOKED_AT + HOUR });
    const result = await room.receive({ bytes: before.envelope, storedAtMs: REVOKED_AT - 1, seq: 3 });
    assert.equal(okText(result), 'just before', 'a message sent right before a sign-out stays readable');
    const at = await bobs.encrypt('at the revocation', { nowMs: REVOKED_AT - HOUR });
    await assert.rejects(
      room.receive({ bytes: at.envelope, storedAtMs: REVOKED_AT, seq: 4 }),
      isRevokedRefusal,
    );
  });

  it('without stored facts the device must be valid now: a sent-at claim opens nothing', async () => {
    const { envelope } = await bobs.encrypt('no facts', { nowMs: REVOKED_AT - 30 * MINUTE });
    await assert.rejects(room.receive(envelope), isRevokedRefusal);
    const [result] = await room.receiveMany([envelope]);
    assert.ok(result instanceof BadSignatureError);
  });

  it('a device revoked before the commit that opened an epoch cannot send in that epoch', async () => {
    const epoch1 = await bobs.encrypt('in epoch 1', { nowMs: REVOKED_AT - 30 * MINUTE });
    const rotation = await room.rotate({ nowMs: REVOKED_AT + 10 * MINUTE });
    await room.applyCommit(rotation, { storedAtMs: REVOKED_AT + 10 * MINUTE, seq: 20 });
    // Bob's user is still a member, so the revoked device may hold the new epoch's key.
    await bobs.applyCommit(rotation, { storedAtMs: REVOKED_AT + 10 * MINUTE, seq: 20 });
    const epoch2 = await bobs.encrypt('in epoch 2', { nowMs: REVOKED_AT - 30 * MINUTE });
    // Even with a stored time before the revocation (a lying or confused clock), epoch 2 opened after it.
    const facts = { storedAtMs: REVOKED_AT - 20 * MINUTE, seq: 21 };
    const [inEpoch2, inEpoch1] = await room.receiveMany([
      { bytes: epoch2.envelope, ...facts },
      { bytes: epoch1.envelope, ...facts, seq: 22 },
    ]);
    assert.ok(inEpoch2 instanceof BadSignatureError, `epoch 2: ${String(inEpoch2)}`);
    assert.equal(okText(inEpoch1!), 'in epoch 1', 'epoch 1 opened before the revocation');
  });

  it('judges a commit’s signer when the commit was stored, not by its committed-at claim', async () => {
    const backdated = await bobs.rotate({ nowMs: REVOKED_AT - 30 * MINUTE });
    await assert.rejects(
      room.applyCommit(backdated, { storedAtMs: REVOKED_AT + 1000, seq: 30 }),
      isRevokedRefusal,
    );
    assert.equal(room.epoch, 1, 'a refused commit changes nothing');
  });

  it('held envelopes keep their stored facts through a snapshot, and are judged again on release', async () => {
    // Alice rotates after Bob's device was revoked; a lagging copy of the room receives epoch-2
    // envelopes before that commit, so it can only hold them.
    const openedAt = REVOKED_AT + 10 * MINUTE;
    const rotation = await room.rotate({ nowMs: openedAt });
    await room.applyCommit(rotation, { storedAtMs: openedAt, seq: 10 });
    await bobs.applyCommit(rotation, { storedAtMs: openedAt, seq: 10 });
    const good = await room.encrypt('from alice', { nowMs: openedAt + MINUTE });
    // Stored "before" the revocation by its facts: only the epoch it claims can betray it.
    const late = await bobs.encrypt('from the revoked device', { nowMs: REVOKED_AT - 30 * MINUTE });

    const lagging = await Room.fromGenesis(room.genesisSigned, alice.me, directory, {
      storedAtMs: T0,
      seq: 1,
    });
    await lagging.applyCommit(room.signedAt(1), { storedAtMs: T0, seq: 2 });
    const held = await lagging.receiveMany([
      { bytes: good.envelope, storedAtMs: openedAt + MINUTE, seq: 11 },
      { bytes: late.envelope, storedAtMs: REVOKED_AT - 20 * MINUTE, seq: 12 },
    ]);
    assert.deepEqual(
      held.map((r) => (r instanceof Error ? r.name : r.status)),
      ['held', 'held'],
    );
    lagging.markDelivered(12);
    lagging.markDelivered(5); // never goes back

    const snapshot = decode(v1.RoomSnapshot, lagging.encodeSnapshot(), 'snapshot');
    assert.equal(Number(snapshot.lastSeq), 12);
    assert.deepEqual(snapshot.epochStoredAtMs.map(Number), [T0, T0]);
    const restored = await Room.restore(snapshot, alice.me, directory);
    assert.equal(restored.lastSeq, 12);
    assert.equal(restored.heldCount, 2);
    const { released } = await restored.applyCommit(rotation, { storedAtMs: openedAt, seq: 10 });
    assert.equal(okText(released[0]!), 'from alice');
    const first = released[0]!;
    assert.ok(!(first instanceof Error) && first.status === 'ok' && first.message.seq === 11);
    assert.ok(released[1] instanceof BadSignatureError, `the revoked device's: ${String(released[1])}`);
    const again = decode(v1.RoomSnapshot, restored.encodeSnapshot(), 'snapshot');
    assert.deepEqual(again.epochStoredAtMs.map(Number), [T0, T0, openedAt]);
  });

  it('a commit applied before its stored time was known learns it when the chain is read again', async () => {
    const rotation = await room.rotate({ nowMs: T0 + MINUTE });
    await bobs.applyCommit(rotation); // live, no stored time yet
    assert.equal(bobs.openedAtMs(2), undefined);
    await bobs.applyCommit(rotation, { storedAtMs: T0 + MINUTE, seq: 10 });
    assert.equal(bobs.openedAtMs(2), T0 + MINUTE);
  });
});
