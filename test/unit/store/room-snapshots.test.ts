// Room snapshots saved incrementally (core/client/room-snapshots.ts): the room's record is small,
// replay ids go to chunk records written once, a save writes what changed (not the history), and
// what comes back refuses the same replays; a snapshot saved whole by earlier versions still loads.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { LocalState } from '../../../core/client/local-state.ts';
import { chunkLayout, roomRecord } from '../../../core/client/room-snapshots.ts';
import { randomBytes } from '../../../core/crypto/index.ts';
import { ReplayError, StoreIntegrityError } from '../../../core/errors.ts';
import { type MemoryDirectory, REPLAY_GRACE_MS, Room } from '../../../core/room/index.ts';
import type { BackendWrites } from '../../../core/store/backend.ts';
import { MemoryBackend } from '../../../core/store/index.ts';
import { v1 } from '../../../proto/index.ts';
import { TEST_STORE_PARAMS } from '../../helpers/stack.ts';
import type { TestUser } from '../../helpers/users.ts';
import { roomFixture } from '../room/_room-fixtures.ts';

const T0 = 1_764_000_000_000;
const PASSWORD = 'correct horse battery';

/** A memory backend that counts the bytes each update writes. */
class CountingBackend extends MemoryBackend {
  written = 0;
  manifest = 0;
  override async update(key: string, plan: (current: unknown) => BackendWrites): Promise<void> {
    await super.update(key, (current) => {
      const writes = plan(current);
      this.written += writes.set.reduce((n, [, v]) => n + v.length, 0) + (writes.commit?.length ?? 0);
      this.manifest = writes.commit?.length ?? this.manifest;
      return writes;
    });
  }
}

describe('room snapshots in the store', () => {
  let directory: MemoryDirectory;
  let alice: TestUser;
  let room: Room;
  let backend: CountingBackend;
  let state: LocalState;

  beforeEach(async () => {
    ({
      directory,
      room,
      users: [alice],
    } = await roomFixture(['alice'], T0));
    backend = new CountingBackend();
    state = await LocalState.create(backend, PASSWORD, TEST_STORE_PARAMS);
  });

  const accept = (n: number, epoch = room.epoch, at = T0) => {
    for (let i = 0; i < n; i++) room.replay.accept(epoch, randomBytes(16), at);
  };
  const reopen = async () => LocalState.open(backend, PASSWORD);

  it('a save writes what changed, not the history: a few KiB at 20k ids, like at 100', async () => {
    const costOfOneMore = async (): Promise<number> => {
      backend.written = 0;
      accept(1);
      await state.setRoom(room.roomId, room);
      return backend.written;
    };
    accept(100);
    await state.setRoom(room.roomId, room);
    const small = await costOfOneMore();
    accept(20_000);
    await state.setRoom(room.roomId, room);
    const large = await costOfOneMore();
    console.log(
      `room save: ${small} B written at ~100 ids, ${large} B at ~20k ids (of which the manifest ${backend.manifest} B)`,
    );
    assert.ok(large < 16_000, `one more id at 20k ids wrote ${large} bytes`);
    assert.ok(large < small + 8_000, `${large} B against ${small} B: a save must not grow with history`);
    const names = await state.store.keys();
    const chunks = names.filter((n) => n.startsWith(`${roomRecord(room.roomId)}/ids/`));
    assert.deepEqual(
      chunks.sort(),
      chunkLayout(room.roomId, 0, 20_102)
        .map((c) => c.name)
        .sort(),
    );
    assert.ok(chunks.length < 20, `${chunks.length} chunk records`);
  });

  it('what comes back refuses the same replays, across a reopen', async () => {
    const m = await room.encrypt('once', { nowMs: T0 });
    await room.receive({ bytes: m.envelope, storedAtMs: T0 + 1000, seq: 1 });
    accept(700);
    await state.setRoom(room.roomId, room);
    accept(300);
    await state.setRoom(room.roomId, room);
    const snapshot = await (await reopen()).room(room.roomId);
    assert.ok(snapshot);
    const restored = await Room.restore(snapshot, alice.me, directory);
    assert.equal(restored.replay.size, 1001);
    await assert.rejects(restored.receive({ bytes: m.envelope, storedAtMs: T0 + 2000, seq: 2 }), ReplayError);
  });

  it('removes a sealed epoch’s chunks in the same save', async () => {
    await room.applyCommit(await room.rotate({ nowMs: T0 }), { storedAtMs: T0 + 1000, seq: 1 });
    accept(600, 0, T0 + 500);
    await state.setRoom(room.roomId, room);
    assert.ok((await state.store.keys()).some((n) => n.includes('/ids/0/')));
    accept(1, 1, T0 + 1000 + REPLAY_GRACE_MS + 1); // the stream moved past epoch 0's grace
    await state.setRoom(room.roomId, room);
    const names = await state.store.keys();
    assert.ok(!names.some((n) => n.includes('/ids/0/')), names.join(' '));
    assert.ok(names.some((n) => n.includes('/ids/1/')));
  });

  it('a snapshot saved whole by earlier versions (seen_message_ids) loads, and is then saved in chunks', async () => {
    const m = await room.encrypt('seen', { nowMs: T0 });
    const whole = room.snapshot();
    const legacy = v1.RoomSnapshot.encode(
      v1.RoomSnapshot.create({
        genesis: whole.genesis,
        commits: whole.commits,
        secrets: whole.secrets,
        epochStoredAtMs: whole.epochStoredAtMs,
        seenMessageIds: [m.messageId, ...Array.from({ length: 299 }, () => randomBytes(16))],
      }),
    ).finish();
    await state.store.set(roomRecord(room.roomId), legacy); // as the previous LocalState wrote it
    const loaded = (await (await reopen()).room(room.roomId))!;
    const restored = await Room.restore(loaded, alice.me, directory);
    await assert.rejects(restored.receive(m.envelope), ReplayError);
    const again = await reopen();
    await again.room(room.roomId);
    await again.setRoom(room.roomId, restored);
    const record = v1.RoomSnapshot.decode((await again.store.get(roomRecord(room.roomId)))!);
    assert.equal(record.seenMessageIds.length, 0);
    assert.deepEqual(
      record.replayEpochs.map((e) => [e.epoch, e.count, e.ids?.length]),
      [[0, 300, 0]],
    );
    const back = await Room.restore((await (await reopen()).room(room.roomId))!, alice.me, directory);
    await assert.rejects(back.receive(m.envelope), ReplayError);
  });

  it('a chunk removed behind the store’s back is a StoreIntegrityError, never fewer ids', async () => {
    accept(600);
    await state.setRoom(room.roomId, room);
    await state.store.delete(chunkLayout(room.roomId, 0, 600)[0]!.name);
    await assert.rejects((await reopen()).room(room.roomId), StoreIntegrityError);
    const counted = { ...room.snapshot({ withIds: false }) };
    await assert.rejects(Room.restore(counted, alice.me, directory), /not all there/);
  });
});
