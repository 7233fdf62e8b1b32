/**
 * Epoch commits: every membership change (add, remove) and every rotation opens a new epoch with a
 * fresh secret wrapped to each member of the new epoch, signed by the committer's device and chained
 * to its parent by hash. Membership is therefore constant within an epoch.
 * @example const signed = await buildCommit({ ...state, kind: 'add', added: ['bob'] });
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { decode, encode } from '../codec.ts';
import {
  deriveEpochKeys,
  type EpochSecretEntry,
  encodeSigned,
  generateEpochSecret,
  LABEL_EPOCH_COMMIT,
  type RoomInfo,
  type SignedProps,
  sealRoomInfo,
  sha256,
  signBody,
  verifySigned,
  wrapEpochSecrets,
} from '../crypto/index.ts';
import { MalformedError } from '../errors.ts';
import { sortedUnique } from './_checks.ts';
import type { Directory, LocalMember } from './types.ts';

export type CommitKindName = 'add' | 'remove' | 'rotate';

export const COMMIT_KIND = { add: 1, remove: 2, rotate: 3 } as const;
const KIND_NAME: Record<number, CommitKindName> = { 1: 'add', 2: 'remove', 3: 'rotate' };

/** Bounds hostile input: a commit lists every member and carries one wrap each. */
export const MAX_MEMBERS = 10_000;

export interface CommitInput {
  me: LocalMember;
  directory: Directory;
  roomId: string;
  /** The epoch the commit builds on. */
  parentEpoch: number;
  /** The Signed bytes of the genesis or previous commit. */
  parent: SignedProps;
  parentMembers: readonly string[];
  kind: CommitKindName;
  added?: readonly string[];
  removed?: readonly string[];
  /** Earlier epoch secrets to give the added users (history sharing, when policy allows). */
  history?: readonly EpochSecretEntry[];
  /** The room's name and topic for the new epoch (unchanged, or new for a rename). */
  info: RoomInfo;
  /** A rename: the gateway checks the committer's role for it; clients keep the old name without it. */
  renames?: boolean;
  nowMs: number;
}

export interface VerifiedCommitBody {
  roomId: string;
  epoch: number;
  kind: CommitKindName;
  parentHash: Uint8Array;
  members: string[];
  added: string[];
  removed: string[];
  roomPublicKey: Uint8Array;
  keyWraps: roomkey.v1.KeyWrap.$Properties[];
  committerUserId: string;
  committedAtMs: number;
  info: roomkey.v1.SealedRoomInfo.$Properties | null;
  renames: boolean;
}

/** The new member list a change produces, with the rules of each kind checked. */
export function nextMembers(
  parentMembers: readonly string[],
  kind: CommitKindName,
  added: readonly string[],
  removed: readonly string[],
): string[] {
  const current = new Set(parentMembers);
  if (kind === 'add' && (added.length === 0 || removed.length > 0)) {
    throw new MalformedError('add commit: must add at least one user and remove none');
  }
  if (kind === 'remove' && (removed.length === 0 || added.length > 0)) {
    throw new MalformedError('remove commit: must remove at least one user and add none');
  }
  if (kind === 'rotate' && (added.length > 0 || removed.length > 0)) {
    throw new MalformedError('rotate commit: changes no membership');
  }
  for (const user of sortedUnique(added, 'added')) {
    if (current.has(user)) throw new MalformedError(`add commit: ${user} is already a member`);
    current.add(user);
  }
  for (const user of sortedUnique(removed, 'removed')) {
    if (!current.delete(user)) throw new MalformedError(`remove commit: ${user} is not a member`);
  }
  if (current.size === 0) throw new MalformedError('commit: a room cannot be left with no members');
  if (current.size > MAX_MEMBERS) throw new MalformedError(`commit: more than ${MAX_MEMBERS} members`);
  return [...current].sort();
}

/** Builds and signs a commit; returns it with the new epoch secret (the caller keeps it once published). */
export async function buildCommit(input: CommitInput): Promise<{ signed: SignedProps; secret: Uint8Array }> {
  const added = [...(input.added ?? [])];
  const removed = [...(input.removed ?? [])];
  const members = nextMembers(input.parentMembers, input.kind, added, removed);
  const epoch = input.parentEpoch + 1;
  const secret = generateEpochSecret();
  const keys = await deriveEpochKeys(secret, input.roomId, epoch);
  const newcomers = new Set(added);
  const keyWraps = await Promise.all(
    members.map(async (userId) => {
      const identity = await input.directory.identity(userId);
      const history = newcomers.has(userId) ? (input.history ?? []) : [];
      return wrapEpochSecrets({
        roomId: input.roomId,
        epoch,
        recipientUserId: userId,
        recipientHpkeKey: identity.hpkeKey,
        secrets: [...history.filter((h) => h.epoch < epoch), { epoch, secret }],
      });
    }),
  );
  const body = encode(v1.EpochCommitBody, {
    roomId: input.roomId,
    epoch,
    kind: COMMIT_KIND[input.kind],
    parentHash: sha256(encodeSigned(input.parent)),
    members,
    added: added.sort(),
    removed: removed.sort(),
    roomPublicKey: keys.roomPublicKey,
    keyWraps,
    committerUserId: input.me.userId,
    committedAtMs: input.nowMs,
    info: sealRoomInfo({ roomId: input.roomId, epoch, roomInfoKey: keys.roomInfoKey, info: input.info }),
    renames: input.renames === true,
  });
  return { signed: await signBody(LABEL_EPOCH_COMMIT, body, input.me.device.secretKey), secret };
}

/** Signature and shape of a commit; chain and membership rules are checked by the room. */
export async function verifyCommitSignature(signed: roomkey.v1.ISigned): Promise<VerifiedCommitBody> {
  const body = decode(v1.EpochCommitBody, await verifySigned(LABEL_EPOCH_COMMIT, signed), 'epoch commit');
  const kind = KIND_NAME[body.kind];
  if (!kind) throw new MalformedError(`epoch commit: unknown kind ${body.kind}`);
  if (body.members.length > MAX_MEMBERS || body.keyWraps.length > MAX_MEMBERS) {
    throw new MalformedError(`epoch commit: more than ${MAX_MEMBERS} members`);
  }
  if (body.parentHash.length !== 32) throw new MalformedError('epoch commit: parent hash must be 32 bytes');
  if (body.roomPublicKey.length !== 32)
    throw new MalformedError('epoch commit: room public key must be 32 bytes');
  if (!body.committerUserId) throw new MalformedError('epoch commit: no committer');
  return {
    roomId: body.roomId,
    epoch: body.epoch,
    kind,
    parentHash: body.parentHash,
    members: body.members,
    added: body.added,
    removed: body.removed,
    roomPublicKey: body.roomPublicKey,
    keyWraps: body.keyWraps,
    committerUserId: body.committerUserId,
    committedAtMs: body.committedAtMs,
    info: body.info ?? null,
    renames: body.renames === true,
  };
}
