/**
 * The pure parts of administering policies, shared by `<roomkey-admin>` and `roomkey-gateway
 * admin`: where a policy lives (a target), role names, and edits of grants and rules that keep
 * everything else of the level as it was.
 * @example withGrant(project.grants, bobId, Role.admin) // bob becomes admin, other grants kept
 */
import type { roomkey } from '../../proto/index.ts';
import { MalformedError } from '../errors.ts';

type Rules = roomkey.v1.PolicyRules.$Properties;
type Grant = roomkey.v1.RoleGrant.$Properties;

/** Where a policy lives: an org, a project of an org, or a room. */
export type PolicyTarget =
  | { level: 'org'; orgId: string }
  | { level: 'project'; orgId: string; projectId: string }
  | { level: 'room'; roomId: string };

/** Roles by name, as policy.proto numbers them; `none` takes a grant away. */
export const ROLE_BY_NAME = { none: 0, guest: 1, member: 2, admin: 3, owner: 4 } as const;
export type RoleName = keyof typeof ROLE_BY_NAME;
const NAMES: readonly RoleName[] = ['none', 'guest', 'member', 'admin', 'owner'];

/** The rules one can set, by the names people type (PolicyRules field in camelCase). */
export const RULE_NAMES = {
  'create-room': 'createRoom',
  invite: 'invite',
  remove: 'remove',
  rotate: 'rotate',
  'read-history': 'readPreJoinHistory',
} as const;
export type RuleName = keyof typeof RULE_NAMES;

/**
 * A role's name; 0 is `none`.
 * @example roleNameOf(3) // 'admin'
 */
export function roleNameOf(role: number | null | undefined): RoleName {
  return NAMES[role ?? 0] ?? 'none';
}

/**
 * A role from its name, or a MalformedError that lists the names.
 * @example parseRole('Admin') // 3
 */
export function parseRole(name: string): number {
  const key = name.trim().toLowerCase();
  if (!Object.hasOwn(ROLE_BY_NAME, key))
    throw new MalformedError(`"${name}" is not a role: use owner, admin, member, guest or none.`);
  return ROLE_BY_NAME[key as RoleName];
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A target from text: `ORG`, `ORG/PROJECT` or `room:ROOM_ID`.
 * @example parseTarget('acme/web') // { level: 'project', orgId: 'acme', projectId: 'web' }
 */
export function parseTarget(text: string): PolicyTarget {
  const value = text.trim();
  if (value.startsWith('room:')) {
    const roomId = value.slice(5);
    if (!roomId) throw new MalformedError('room: needs the room id after it (room:ROOM_ID).');
    return { level: 'room', roomId };
  }
  const [orgId = '', projectId, extra] = value.split('/');
  const bad = (id: string) => !ID.test(id);
  if (extra !== undefined || bad(orgId) || (projectId !== undefined && bad(projectId)))
    throw new MalformedError(
      `"${text}" is not a place: write ORG, ORG/PROJECT or room:ROOM_ID (ids: letters, digits, '_' and '-').`,
    );
  return projectId === undefined ? { level: 'org', orgId } : { level: 'project', orgId, projectId };
}

/**
 * A target as text (the inverse of parseTarget).
 * @example targetText({ level: 'org', orgId: 'acme' }) // 'acme'
 */
export function targetText(target: PolicyTarget): string {
  if (target.level === 'room') return `room:${target.roomId}`;
  return target.level === 'org' ? target.orgId : `${target.orgId}/${target.projectId}`;
}

/**
 * The grants with `userId` at `role` (0 removes the grant); the order of the others is kept.
 * @example withGrant([], 'u1', 2) // [{ userId: 'u1', role: 2 }]
 */
export function withGrant(
  grants: readonly Grant[] | null | undefined,
  userId: string,
  role: number,
): Grant[] {
  const others = (grants ?? [])
    .filter((g) => g.userId !== userId)
    .map((g) => ({ userId: g.userId, role: g.role }));
  return role === 0 ? others : [...others, { userId, role }];
}

/**
 * The rules with some changed: a role per rule name (0 = no rule at this level, inherit) and the
 * forced rotation interval in seconds (0 = none here).
 * @example withRules(rules, { invite: 3, rotateEveryS: 86400 })
 */
export function withRules(
  rules: Rules | null | undefined,
  changes: Partial<Record<(typeof RULE_NAMES)[RuleName], number>> & {
    rotateEveryS?: number;
    deviceIdleDays?: number;
  },
): Rules {
  return {
    createRoom: rules?.createRoom ?? 0,
    invite: rules?.invite ?? 0,
    remove: rules?.remove ?? 0,
    rotate: rules?.rotate ?? 0,
    readPreJoinHistory: rules?.readPreJoinHistory ?? 0,
    rotateEveryS: rules?.rotateEveryS ?? 0,
    deviceIdleDays: rules?.deviceIdleDays ?? 0,
    ...changes,
  };
}
