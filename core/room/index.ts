/**
 * core/room: the transport-free room state machine (create, add, remove, rotate, encrypt, receive).
 * @example const room = await Room.create({ me, directory, roomId: newRoomId(), orgId, projectId, nowMs: Date.now() });
 */
export { checkRoomId, ROOM_ID_PATTERN } from './_checks.ts';
export { COMMIT_KIND, type CommitKindName, MAX_MEMBERS } from './commit.ts';
export type { VerifiedGenesis } from './genesis.ts';
export { ID_BYTES, IdSet } from './id-set.ts';
export { MemoryDirectory } from './memory-directory.ts';
export { asReceived, messageIdOf, parseReceived, type ReceivedEnvelope } from './received.ts';
export {
  MAX_EPOCH_IDS,
  REPLAY_GRACE_MS,
  ReplayGuard,
  type ReplayState,
  storedPastGrace,
} from './replay-guard.ts';
export { CONTENT_TYPE_TEXT, type CommitFacts, type IncomingEnvelope, MAX_HELD, Room } from './room.ts';
export { newRoomId } from './room-id.ts';
export type {
  Directory,
  EpochChange,
  EpochView,
  LocalMember,
  ReceiveResult,
  RoomMessage,
  StoredEnvelope,
  StoredFacts,
} from './types.ts';
export { validityTime } from './validity.ts';
export { type BatchOpener, startVerifying, type VerifyingBatch } from './verifying.ts';
