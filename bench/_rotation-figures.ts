// The epoch rotation of a 1,000-member room (issue 19: ≤ 1 s): the commit built, signed and every
// member's key wrap sealed (Room.rotate → buildCommit), next to its anchor measured in the same
// run: 1,000 HPKE seals of a key-wrap-sized plaintext one after another (what the wraps alone
// would cost without any overlap). Runtime-agnostic: Node (room.bench.ts) and Chromium
// (crypto-chromium.bench.ts) run it unchanged.
import { hpkeDeriveKeyPair, hpkeSeal } from '../core/crypto/hpke.ts';
import { MemoryDirectory, newRoomId, Room } from '../core/room/index.ts';
import { makeUser } from '../test/helpers/users.ts';
import { medianMs, type Report } from './_rate.ts';

const MEMBERS = 1000;
/** Big enough for one EpochSecrets entry (epoch + 32-byte secret, protobuf-framed). */
const WRAP_PLAINTEXT_BYTES = 40;

/**
 * Reports room.rotate.1000-members (ms, median of 3) and .apply, its anchor room.rotate.1000-seals and the ratio.
 * @example await rotationFigures(report);
 */
export async function rotationFigures(report: Report): Promise<void> {
  const directory = new MemoryDirectory();
  const users = [];
  for (let i = 0; i < MEMBERS; i++) users.push(await makeUser(`member-${i}`, directory));
  const alice = users[0]!;
  const room = await Room.create({
    me: alice.me,
    directory,
    roomId: newRoomId(),
    orgId: 'o',
    projectId: 'p',
    nowMs: Date.now(),
  });
  const others = users.slice(1).map((u) => u.me.userId);
  await room.applyCommit(await room.add(others, { nowMs: Date.now() }));
  if (room.members.length !== MEMBERS) throw new Error(`bench: the room has ${room.members.length} members`);

  // Applying each rotation (verify, member checks, one unwrap) keeps the next on a fresh epoch;
  // it is timed apart, as what every member's device pays on receiving it.
  const built: number[] = [];
  const applied: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const signed = await room.rotate({ nowMs: Date.now() });
    built.push(performance.now() - start);
    await room.applyCommit(signed);
    applied.push(performance.now() - start - built.at(-1)!);
  }
  const median = (times: number[]) => times.sort((a, b) => a - b)[1]!;
  const rotation = median(built);
  const keys = await hpkeDeriveKeyPair(new Uint8Array(32).fill(3));
  const plaintext = new Uint8Array(WRAP_PLAINTEXT_BYTES);
  const info = new Uint8Array(8);
  const seals = await medianMs(3, async () => {
    for (let i = 0; i < MEMBERS; i++) await hpkeSeal(keys.publicKey, plaintext, info);
  });
  report('room.rotate.1000-members', rotation, 'ms (commit built, signed, 1,000 key wraps sealed)');
  report('room.rotate.1000-members.apply', median(applied), 'ms (the same commit verified and applied)');
  report('room.rotate.1000-seals', seals, 'ms (anchor: 1,000 HPKE seals one by one, this run)');
  report('room.rotate.1000-members.vs-seals', rotation / seals, 'ratio (rotation time / seals time)');
}
