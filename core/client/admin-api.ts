/**
 * AdminApi: the admin requests of the gateway (rk.v1.gw.device.admin.*) on a signed-in device's
 * connection, for `<roomkey-admin>` and `roomkey-gateway admin`. The gateway authorizes every
 * request by policy itself (gateway/handlers/admin.ts); what this class adds is the read-modify-
 * write of one level (a grant or a rule changes, the rest of the level stays) and names for users.
 * Usernames are looked up in the gateway's directory: for roles the gateway is the authority
 * anyway (it enforces them), so nothing here needs the contacts' safety numbers.
 * @example const admin = new AdminApi(() => session.nc); await admin.grant({ level: 'org', orgId: 'acme' }, 'bob', Role.admin);
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { decode, encode } from '../codec.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { gatewayRequest } from '../transport/request.ts';
import { ADMIN_SUBJECTS } from '../transport/subjects.ts';
import { normalizeUsername } from '../transport/username.ts';
import { type PolicyTarget, RULE_NAMES, type RuleName, withGrant, withRules } from './admin-edits.ts';
import { directoryLookup } from './gateway-api.ts';

type Rules = roomkey.v1.PolicyRules.$Properties;
type Grant = roomkey.v1.RoleGrant.$Properties;

/** One level's policy as stored: its rules and grants. */
export interface LevelPolicy {
  rules: Rules;
  grants: Grant[];
}

/**
 * Changes to a level's rules: a role per rule (0 = inherit), the rotation interval, and (orgs only)
 * the days after which an unused device is signed out (1 to 90; 0 = never).
 */
export type RuleChanges = Partial<Record<RuleName, number>> & {
  rotateEverySeconds?: number;
  deviceIdleDays?: number;
};

export class AdminApi {
  readonly #nc: () => NatsConnection;
  readonly #timeoutMs: number | undefined;

  /** `nc` is asked for each request: a session's connection is replaced when it reconnects. */
  constructor(nc: () => NatsConnection, options: { timeoutMs?: number } = {}) {
    this.#nc = nc;
    this.#timeoutMs = options.timeoutMs;
  }

  async #request<T>(subject: string, body: Uint8Array, type: { decode(b: Uint8Array): T }, what: string) {
    return decode(
      type,
      await gatewayRequest(this.#nc(), subject, body, { timeoutMs: this.#timeoutMs }),
      what,
    );
  }

  /** The chain at a target (org; org and project; or a room's org, project and room). */
  chain(target: PolicyTarget): Promise<roomkey.v1.PolicyGetResponse> {
    const query =
      target.level === 'room'
        ? { roomId: target.roomId }
        : { orgId: target.orgId, ...(target.level === 'project' ? { projectId: target.projectId } : {}) };
    return this.#request(
      ADMIN_SUBJECTS.get,
      encode(v1.PolicyGetRequest, query),
      v1.PolicyGetResponse,
      'policy',
    );
  }

  /** The target's own level (NotFoundError when it has none yet: a project not made, a room with no policy). */
  async level(target: PolicyTarget): Promise<LevelPolicy> {
    const chain = await this.chain(target);
    const level =
      target.level === 'org' ? chain.org : target.level === 'project' ? chain.project : chain.room;
    if (!level) throw new NotFoundError(`No policy at ${describe(target)} yet.`);
    return plain(level);
  }

  /** Replaces a level's rules and grants (the caller must be admin there or above); returns what was stored. */
  async write(target: PolicyTarget, policy: LevelPolicy): Promise<LevelPolicy> {
    const { rules, grants } = policy;
    let stored: { rules?: Rules | null; grants?: Grant[] | null };
    if (target.level === 'org') {
      const body = encode(v1.OrgPolicy, { orgId: target.orgId, rules, grants });
      stored = await this.#request(ADMIN_SUBJECTS.org, body, v1.OrgPolicy, 'org policy');
    } else if (target.level === 'project') {
      const body = encode(v1.ProjectPolicy, {
        orgId: target.orgId,
        projectId: target.projectId,
        rules,
        grants,
      });
      stored = await this.#request(ADMIN_SUBJECTS.project, body, v1.ProjectPolicy, 'project policy');
    } else {
      const body = encode(v1.RoomPolicy, { roomId: target.roomId, rules, grants });
      stored = await this.#request(ADMIN_SUBJECTS.room, body, v1.RoomPolicy, 'room policy');
    }
    return plain(stored);
  }

  /** Makes a new org (the caller becomes its owner); ConflictError when it exists. */
  async createOrg(orgId: string): Promise<LevelPolicy> {
    const target: PolicyTarget = { level: 'org', orgId };
    if (await this.#exists(target))
      throw new ConflictError(`The org ${orgId} exists already: pick another id.`);
    return this.write(target, { rules: {}, grants: [] });
  }

  /** Makes a new project in an org (the caller must be its admin); ConflictError when it exists. */
  async createProject(orgId: string, projectId: string): Promise<LevelPolicy> {
    const target: PolicyTarget = { level: 'project', orgId, projectId };
    if (await this.#exists(target))
      throw new ConflictError(`The project ${orgId}/${projectId} exists already: pick another id.`);
    return this.write(target, { rules: {}, grants: [] });
  }

  /** Gives `userId` a role at the target (0 takes it away); the level's other grants and rules stay. */
  async grant(target: PolicyTarget, userId: string, role: number): Promise<LevelPolicy> {
    const level = await this.#levelOrEmpty(target);
    return this.write(target, { rules: level.rules, grants: withGrant(level.grants, userId, role) });
  }

  /** Changes some rules at the target; the others and the grants stay. */
  async setRules(target: PolicyTarget, changes: RuleChanges): Promise<LevelPolicy> {
    const level = await this.#levelOrEmpty(target);
    const { rotateEverySeconds, deviceIdleDays, ...roles } = changes;
    const fields: Parameters<typeof withRules>[1] = {};
    for (const [name, role] of Object.entries(roles) as [RuleName, number][]) fields[RULE_NAMES[name]] = role;
    if (rotateEverySeconds !== undefined) fields.rotateEveryS = rotateEverySeconds;
    if (deviceIdleDays !== undefined) fields.deviceIdleDays = deviceIdleDays;
    return this.write(target, { rules: withRules(level.rules, fields), grants: level.grants });
  }

  /**
   * The effective rules at a room or for new rooms of a project, each with its level and why,
   * for the caller or (admins only) for `userId`.
   */
  explain(target: PolicyTarget, userId?: string): Promise<roomkey.v1.PolicyExplainResponse> {
    if (target.level === 'org')
      throw new NotFoundError('Rules are in force at a project or a room: name one.');
    const query =
      target.level === 'room'
        ? { roomId: target.roomId }
        : { orgId: target.orgId, projectId: target.projectId };
    return this.#request(
      ADMIN_SUBJECTS.explain,
      encode(v1.PolicyExplainRequest, { ...query, ...(userId ? { userId } : {}) }),
      v1.PolicyExplainResponse,
      'policy explanation',
    );
  }

  /** A user's id from their username (NotFoundError when there is no such user). */
  async userIdOf(username: string): Promise<string> {
    const found = await directoryLookup(this.#nc(), 'user', { username: normalizeUsername(username) });
    return identityOf(found).userId;
  }

  /** A user's name from their id, for showing grants (the id itself when the directory has none). */
  async usernameOf(userId: string): Promise<string> {
    if (userId === '*') return 'everyone';
    try {
      return identityOf(await directoryLookup(this.#nc(), 'identity', { userId })).username || userId;
    } catch (error) {
      if (error instanceof NotFoundError) return userId;
      throw error;
    }
  }

  async #exists(target: PolicyTarget): Promise<boolean> {
    try {
      await this.level(target);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      // An org is looked up before the caller's role: refused means it exists. A project under an
      // org without a role there: unknown, and the write is refused anyway.
      if (error instanceof ForbiddenError) return target.level === 'org';
      throw error;
    }
  }

  /** A room's own level may not exist yet (its rules are then all inherited): start from nothing. */
  async #levelOrEmpty(target: PolicyTarget): Promise<LevelPolicy> {
    try {
      return await this.level(target);
    } catch (error) {
      if (error instanceof NotFoundError && target.level === 'room') return { rules: {}, grants: [] };
      throw error;
    }
  }
}

/** Plain objects (not protobuf instances): what callers compare, show and send back. */
function plain(level: { rules?: Rules | null; grants?: Grant[] | null }): LevelPolicy {
  const r = level.rules ?? {};
  return {
    rules: {
      createRoom: r.createRoom ?? 0,
      invite: r.invite ?? 0,
      remove: r.remove ?? 0,
      rotate: r.rotate ?? 0,
      readPreJoinHistory: r.readPreJoinHistory ?? 0,
      rotateEveryS: Number(r.rotateEveryS ?? 0),
      deviceIdleDays: Number(r.deviceIdleDays ?? 0),
    },
    grants: (level.grants ?? []).map((g) => ({ userId: g.userId ?? '', role: g.role ?? 0 })),
  };
}

function identityOf(found: roomkey.v1.DirectoryResponse): roomkey.v1.UserIdentityBody {
  const body = found.identity?.body;
  if (!body?.length) throw new NotFoundError('The directory has no identity for this user.');
  return decode(v1.UserIdentityBody, body, 'identity');
}

function describe(target: PolicyTarget): string {
  if (target.level === 'room') return `room ${target.roomId}`;
  return target.level === 'org' ? `org ${target.orgId}` : `project ${target.orgId}/${target.projectId}`;
}
