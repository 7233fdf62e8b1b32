// Replay protection by position (core/room/replay-guard.ts): a live envelope of a replaced epoch
// is taken only within REPLAY_GRACE_MS of the commit that replaced it (JetStream stored times),
// ids are kept only for open epochs, and all of it survives a snapshot.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { decode } from '../../../core/codec.ts';
import { randomBytes } from '../../../core/crypto/index.ts';
import { ReplayError, type RoomKeyError, TooLargeError } from '../../../core/errors.ts';
import { type MemoryDirectory, type ReceiveResult, Room } from '../../../core/room/index.ts';
import { MAX_EPOCH_IDS, REPLAY_GRACE_MS, ReplayGuard } from '../../../core/room/replay-guard.ts';
import { v1 } from '../../../proto/index.ts';
import type { TestUser } from '../../helpers/users.ts';
import { roomFixture } from './_room-fixtures.ts';

const T0 = 1_764_000_000_000;
const SECOND = 1000;

function text(result: ReceiveResult | RoomKeyError): string {
  if (result instanceof Error) throw result;
  assert.equal(result.status, 'ok');
  return result.status === 'ok' ? result.message.text : '';
}

const byPosition = (e: unknown) => e instanceof ReplayError && /had been replaced/.test(e.message);
const bySeenId = (e: unknown) => e instanceof ReplayError && /already received/.test(e.message);

describe('replay guard by position', () => {
  let directory: MemoryDirectory;
  let bob: TestUser;
  let room: Room;
  let bobs: Room;
  let seq = 0;
  /** Stored facts of the next stream message at `storedAtMs`. */
  const at = (bytes: Uint8Array, storedAtMs: number) => ({ bytes, storedAtMs, seq: ++seq });

  beforeEach(async () => {
    ({
      directory,
      room,
      users: [, bob],
    } = await roomFixture(['alice', 'bob'], T0));
    const add = await room.add(['bob'], { nowMs: T0 });
    await room.applyCommit(add, { storedAtMs: T0, seq: ++seq });
    bobs = await Room.fromGenesis(room.genesisSigned, bob.me, directory, { storedAtMs: T0 });
    await bobs.applyCommit(add, { storedAtMs: T0, seq });
  });

  /** Alice rotates; both apply the commit as stored at `storedAtMs`. */
  async function rotate(storedAtMs: number): Promise<void> {
    const rotation = await room.rotate({ nowMs: storedAtMs });
    const facts = { storedAtMs, seq: ++seq };
    await room.applyCommit(rotation, facts);
    await bobs.applyCommit(rotation, facts);
  }

  it('refuses a second copy of an id in the current epoch, even stored later', async () => {
    const m = await room.encrypt('once', { nowMs: T0 });
    assert.equal(text(await bobs.receive(at(m.envelope, T0 + SECOND))), 'once');
    await assert.rejects(bobs.receive(at(m.envelope, T0 + 2 * SECOND)), bySeenId);
  });

  it('takes a message of a replaced epoch stored within the grace, and refuses one stored after it', async () => {
    const inTime = await room.encrypt('sent while the key changed', { nowMs: T0 });
    const late = await room.encrypt('never seen, re-published late', { nowMs: T0 });
    await rotate(T0 + 10 * SECOND);
    assert.equal(bobs.epoch, 2);
    const stored = T0 + 10 * SECOND + REPLAY_GRACE_MS;
    assert.equal(text(await bobs.receive(at(inTime.envelope, stored))), 'sent while the key changed');
    await assert.rejects(bobs.receive(at(late.envelope, stored + 1)), byPosition);
  });

  it('seals a replaced epoch once the stream is past its grace: its ids go, its copies are refused', async () => {
    const old = await Promise.all([1, 2, 3].map((i) => room.encrypt(`old ${i}`, { nowMs: T0 })));
    const storedOld = old.map((m) => at(m.envelope, T0 + SECOND));
    for (const s of storedOld) text(await bobs.receive(s));
    const unseen = await room.encrypt('stored in time, delivered out of order', { nowMs: T0 });
    const unseenFacts = at(unseen.envelope, T0 + 2 * SECOND);
    await rotate(T0 + 10 * SECOND);
    const fresh = await room.encrypt('new key', { nowMs: T0 });
    text(await bobs.receive(at(fresh.envelope, T0 + 10 * SECOND + REPLAY_GRACE_MS + 1)));

    const kept = decode(v1.RoomSnapshot, bobs.encodeSnapshot(), 'snapshot');
    assert.deepEqual(
      kept.replayEpochs.map((e) => [e.epoch, e.count]),
      [[2, 1]],
      'only the open epoch keeps ids',
    );
    assert.equal(kept.seenMessageIds.length, 0, 'the unbounded list is no longer written');
    // A redelivery with its original stored facts, and a copy never seen: both by position.
    await assert.rejects(bobs.receive(storedOld[0]!), byPosition);
    await assert.rejects(bobs.receive(unseenFacts), byPosition);
    // Re-reading history still shows them.
    const reread = await bobs.receiveMany([storedOld[0]!, unseenFacts], { reread: true });
    assert.deepEqual(reread.map(text), ['old 1', 'stored in time, delivered out of order']);
  });

  it('a catch-up after the commit was fetched still takes the replaced epoch’s messages stored before it', async () => {
    const before = await room.encrypt('stored before the rotation', { nowMs: T0 });
    const facts = at(before.envelope, T0 + SECOND);
    await rotate(T0 + 10 * 60 * SECOND); // learnt (chain fetched) long after
    assert.equal(text((await bobs.receiveMany([facts]))[0]!), 'stored before the rotation');
  });

  it('keeps the protection through a snapshot: ids of open epochs, and the sealed position', async () => {
    const seen = await room.encrypt('seen', { nowMs: T0 });
    const seenFacts = at(seen.envelope, T0 + SECOND);
    text(await bobs.receive(seenFacts));
    const restored = await Room.restore(
      decode(v1.RoomSnapshot, bobs.encodeSnapshot(), 'snapshot'),
      bob.me,
      directory,
    );
    await assert.rejects(restored.receive(at(seen.envelope, T0 + 3 * SECOND)), bySeenId);

    const unseen = await room.encrypt('never seen', { nowMs: T0 });
    const unseenFacts = at(unseen.envelope, T0 + 2 * SECOND);
    await rotate(T0 + 10 * SECOND);
    const fresh = await room.encrypt('new key', { nowMs: T0 });
    text(await bobs.receive(at(fresh.envelope, T0 + 10 * SECOND + REPLAY_GRACE_MS + 1)));
    const sealed = await Room.restore(
      decode(v1.RoomSnapshot, bobs.encodeSnapshot(), 'snapshot'),
      bob.me,
      directory,
    );
    await assert.rejects(sealed.receive(unseenFacts), byPosition);
    await assert.rejects(sealed.receive(seenFacts), byPosition);
    await assert.rejects(sealed.receive(at(fresh.envelope, T0 + 99 * SECOND)), bySeenId);
  });

  it('a snapshot written before positions were kept (seen_message_ids) still refuses its ids', async () => {
    const seen = await room.encrypt('seen', { nowMs: T0 });
    text(await bobs.receive(at(seen.envelope, T0 + SECOND)));
    const current = decode(v1.RoomSnapshot, bobs.encodeSnapshot(), 'snapshot');
    const legacy = v1.RoomSnapshot.create({
      genesis: current.genesis,
      commits: current.commits,
      secrets: current.secrets,
      epochStoredAtMs: current.epochStoredAtMs,
      lastSeq: current.lastSeq,
      seenMessageIds: [seen.messageId],
    });
    const restored = await Room.restore(legacy, bob.me, directory);
    await assert.rejects(restored.receive(at(seen.envelope, T0 + 2 * SECOND)), bySeenId);
  });
});

describe('replay guard memory', () => {
  it('stays flat over 100k accepted ids across epochs, ~24 bytes per id in the open epoch', () => {
    const closed: number[] = [];
    let latest = 0;
    const guard = new ReplayGuard(
      (epoch) => closed[epoch],
      () => latest,
    );
    const PER_EPOCH = 1000;
    const sizes: number[] = [];
    const bytes: number[] = [];
    let t = T0;
    for (let i = 0; i < 100_000; i++) {
      if (i > 0 && i % PER_EPOCH === 0) {
        closed[latest] = t;
        latest++;
      }
      t += 100; // 10 messages a second: each epoch lives 100 s, longer than the grace
      const id = randomBytes(16);
      guard.check(latest, id, t);
      guard.accept(latest, id, t);
      if (i % PER_EPOCH === PER_EPOCH - 1) {
        sizes.push(guard.size);
        bytes.push(guard.bytes);
      }
    }
    assert.ok(Math.max(...sizes) <= 2 * PER_EPOCH, `ids kept: at most ${Math.max(...sizes)}`);
    assert.ok(Math.max(...bytes) < 200_000, `bytes held: at most ${Math.max(...bytes)}`);
    assert.ok(guard.floor >= 98, `epochs sealed: below ${guard.floor}`);

    const big = new ReplayGuard(
      () => undefined,
      () => 0,
    );
    for (let i = 0; i < 100_000; i++) big.accept(0, randomBytes(16), T0 + i);
    const perId = big.bytes / big.size;
    console.log(`replay guard: ${perId.toFixed(1)} bytes per id at 100k ids in one epoch`);
    assert.ok(perId < 40, `${perId} bytes per id`);
  });

  it('at the cap of one epoch, new ids are refused (TooLargeError), never taken unchecked', () => {
    const guard = new ReplayGuard(
      () => undefined,
      () => 0,
    );
    const id = new Uint8Array(16);
    const view = new DataView(id.buffer);
    for (let i = 0; i < MAX_EPOCH_IDS; i++) {
      view.setUint32(0, i);
      guard.accept(0, id, T0);
    }
    view.setUint32(0, 7);
    assert.throws(() => guard.check(0, id, T0), bySeenId);
    view.setUint32(0, MAX_EPOCH_IDS);
    assert.throws(() => guard.check(0, id, T0), TooLargeError);
    console.log(
      `replay guard at the cap: ${(guard.bytes / 2 ** 20).toFixed(1)} MiB for ${MAX_EPOCH_IDS} ids`,
    );
  });
});
