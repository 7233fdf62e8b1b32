/**
 * rk.v1.gw.device.room.commit: every membership change and key rotation goes through here, so
 * members need no publish permission on `.commit`. The gateway brings the room's verified chain up
 * to date, checks the caller signed the commit with its own device, checks policy (add → invite,
 * remove → remove, leaving yourself always allowed, rotate → rotate), verifies and applies the
 * commit on its keyless copy (signature, parent hash, committer membership, member list, one key
 * wrap per member), then stores it with Nats-Expected-Last-Subject-Sequence = the sequence of the
 * commit it builds on: a concurrent commit on the same parent gets a ConflictError. Membership
 * effects follow (membership-effects.ts).
 */
import { equalBytes } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { encodeSigned } from '../../core/crypto/index.ts';
import { ConflictError, ForbiddenError, MalformedError } from '../../core/errors.ts';
import { type Action, can } from '../../core/policy/index.ts';
import { COMMIT_KIND, checkRoomId } from '../../core/room/index.ts';
import { ROOM_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { applyMembership } from '../membership-effects.ts';
import { readRoomChain } from '../policy-store.ts';
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
      if (action && !can(action, caller.userId, chain)) {
        throw new ForbiddenError(`Policy does not let you ${describe(action)} in this room.`);
      }

      const result = await ctx.rooms.use(roomId, async (room) => {
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
        await retry(() =>
          applyMembership(ctx, room, { added: claimed.added, removed: claimed.removed }, call.caller.user),
        );
        return { epoch: claimed.epoch, seq };
      });
      return encode(v1.CommitResponse, result);
    },
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

function actionOf(kind: number, removed: readonly string[], userId: string): Action | undefined {
  if (kind === COMMIT_KIND.add) return 'invite';
  if (kind === COMMIT_KIND.remove)
    return removed.length === 1 && removed[0] === userId ? undefined : 'remove';
  if (kind === COMMIT_KIND.rotate) return 'rotate';
  throw new MalformedError(`commit: unknown kind ${kind}`);
}

function describe(action: Action): string {
  return (
    { invite: 'add members', remove: 'remove members', rotate: 'rotate the keys' }[action as string] ?? action
  );
}
