/**
 * rk.v1.gw.device.room.commit: every membership change and key rotation goes through here, so
 * members need no publish permission on `.commit`. The gateway brings the room's verified chain up
 * to date, checks the caller signed the commit with its own device, checks policy (add → invite,
 * remove → remove, leaving yourself always allowed, rotate → rotate, a commit flagged `renames` →
 * the invite rule's role too, since the sealed name is out of its sight; under the default policy
 * adding and removing belong to the room's owners and admins, the creator being its owner), verifies and applies the
 * commit on its keyless copy (signature, parent hash, committer membership, member list, one key
 * wrap per member), then stores it with Nats-Expected-Last-Subject-Sequence = the sequence of the
 * commit it builds on: a concurrent commit on the same parent gets a ConflictError. Membership
 * effects follow (membership-effects.ts).
 */
import { equalBytes } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { encodeSigned } from '../../core/crypto/index.ts';
import { ConflictError, ForbiddenError, MalformedError } from '../../core/errors.ts';
import { type Action, can, effectiveRules, Role, roleOf } from '../../core/policy/index.ts';
import { COMMIT_KIND, checkRoomId } from '../../core/room/index.ts';
import { ROOM_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { applyMembership } from '../membership-effects.ts';
import { readRoomChain } from '../policy-store.ts';
import type { LoadedRoom } from '../room-chain.ts';
import { MAX_ROOM_MESSAGE_BYTES } from '../room-streams.ts';
import type { Endpoint } from '../service.ts';

export function roomCommit(ctx: GatewayContext): Endpoint {
  return {
    subject: ROOM_SUBJECTS.commit,
    maxBytes: MAX_ROOM_MESSAGE_BYTES - 4096,
    handle: async (data, call) => {
      const req = decode(v1.CommitRequest, data, 'commit request');
      const roomId = checkRoomId(req.roomId);
      const signed = req.commit;
      if (!signed?.body?.length || signed.signature?.length !== 64 || signed.signer?.length !== 32) {
        throw new MalformedError('commit: expected a signed epoch commit');
      }
      const caller = await requireDevice(ctx, call.caller.user);
      if (!equalBytes(signed.signer, caller.deviceKey)) {
        throw new ForbiddenError('A commit must be signed by the device that sends it.');
      }
      // Read (not yet trusted) to decide policy before anything is applied; applyCommit verifies.
      const claimed = decode(v1.EpochCommitBody, signed.body, 'epoch commit');
      if (claimed.roomId !== roomId) throw new MalformedError('commit: for another room');
      if (claimed.committerUserId !== caller.userId) {
        throw new ForbiddenError('A commit is sent by its committer.');
      }
      const { chain } = await readRoomChain(ctx.buckets, roomId);
      const action = actionOf(claimed.kind, claimed.removed, caller.userId);
      if (action && !can(action, caller.userId, chain)) throw refusal(action, effectiveRules(chain)[action]);
      if (
        action === 'remove' &&
        claimed.removed.some((u) => roleOf(u, chain) > roleOf(caller.userId, chain))
      ) {
        throw new ForbiddenError(
          "Nobody may remove someone with a higher role than their own, such as the room's owner.",
        );
      }
      // The name is sealed: the gateway judges the plaintext flag every client requires of a rename.
      if (claimed.renames && !can(RENAME_RULE, caller.userId, chain)) {
        throw refusal('rename', effectiveRules(chain)[RENAME_RULE]);
      }
      const leaving = action === undefined && claimed.kind === COMMIT_KIND.remove;

      const result = await ctx.rooms
        .use(roomId, async (room) => {
          const stored = storedAlready(room, claimed.epoch, signed);
          if (stored) {
            // The same commit sent again after its reply was lost: the same answer, and its effects
            // once more (the first try may have stopped between storing and applying them).
            const change = stillTrue(room, claimed);
            if (!leaving) await retry(() => applyMembership(ctx, room, change, call.caller.user));
            return { ...stored, change };
          }
          const base = room.seqs.at(-1)!;
          if (claimed.epoch !== room.observer.epoch + 1) {
            throw new ConflictError(
              `This room is at epoch ${room.observer.epoch}; a commit for epoch ${claimed.epoch} does not follow it: fetch the latest commits and rebuild the change.`,
            );
          }
          for (const userId of claimed.added) await room.directory.identity(userId);
          await room.observer.applyCommit(signed);
          const seq = await ctx.streams.appendCommit(
            roomId,
            encodeSigned(room.observer.signedAt(claimed.epoch)),
            base,
          );
          room.seqs.push(seq);
          // The commit is stored: its effects must follow (a removed member must lose access).
          const change = { added: claimed.added, removed: claimed.removed };
          if (!leaving) await retry(() => applyMembership(ctx, room, change, call.caller.user));
          return { epoch: claimed.epoch, seq, change };
        })
        .catch(async (error: unknown) => {
          if (!(error instanceof ConflictError)) throw error;
          // A copy of this same commit, sent again while this one was on its way, may have won
          // through another gateway: then it is the same answer (the winner ran the effects).
          const won = await ctx.rooms.use(roomId, async (room) => {
            const stored = storedAlready(room, claimed.epoch, signed);
            return stored && { ...stored, change: stillTrue(room, claimed) };
          });
          if (!won) throw error;
          return won;
        });
      // Whoever leaves is cut off by the effects: done before the reply, the leaver's own connection
      // would close first and the answer be lost. The new epoch was never wrapped to them anyway.
      if (leaving) setTimeout(() => void afterLeave(ctx, roomId, result.change, call.caller.user), 0);
      return encode(v1.CommitResponse, { epoch: result.epoch, seq: result.seq });
    },
  };
}

/**
 * The answer already given to this exact commit (same body and signature at its epoch), if the
 * chain holds it. Only the device that signed it can send it (checked above), so a retry is never
 * someone else's replay.
 */
function storedAlready(
  room: LoadedRoom,
  epoch: number,
  signed: { body?: Uint8Array | null; signature?: Uint8Array | null },
): { epoch: number; seq: number } | undefined {
  if (epoch < 1 || epoch > room.observer.epoch) return undefined;
  const held = room.observer.signedAt(epoch);
  if (!held.body || !held.signature || !signed.body || !signed.signature) return undefined;
  if (!equalBytes(held.body, signed.body) || !equalBytes(held.signature, signed.signature)) return undefined;
  return { epoch, seq: room.seqs[epoch]! };
}

/**
 * The part of a retried commit's change that later commits did not undo: a user it removed who was
 * added back since must not be cut off again, nor one it added and a later commit removed be told
 * to join.
 */
function stillTrue(
  room: LoadedRoom,
  change: { added: readonly string[]; removed: readonly string[] },
): { added: string[]; removed: string[] } {
  const members = room.observer.members;
  return {
    added: change.added.filter((userId) => members.includes(userId)),
    removed: change.removed.filter((userId) => !members.includes(userId)),
  };
}

async function retry(step: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/**
 * Renaming is managing the room: it takes the role the invite rule asks (owners and admins by
 * default), so no new rule is needed in the policy levels.
 */
export const RENAME_RULE: Action = 'invite';

function actionOf(kind: number, removed: readonly string[], userId: string): Action | undefined {
  if (kind === COMMIT_KIND.add) return 'invite';
  if (kind === COMMIT_KIND.remove)
    return removed.length === 1 && removed[0] === userId ? undefined : 'remove';
  if (kind === COMMIT_KIND.rotate) return 'rotate';
  throw new MalformedError(`commit: unknown kind ${kind}`);
}

/** The leaver's access ends once they have their answer (see the handler). */
async function afterLeave(
  ctx: GatewayContext,
  roomId: string,
  change: { added: readonly string[]; removed: readonly string[] },
  callerNkey: string,
): Promise<void> {
  try {
    await ctx.rooms.use(roomId, (room) => retry(() => applyMembership(ctx, room, change, callerNkey)));
  } catch (error) {
    // No room id in logs (trust rule 4): the error says what failed.
    ctx.log(`room.commit: the effects of a member leaving failed: ${(error as Error)?.message ?? error}`);
  }
}

const ROLE_NAMES: Record<number, string> = {
  [Role.guest]: 'members and guests',
  [Role.member]: 'members',
  [Role.admin]: 'owners and admins',
  [Role.owner]: 'owners',
};

/** Says who may do it, so the person knows whom to ask. */
function refusal(action: Action | 'rename', needed: number): ForbiddenError {
  const what =
    {
      invite: 'add members',
      remove: 'remove members',
      rotate: 'change the room key',
      rename: 'rename the room',
    }[action as string] ?? action;
  const who = ROLE_NAMES[needed] ?? 'owners';
  return new ForbiddenError(`Only the room's ${who} may ${what}: ask one of them.`);
}
