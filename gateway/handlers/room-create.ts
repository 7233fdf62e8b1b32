/**
 * rk.v1.gw.device.room.create: the caller's device sends a signed genesis. The gateway verifies it
 * (core/room's keyless observer: signature, the creator's device certificate), checks the caller is
 * that device of that creator and that policy lets the creator make rooms in the project, and only
 * then stores the genesis as the room's first `.commit` in its shard stream (expected last subject
 * sequence 0: of two creations of one room id, one wins; no stream is made per room). Then the room's policy (the creator
 * owns the room; rules from the genesis may only tighten), its KV record and the creator's list.
 */
import { equalBytes } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { encodeSigned } from '../../core/crypto/index.ts';
import { ConflictError, ForbiddenError, MalformedError, NotFoundError } from '../../core/errors.ts';
import { can, Role } from '../../core/policy/index.ts';
import { Room } from '../../core/room/index.ts';
import { ROOM_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { KvDirectory } from '../kv-directory.ts';
import { applyMembership } from '../membership-effects.ts';
import { checkRules, requirePolicyId } from '../policy-checks.ts';
import { readChain, roomPolicyKey } from '../policy-store.ts';
import type { Endpoint } from '../service.ts';

export const MAX_GENESIS_REQUEST = 16 * 1024;

export function roomCreate(ctx: GatewayContext): Endpoint {
  return {
    subject: ROOM_SUBJECTS.create,
    maxBytes: MAX_GENESIS_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.CreateRoomRequest, data, 'create room request');
      if (!req.genesis) throw new MalformedError('genesis: missing');
      const caller = await requireDevice(ctx, call.caller.user);
      const directory = new KvDirectory(ctx.buckets, ctx.now);
      const observer = await Room.observe(req.genesis, directory);
      const g = observer.genesis;
      if (g.creatorUserId !== caller.userId || !equalBytes(req.genesis.signer!, caller.deviceKey)) {
        throw new ForbiddenError(
          'A room is created by its creator, from the device that signed its genesis.',
        );
      }
      const orgId = requirePolicyId(g.orgId, 'genesis org_id');
      const projectId = requirePolicyId(g.projectId, 'genesis project_id');
      const rules = checkRules(g.policy.rules);
      const { chain, org, project } = await readChain(ctx.buckets, { orgId, projectId });
      if (!org || !project) throw new NotFoundError(`No project ${orgId}/${projectId}.`);
      if (!can('createRoom', caller.userId, chain)) {
        throw new ForbiddenError(`Policy does not let you create rooms in ${orgId}/${projectId}.`);
      }
      const roomId = g.roomId;
      if (await ctx.buckets.rooms.get(roomId)) throw new ConflictError('A room with this id exists.');

      // No stream to make: the room's subjects are in its shard stream already.
      const seq = await ctx.streams.appendCommit(roomId, encodeSigned(observer.genesisSigned), 0);
      // What is stored is what was verified: no need to read it back (use() still checks it is current).
      ctx.rooms.seed({ roomId, observer, seqs: [seq], directory });
      await ctx.buckets.roomPolicies.put(roomPolicyKey(roomId), {
        orgId,
        projectId,
        roomId,
        rules,
        grants: [{ userId: caller.userId, role: Role.owner }],
      });
      await ctx.rooms.use(roomId, (room) =>
        applyMembership(ctx, room, { added: [caller.userId], removed: [] }, call.caller.user),
      );
      return encode(v1.CreateRoomResponse, { roomId, genesisSeq: seq });
    },
  };
}
