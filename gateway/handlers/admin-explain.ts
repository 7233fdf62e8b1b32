/**
 * rk.v1.gw.device.admin.explain: the effective rules at a room (room_id), or for new rooms of a
 * project (org_id + project_id), each with the level that set it and why it allows or denies
 * (admin-explain-rules.ts). The caller needs a role in the chain, as for admin.get; asking about
 * another user (user_id) needs admin or owner there, since it tells who holds which role.
 *   PolicyExplainRequest → PolicyExplainResponse
 */
import { decode, encode } from '../../core/codec.ts';
import { ForbiddenError, NotFoundError } from '../../core/errors.ts';
import { Role, roleOf } from '../../core/policy/index.ts';
import { checkRoomId } from '../../core/room/index.ts';
import { ADMIN_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { requireUserId } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { requirePolicyId } from '../policy-checks.ts';
import { type Chain, readChain, readRoomChain } from '../policy-store.ts';
import type { Endpoint } from '../service.ts';
import { explainRules } from './admin-explain-rules.ts';

/**
 * The admin.explain endpoint.
 * @example serve(nc, [explainEndpoint(ctx)], options);
 */
export function explainEndpoint(ctx: GatewayContext): Endpoint {
  return {
    subject: ADMIN_SUBJECTS.explain,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.PolicyExplainRequest, data, 'policy explain request');
      const caller = await requireDevice(ctx, call.caller.user);
      const subject = req.userId ? requireUserId(req.userId) : caller.userId;
      let at: { orgId: string; projectId: string; roomId: string };
      let chain: Chain;
      if (req.roomId) {
        const room = await readRoomChain(ctx.buckets, checkRoomId(req.roomId));
        at = { orgId: room.record.orgId, projectId: room.record.projectId, roomId: room.record.roomId };
        chain = room;
      } else {
        const orgId = requirePolicyId(req.orgId, 'org_id');
        const projectId = requirePolicyId(req.projectId, 'project_id');
        at = { orgId, projectId, roomId: '' };
        chain = await readChain(ctx.buckets, { orgId, projectId });
        if (chain.org && !chain.project) throw new NotFoundError(`No project ${projectId} in org ${orgId}.`);
      }
      if (!chain.org) throw new NotFoundError(`No org ${at.orgId}.`);
      const role = roleOf(caller.userId, chain.chain);
      if (role === Role.none) throw new ForbiddenError('You have no role here: ask an admin of this org.');
      if (subject !== caller.userId && role < Role.admin)
        throw new ForbiddenError("Only an owner or admin here may see another user's rules.");
      const why = explainRules(chain.chain, subject, subject === caller.userId ? 'you' : 'this user');
      return encode(v1.PolicyExplainResponse, { ...at, userId: subject, ...why });
    },
  };
}
