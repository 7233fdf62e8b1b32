/**
 * The admin API on rk.v1.gw.device.admin.*: set an org's, a project's or a room's rules and role
 * grants, authorized by policy itself: the caller needs admin (or owner) at that level or above
 * (core/policy `roleOf` over the chain), and only an owner may add or remove owner grants.
 * Any signed-in device may create a new org (it becomes its owner); a project is created by an
 * admin of its org; a room's policy exists from its creation (its creator is its owner).
 * Requests are the policy messages themselves; replies are what was stored.
 *   admin.org     OrgPolicy        admin.project  ProjectPolicy
 *   admin.room    RoomPolicy       admin.get      PolicyGetRequest → PolicyGetResponse
 *   admin.explain PolicyExplainRequest → PolicyExplainResponse (admin-explain.ts)
 */
import { decode, encode } from '../../core/codec.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.ts';
import { type PolicyChain, Role, type RoleValue, roleOf } from '../../core/policy/index.ts';
import { checkRoomId } from '../../core/room/index.ts';
import { ADMIN_SUBJECTS } from '../../core/transport/index.ts';
import { type roomkey, v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { checkGrants, checkRules, requirePolicyId } from '../policy-checks.ts';
import { type Chain, orgKey, projectKey, readChain, readRoomChain, roomPolicyKey } from '../policy-store.ts';
import type { Endpoint } from '../service.ts';
import { explainEndpoint } from './admin-explain.ts';

const MAX_REQUEST = 64 * 1024;
type Grant = roomkey.v1.RoleGrant.$Properties;

/** May `userId`, whose role in `chain` is what it is, replace `before` grants with `after`? */
function authorize(
  userId: string,
  chain: PolicyChain,
  before: readonly Grant[],
  after: readonly Grant[],
): void {
  const role = roleOf(userId, chain);
  if (role < Role.admin)
    throw new ForbiddenError('Only an owner or admin of this level (or above) may change its policy.');
  const owners = (grants: readonly Grant[]) =>
    grants
      .filter((g) => g.role === Role.owner)
      .map((g) => g.userId)
      .sort()
      .join('\n');
  if (owners(before) !== owners(after) && role < Role.owner) {
    throw new ForbiddenError('Only an owner may grant or take away the owner role.');
  }
}

function keepAnOwner(before: readonly Grant[], after: readonly Grant[]): void {
  if (before.some((g) => g.role === Role.owner) && !after.some((g) => g.role === Role.owner)) {
    throw new ConflictError('This change would leave no owner: grant the owner role to someone else first.');
  }
}

async function write<P>(
  store: {
    create(k: string, v: P, c: string): Promise<number>;
    update(k: string, v: P, r: number, c: string): Promise<number>;
  },
  key: string,
  value: P,
  revision: number | undefined,
): Promise<void> {
  const conflict = 'The policy changed at the same moment: read it again and retry.';
  if (revision === undefined) await store.create(key, value, conflict);
  else await store.update(key, value, revision, conflict);
}

export function adminEndpoints(
  ctx: GatewayContext,
  options: { allowOrgCreation?: boolean } = {},
): Endpoint[] {
  const org: Endpoint = {
    subject: ADMIN_SUBJECTS.org,
    maxBytes: MAX_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.OrgPolicy, data, 'org policy');
      const caller = await requireDevice(ctx, call.caller.user);
      const orgId = requirePolicyId(req.orgId, 'org_id');
      const rules = checkRules(req.rules, 'org');
      let grants = checkGrants(req.grants);
      const current = await ctx.buckets.orgPolicies.get(orgKey(orgId));
      if (current) {
        authorize(caller.userId, { org: current.value }, current.value.grants, grants);
        keepAnOwner(current.value.grants, grants);
      } else {
        if (options.allowOrgCreation === false)
          throw new ForbiddenError('New orgs are made by the operator here.');
        grants = [
          ...grants.filter((g) => g.userId !== caller.userId),
          { userId: caller.userId, role: Role.owner },
        ];
      }
      const value = { orgId, rules, grants };
      await write(ctx.buckets.orgPolicies, orgKey(orgId), value, current?.revision);
      return encode(v1.OrgPolicy, value);
    },
  };
  const project: Endpoint = {
    subject: ADMIN_SUBJECTS.project,
    maxBytes: MAX_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.ProjectPolicy, data, 'project policy');
      const caller = await requireDevice(ctx, call.caller.user);
      const orgId = requirePolicyId(req.orgId, 'org_id');
      const projectId = requirePolicyId(req.projectId, 'project_id');
      const rules = checkRules(req.rules, 'project');
      const grants = checkGrants(req.grants);
      const chain = await readChain(ctx.buckets, { orgId, projectId });
      if (!chain.org) throw new NotFoundError(`No org ${orgId}.`);
      const before = chain.project?.value.grants ?? [];
      authorize(caller.userId, chain.chain, before, grants);
      keepAnOwner(before, grants);
      const value = { orgId, projectId, rules, grants };
      await write(ctx.buckets.projectPolicies, projectKey(orgId, projectId), value, chain.project?.revision);
      return encode(v1.ProjectPolicy, value);
    },
  };
  const room: Endpoint = {
    subject: ADMIN_SUBJECTS.room,
    maxBytes: MAX_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.RoomPolicy, data, 'room policy');
      const caller = await requireDevice(ctx, call.caller.user);
      const roomId = checkRoomId(req.roomId);
      const rules = checkRules(req.rules);
      const grants = checkGrants(req.grants);
      const chain = await readRoomChain(ctx.buckets, roomId);
      const { orgId, projectId } = chain.record;
      const before = chain.room?.value.grants ?? [];
      authorize(caller.userId, chain.chain, before, grants);
      keepAnOwner(before, grants);
      const value = { orgId, projectId, roomId, rules, grants };
      await write(ctx.buckets.roomPolicies, roomPolicyKey(roomId), value, chain.room?.revision);
      return encode(v1.RoomPolicy, value);
    },
  };
  const get: Endpoint = {
    subject: ADMIN_SUBJECTS.get,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.PolicyGetRequest, data, 'policy get request');
      const caller = await requireDevice(ctx, call.caller.user);
      let orgId: string;
      let chain: Chain;
      if (req.roomId) {
        const room = await readRoomChain(ctx.buckets, checkRoomId(req.roomId));
        orgId = room.record.orgId;
        chain = room;
      } else {
        const at: { orgId: string; projectId?: string } = { orgId: requirePolicyId(req.orgId, 'org_id') };
        if (req.projectId) at.projectId = requirePolicyId(req.projectId, 'project_id');
        chain = await readChain(ctx.buckets, at);
        orgId = at.orgId;
      }
      if (!chain.org) throw new NotFoundError(`No org ${orgId}.`);
      const role: RoleValue = roleOf(caller.userId, chain.chain);
      if (role === Role.none) throw new ForbiddenError('You have no role here.');
      return encode(v1.PolicyGetResponse, {
        org: chain.org.value,
        ...(chain.project ? { project: chain.project.value } : {}),
        ...(chain.room ? { room: chain.room.value } : {}),
      });
    },
  };
  return [org, project, room, get, explainEndpoint(ctx)];
}
