/**
 * Policies in KV (bucket rk_policies): org.<org>, project.<org>.<project>, room.<room>. The chain
 * of a room is read fresh for every decision (core/policy decides: effective rules are the most
 * restrictive of the chain, a role is the highest grant in it). The default org and project are
 * made on first start: every signed-in user (EVERYONE) is a member there and may create rooms.
 * @example const chain = await readChain(ctx.buckets, { orgId, projectId, roomId }); can('invite', userId, chain.chain);
 */
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { EVERYONE, type PolicyChain, Role } from '../core/policy/index.ts';
import { DEFAULT_ORG_ID, DEFAULT_PROJECT_ID } from '../core/transport/index.ts';
import type { roomkey } from '../proto/index.ts';
import type { Buckets } from './buckets.ts';
import type { Versioned } from './sealed-kv.ts';

type Policies = Pick<Buckets, 'orgPolicies' | 'projectPolicies' | 'roomPolicies'>;

/** Reads a key of one level (a bucket, or a memoised getter over one: room-grants.ts). */
interface Reader<T> {
  get(key: string): Promise<Versioned<T> | undefined>;
}

/** What readChain reads from: one getter per level. */
export interface PolicyReaders {
  orgPolicies: Reader<roomkey.v1.OrgPolicy>;
  projectPolicies: Reader<roomkey.v1.ProjectPolicy>;
  roomPolicies: Reader<roomkey.v1.RoomPolicy>;
}

/** Org, project and room ids: KV-key and subject safe. */
export const POLICY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const orgKey = (orgId: string) => `org.${orgId}`;
export const projectKey = (orgId: string, projectId: string) => `project.${orgId}.${projectId}`;
export const roomPolicyKey = (roomId: string) => `room.${roomId}`;

export interface Chain {
  chain: PolicyChain;
  org?: { value: roomkey.v1.OrgPolicy; revision: number };
  project?: { value: roomkey.v1.ProjectPolicy; revision: number };
  room?: { value: roomkey.v1.RoomPolicy; revision: number };
}

/** Reads the levels that exist; a missing level is simply absent from the chain. */
export async function readChain(
  policies: PolicyReaders,
  at: { orgId: string; projectId?: string; roomId?: string },
): Promise<Chain> {
  const [org, project, room] = await Promise.all([
    policies.orgPolicies.get(orgKey(at.orgId)),
    at.projectId ? policies.projectPolicies.get(projectKey(at.orgId, at.projectId)) : undefined,
    at.roomId ? policies.roomPolicies.get(roomPolicyKey(at.roomId)) : undefined,
  ]);
  return {
    chain: { org: org?.value ?? null, project: project?.value ?? null, room: room?.value ?? null },
    ...(org ? { org } : {}),
    ...(project ? { project } : {}),
    ...(room ? { room } : {}),
  };
}

/** A room's record; NotFoundError if there is no such room. */
export async function readRoomRecord(
  buckets: { rooms: Reader<roomkey.v1.RoomRecord> },
  roomId: string,
): Promise<roomkey.v1.RoomRecord> {
  const record = await buckets.rooms.get(roomId);
  if (!record) throw new NotFoundError('No such room.');
  return record.value;
}

/**
 * A room's record, then the policy chain at its org, project and room; NotFoundError if there is
 * no such room.
 * @example const { chain, record } = await readRoomChain(ctx.buckets, roomId);
 */
export async function readRoomChain(
  buckets: PolicyReaders & { rooms: Reader<roomkey.v1.RoomRecord> },
  roomId: string,
): Promise<Chain & { record: roomkey.v1.RoomRecord }> {
  const record = await readRoomRecord(buckets, roomId);
  const chain = await readChain(buckets, { orgId: record.orgId, projectId: record.projectId, roomId });
  return { ...chain, record };
}

/** The default org and project, made once (create-if-absent, so gateways starting together agree). */
export async function ensureDefaultPolicies(policies: Policies): Promise<void> {
  // SealedKv.create turns a lost race into ConflictError: another gateway made it first.
  const create = async (write: () => Promise<number>) => {
    try {
      await write();
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  };
  if (!(await policies.orgPolicies.get(orgKey(DEFAULT_ORG_ID)))) {
    await create(() =>
      policies.orgPolicies.create(
        orgKey(DEFAULT_ORG_ID),
        { orgId: DEFAULT_ORG_ID, rules: {}, grants: [] },
        'exists',
      ),
    );
  }
  if (!(await policies.projectPolicies.get(projectKey(DEFAULT_ORG_ID, DEFAULT_PROJECT_ID)))) {
    await create(() =>
      policies.projectPolicies.create(
        projectKey(DEFAULT_ORG_ID, DEFAULT_PROJECT_ID),
        {
          orgId: DEFAULT_ORG_ID,
          projectId: DEFAULT_PROJECT_ID,
          rules: { createRoom: Role.member },
          grants: [{ userId: EVERYONE, role: Role.member }],
        },
        'exists',
      ),
    );
  }
}
