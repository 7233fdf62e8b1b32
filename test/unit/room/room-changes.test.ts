// What each commit changed, as the history shows it (Room.changes), and the rename flag: a commit
// that changes the name without it keeps the previous name on every client.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { decode } from '../../../core/codec.ts';
import { buildCommit } from '../../../core/room/commit.ts';
import { type MemoryDirectory, Room } from '../../../core/room/index.ts';
import { v1 } from '../../../proto/index.ts';
import type { TestUser } from '../../helpers/users.ts';
import { roomFixture } from './_room-fixtures.ts';

const now = 1_764_000_000_000;

describe('room changes and the rename flag', () => {
  let directory: MemoryDirectory;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let room: Room;

  beforeEach(async () => {
    ({
      directory,
      room,
      users: [alice, bob, carol],
    } = await roomFixture(['alice', 'bob', 'carol'], now, { name: 'Launch plans' }));
  });

  async function follow(user: TestUser, source: Room): Promise<Room> {
    const copy = await Room.fromGenesis(source.genesisSigned, user.me, directory);
    for (let e = 1; e <= source.epoch; e++) await copy.applyCommit(source.signedAt(e));
    return copy;
  }

  it('says who added, removed, left and renamed, with the stored sequence once known', async () => {
    await room.applyCommit(await room.add(['bob', 'carol'], { nowMs: now }), {
      storedAtMs: now + 1,
      seq: 11,
    });
    await room.applyCommit(await room.rename({ name: 'Launch 🚀' }, { nowMs: now }));
    await room.applyCommit(await room.remove(['carol'], { nowMs: now }), { storedAtMs: now + 3, seq: 30 });
    const bobs = await follow(bob, room);
    await bobs.applyCommit(await bobs.remove(['bob'], { nowMs: now }));
    await room.applyCommit(bobs.signedAt(4), { storedAtMs: now + 4, seq: 40 });
    // The rename was applied before its stored facts were known: learnt when the chain is read again.
    await room.applyCommit(room.signedAt(2), { storedAtMs: now + 2, seq: 20 });
    assert.deepEqual(room.changes(), [
      {
        epoch: 1,
        kind: 'add',
        committerUserId: 'alice',
        added: ['bob', 'carol'],
        removed: [],
        renames: false,
        seq: 11,
        storedAtMs: now + 1,
      },
      {
        epoch: 2,
        kind: 'rotate',
        committerUserId: 'alice',
        added: [],
        removed: [],
        renames: true,
        renamedTo: 'Launch 🚀',
        seq: 20,
        storedAtMs: now + 2,
      },
      {
        epoch: 3,
        kind: 'remove',
        committerUserId: 'alice',
        added: [],
        removed: ['carol'],
        renames: false,
        seq: 30,
        storedAtMs: now + 3,
      },
      {
        epoch: 4,
        kind: 'remove',
        committerUserId: 'bob',
        added: [],
        removed: ['bob'],
        renames: false,
        seq: 40,
        storedAtMs: now + 4,
      },
    ]);
    assert.deepEqual(
      room.changes(3).map((c) => c.epoch),
      [3, 4],
    );
    const restored = await Room.restore(room.snapshot(), alice.me, directory);
    assert.deepEqual(restored.changes(), room.changes(), 'the snapshot keeps where each change was stored');
  });

  it('signs the rename flag into the commit, and only a rename sets it', async () => {
    const rename = await room.rename({ name: 'New' }, { nowMs: now });
    assert.equal(decode(v1.EpochCommitBody, rename.body, 'commit').renames, true);
    const rotate = await room.rotate({ nowMs: now });
    assert.equal(decode(v1.EpochCommitBody, rotate.body, 'commit').renames, false);
  });

  it('keeps the previous name when a commit changes it without the rename flag', async () => {
    await room.applyCommit(await room.add(['bob'], { nowMs: now }));
    const bobs = await follow(bob, room);
    // Bob's client, bypassing Room.rename: a rotation whose sealed name differs, flag unset.
    const { signed } = await buildCommit({
      me: bob.me,
      directory,
      roomId: room.roomId,
      parentEpoch: 1,
      parent: room.signedAt(1),
      parentMembers: room.members,
      kind: 'rotate',
      info: { name: 'Pwned', topic: '' },
      nowMs: now,
    });
    await room.applyCommit(signed);
    await bobs.applyCommit(signed);
    assert.equal(room.epoch, 2, 'the commit itself is taken: its key is the room key now');
    assert.equal(room.info.name, 'Launch plans');
    assert.equal(bobs.info.name, 'Launch plans', 'the forger gains nothing either');
    assert.equal(room.changes(2)[0]!.renamedTo, undefined);
    // Still refused after a restore, and the next commit carries the kept name.
    const restored = await Room.restore(room.snapshot(), alice.me, directory);
    assert.equal(restored.info.name, 'Launch plans');
    await room.applyCommit(await room.rotate({ nowMs: now }));
    assert.equal((await follow(carol, room)).info.name, '', 'an outsider reads nothing');
    assert.equal((await follow(bob, room)).info.name, 'Launch plans');
    // The same change with the flag is a rename.
    await room.applyCommit(await room.rename({ name: 'Launch 🚀' }, { nowMs: now }));
    assert.equal((await follow(bob, room)).info.name, 'Launch 🚀');
  });
});
