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
import { ForbiddenError, MalformedError, NotFoundError } from '../../core/errors.ts';
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
import { readsOnce } from '../request-reads.ts';
import type { Endpoint } from '../service.ts';

export const MAX_GENESIS_REQUEST = 16 * 1024;

export function roomCreate(ctx: GatewayContext): Endpoint {
  return {
    subject: ROOM_SUBJECTS.create,
    maxBytes: MAX_GENESIS_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.CreateRoomRequest, data, 'create room request');
      const genesis = req.genesis;
      if (!genesis) throw new MalformedError('genesis: missing');
      // Independent reads go out together (one round trip instead of four in a row); each outcome
      // is judged in the order the checks are written below, so the errors are the same as when
      // they ran one after another. The policy chain is read at the org and project the genesis
      // claims; it is used only once the genesis verified (and says the same).
      // The caller's device record is also the genesis signer's, and the creator's records say
      // whom to notify: one read each serves the checks and the effects (request-reads.ts).
      const reads = readsOnce(ctx.buckets);
      const directory = new KvDirectory(reads, ctx.now);
      const [callerRead, observerRead, chainRead] = await Promise.allSettled([
        requireDevice(ctx, call.caller.user, reads),
        Room.observe(genesis, directory),
        (async () => {
          const claimed = decode(v1.RoomGenesisBody, genesis.body ?? new Uint8Array(), 'room genesis');
          return readChain(ctx.buckets, {
            orgId: requirePolicyId(claimed.orgId, 'genesis org_id'),
            projectId: requirePolicyId(claimed.projectId, 'genesis project_id'),
          });
        })(),
      ]);
      const caller = settled(callerRead);
      const observer = settled(observerRead);
      const g = observer.genesis;
      if (g.creatorUserId !== caller.userId || !equalBytes(genesis.signer!, caller.deviceKey)) {
        throw new ForbiddenError(
          'A room is created by its creator, from the device that signed its genesis.',
        );
      }
      const orgId = requirePolicyId(g.orgId, 'genesis org_id');
      const projectId = requirePolicyId(g.projectId, 'genesis project_id');
      const rules = checkRules(g.policy.rules);
      const { chain, org, project } = settled(chainRead);
      if (!org || !project) throw new NotFoundError(`No project ${orgId}/${projectId}.`);
      if (!can('createRoom', caller.userId, chain)) {
        throw new ForbiddenError(`Policy does not let you create rooms in ${orgId}/${projectId}.`);
      }
      const roomId = g.roomId;

      // No stream to make: the room's subjects are in its shard stream already. Expected last
      // subject sequence 0 is the one check that the id is new (a ConflictError otherwise).
      const seq = await ctx.streams.appendCommit(roomId, encodeSigned(observer.genesisSigned), 0);
      // What is stored is what was verified: no need to read it back (use() still checks it is current).
      const room = { roomId, observer, seqs: [seq], directory };
      ctx.rooms.seed(room);
      // Nothing else can have changed a room whose genesis was stored a moment ago by this request,
      // and the effects' writes never go backwards: they run on the copy at hand, beside the policy.
      await Promise.all([
        ctx.buckets.roomPolicies.put(roomPolicyKey(roomId), {
          orgId,
          projectId,
          roomId,
          rules,
          grants: [{ userId: caller.userId, role: Role.owner }],
        }),
        applyMembership(ctx, room, { added: [caller.userId], removed: [] }, call.caller.user, reads),
      ]);
      return encode(v1.CreateRoomResponse, { roomId, genesisSeq: seq });
    },
  };
}

/** The value of a read made together with others, or its error, thrown where the check stands. */
function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}
