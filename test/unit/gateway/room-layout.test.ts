// The sharded room layout (core/transport/stream-layout.ts, subjects.ts) and the cursor's "last N"
// search over a room's sparse sequences in a shared shard stream (gateway/room-streams.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  ALL_ROOM_MESSAGES,
  DEFAULT_ROOM_SHARDS,
  deviceConsumerName,
  roomBucketIndex,
  roomIdOfSubject,
  roomShardIndex,
  roomStreamName,
  roomSubject,
  StreamLayout,
} from '../../../core/transport/index.ts';

const ROOM = '0123456789abcdef0123456789abcdef';

describe('room subjects', () => {
  it('carry the bucket: the first byte of SHA-256 of the room id, two lowercase hex digits', () => {
    const first = sha256(new TextEncoder().encode(ROOM))[0]!;
    assert.equal(roomBucketIndex(ROOM), first);
    const token = first.toString(16).padStart(2, '0');
    assert.equal(roomSubject(ROOM, 'msg'), `rk.v1.room.${token}.${ROOM}.msg`);
    assert.equal(roomSubject(ROOM, 'commit'), `rk.v1.room.${token}.${ROOM}.commit`);
    assert.equal(roomSubject(ROOM, '>'), `rk.v1.room.${token}.${ROOM}.>`);
    assert.equal(ALL_ROOM_MESSAGES, 'rk.v1.room.*.*.msg');
  });

  it("give their room id back, and nothing for a subject whose bucket is not its room's", () => {
    assert.equal(roomIdOfSubject(roomSubject(ROOM, 'msg')), ROOM);
    assert.equal(roomIdOfSubject(roomSubject(ROOM, 'commit')), ROOM);
    const token = roomSubject(ROOM, 'msg').split('.')[3]!;
    const wrong = token === '00' ? '01' : '00';
    for (const other of [
      `rk.v1.room.${wrong}.${ROOM}.msg`,
      `rk.v1.room.${ROOM}.msg`,
      `rk.v1.room.${token}.${ROOM}.msg.x`,
      `rk.v1.room.${token}.${ROOM}.other`,
      'rk.v1.presence.U1',
      '',
    ]) {
      assert.equal(roomIdOfSubject(other), undefined, other);
    }
  });

  it('refuse what is not a room id', () => {
    for (const bad of ['', 'a.b', 'a*', '>', 'x'.repeat(65)]) {
      assert.throws(() => roomSubject(bad, 'msg'), TypeError);
      assert.throws(() => roomStreamName(bad, 16), TypeError);
    }
  });
});

describe('StreamLayout', () => {
  it('gives every bucket to exactly one shard, for every count', () => {
    for (const shards of [1, 3, 16, 100, 256]) {
      const layout = new StreamLayout(shards);
      const owners = new Map<string, number>();
      for (let k = 0; k < shards; k++) {
        for (const subject of layout.subjectsOf(k)) {
          assert.equal(owners.has(subject), false, `${subject} owned twice`);
          owners.set(subject, k);
        }
      }
      assert.equal(owners.size, 256, `${shards} shards cover 256 buckets`);
      // And a room's stream is the one whose subjects match its subject.
      const token = roomSubject(ROOM, 'msg').split('.')[3];
      assert.equal(layout.streamOf(ROOM), `RK_ROOMS_${owners.get(`rk.v1.room.${token}.*.>`)}`);
    }
  });

  it('refuses a shard count outside 1–256', () => {
    for (const bad of [0, -1, 257, 1.5, Number.NaN]) assert.throws(() => new StreamLayout(bad), RangeError);
    assert.equal(new StreamLayout(DEFAULT_ROOM_SHARDS).streams().length, 16);
  });

  it('names shard streams so that legacy per-room streams are never taken for one', () => {
    assert.equal(roomShardIndex('RK_ROOMS_0'), 0);
    assert.equal(roomShardIndex('RK_ROOMS_255'), 255);
    for (const other of ['RK_ROOMS_256', 'RK_ROOMS_01', `RK_ROOM_${ROOM}`, 'RK_ROOMS_x']) {
      assert.equal(roomShardIndex(other), undefined, other);
    }
  });
});

describe('deviceConsumerName', () => {
  it('is short, deterministic and different per room and per device', () => {
    const nkey = `U${'A'.repeat(55)}`;
    const name = deviceConsumerName(nkey, ROOM);
    assert.match(name, /^d_[0-9a-f]{32}$/);
    assert.equal(deviceConsumerName(nkey, ROOM), name);
    assert.notEqual(deviceConsumerName(nkey, `${ROOM.slice(1)}0`), name);
    assert.notEqual(deviceConsumerName(`U${'B'.repeat(55)}`, ROOM), name);
    assert.throws(() => deviceConsumerName('a.b', ROOM), TypeError);
  });
});
