// Parse once: an envelope parsed where it arrives (parseReceived) travels with its stored facts
// through receiveMany and the held queue, and Room's checks stay as strong as with bare bytes.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { toHex } from '../../../core/bytes.ts';
import { parseEnvelope } from '../../../core/crypto/index.ts';
import { BadSignatureError, MalformedError, RoomKeyError } from '../../../core/errors.ts';
import {
  asReceived,
  type MemoryDirectory,
  messageIdOf,
  parseReceived,
  Room,
} from '../../../core/room/index.ts';
import type { TestUser } from '../../helpers/users.ts';
import { roomFixture } from './_room-fixtures.ts';

const now = 1_764_000_000_000;

describe('received envelopes (parse once)', () => {
  let directory: MemoryDirectory;
  let bob: TestUser;
  /** Alice's room, Bob not yet in it. */
  let room: Room;

  beforeEach(async () => {
    ({
      directory,
      room,
      users: [, bob],
    } = await roomFixture(['alice', 'bob'], now));
  });

  it('keeps the bytes, the stored facts and the parsed form; a failure is its typed error', async () => {
    const { envelope, messageId } = await room.encrypt('hi', { nowMs: now });
    const received = parseReceived({ bytes: envelope, storedAtMs: now + 5, seq: 7 });
    assert.ok(Object.isFrozen(received));
    assert.equal(received.bytes, envelope);
    assert.deepEqual(received.facts, { storedAtMs: now + 5, seq: 7 });
    assert.equal(toHex(messageIdOf(received)!), toHex(messageId));
    assert.equal(asReceived(received), received, 'not parsed again');

    const junk = parseReceived({ bytes: new Uint8Array([1, 2, 3]), storedAtMs: now, seq: 8 });
    assert.ok(junk.parsed instanceof MalformedError);
    assert.equal(messageIdOf(junk), undefined);
    // Hostile facts are numbers or nothing.
    assert.equal(parseReceived({ bytes: envelope, storedAtMs: Number.NaN, seq: 1 }).facts, undefined);
    assert.equal(parseReceived(envelope).facts, undefined);
  });

  it('receiveMany takes the parsed form: same results as bytes, errors in place, facts kept', async () => {
    const a = await room.encrypt('one', { nowMs: now });
    const b = await room.encrypt('two', { nowMs: now });
    const batch = [
      parseReceived({ bytes: a.envelope, storedAtMs: now + 1, seq: 1 }),
      parseReceived({ bytes: new Uint8Array([9, 9]), storedAtMs: now + 2, seq: 2 }),
      parseReceived({ bytes: b.envelope, storedAtMs: now + 3, seq: 3 }),
    ];
    const [first, bad, second] = await room.receiveMany(batch);
    assert.ok(!(first instanceof RoomKeyError) && first?.status === 'ok');
    assert.equal(first.message.text, 'one');
    assert.equal(first.message.seq, 1);
    assert.equal(first.message.storedAtMs, now + 1);
    assert.ok(bad instanceof MalformedError);
    assert.ok(!(second instanceof RoomKeyError) && second?.status === 'ok' && second.message.text === 'two');
  });

  it('an object that parseReceived did not make is parsed again from its bytes', async () => {
    const real = await room.encrypt('real', { nowMs: now });
    const other = await room.encrypt('substituted', { nowMs: now });
    // Claims the parsed form of another message: Room reads the bytes, not the claim.
    const forged = {
      bytes: real.envelope,
      storedAtMs: now,
      seq: 1,
      facts: { storedAtMs: now, seq: 1 },
      parsed: parseEnvelope(other.envelope),
    };
    const [result] = await room.receiveMany([forged]);
    assert.ok(!(result instanceof RoomKeyError) && result?.status === 'ok');
    assert.equal(result.message.text, 'real');
  });

  it('a tampered envelope is refused the same way parsed or not', async () => {
    const { envelope } = await room.encrypt('signed', { nowMs: now });
    const tampered = envelope.slice();
    tampered[tampered.length - 1]! ^= 1; // the signature's last byte
    const [result] = await room.receiveMany([parseReceived({ bytes: tampered, storedAtMs: now, seq: 1 })]);
    assert.ok(result instanceof BadSignatureError);
    await assert.rejects(room.receive(parseReceived(tampered)), BadSignatureError);
  });

  it('held envelopes keep their parsed form and facts, through a snapshot too', async () => {
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    const bobs = await Room.fromGenesis(room.genesisSigned, bob.me, directory);
    await bobs.applyCommit(room.signedAt(1));
    const rotation = await room.rotate({ nowMs: now });
    await room.applyCommit(rotation);
    const early = await room.encrypt('from epoch 2', { nowMs: now });
    const [held] = await bobs.receiveMany([
      parseReceived({ bytes: early.envelope, storedAtMs: now + 10, seq: 42 }),
    ]);
    assert.ok(!(held instanceof RoomKeyError) && held?.status === 'held');
    assert.equal(held.seq, 42);
    assert.equal(held.storedAtMs, now + 10);
    const restored = await Room.restore(bobs.snapshot(), bob.me, directory);
    assert.equal(restored.heldCount, 1);
    const { released } = await restored.applyCommit(rotation);
    const [out] = released;
    assert.ok(!(out instanceof RoomKeyError) && out?.status === 'ok');
    assert.equal(out.message.text, 'from epoch 2');
    assert.equal(out.message.seq, 42);
    assert.equal(out.message.storedAtMs, now + 10);
  });
});
