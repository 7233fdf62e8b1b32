/**
 * Multi-level policy: org → project → room. The effective rules of a room are the most restrictive
 * of its chain (for each action the highest minimum role; the shortest forced-rotation interval).
 * A user's role is the highest grant anywhere in the chain (an org admin is admin in every room).
 * @example can('invite', 'u1', { org, project, room }) // true when u1's role ≥ the effective invite rule
 */
import type { roomkey } from '../../proto/index.ts';

type Rules = roomkey.v1.PolicyRules.$Properties;
type Grant = roomkey.v1.RoleGrant.$Properties;

export type Action = 'createRoom' | 'invite' | 'remove' | 'rotate' | 'readPreJoinHistory';

/** Numeric roles as in policy.proto; 0 = no rule / no role. */
export const Role = { none: 0, guest: 1, member: 2, admin: 3, owner: 4 } as const;
export type RoleValue = 0 | 1 | 2 | 3 | 4;

/** Used when no level of the chain sets a rule: conservative, so an empty policy grants little. */
export type EffectiveRules = Record<Action, RoleValue> & { rotateEveryS: number };

export const DEFAULT_RULES: Readonly<EffectiveRules> = {
  createRoom: Role.member,
  invite: Role.admin,
  remove: Role.admin,
  rotate: Role.member,
  readPreJoinHistory: Role.member,
  rotateEveryS: 0,
};

export interface PolicyChain {
  org?: { rules?: Rules | null; grants?: Grant[] | null } | null;
  project?: { rules?: Rules | null; grants?: Grant[] | null } | null;
  room?: { rules?: Rules | null; grants?: Grant[] | null } | null;
}

const ACTIONS: Action[] = ['createRoom', 'invite', 'remove', 'rotate', 'readPreJoinHistory'];

function levels(chain: PolicyChain) {
  return [chain.org, chain.project, chain.room].filter((level) => level != null);
}

function validRole(value: unknown): RoleValue {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4
    ? (value as RoleValue)
    : 0;
}

/** The rules in force for the room at the end of the chain. */
export function effectiveRules(chain: PolicyChain): EffectiveRules {
  const out: EffectiveRules = { ...DEFAULT_RULES };
  for (const action of ACTIONS) {
    const set = levels(chain)
      .map((level) => validRole(level.rules?.[action]))
      .filter((role) => role !== Role.none);
    if (set.length) out[action] = Math.max(...set) as RoleValue;
  }
  const intervals = levels(chain)
    .map((level) => level.rules?.rotateEveryS ?? 0)
    .filter((seconds) => Number.isInteger(seconds) && seconds > 0);
  out.rotateEveryS = intervals.length ? Math.min(...intervals) : 0;
  return out;
}

/** A grant to this id applies to every signed-in user (e.g. "anyone may create rooms here"). */
export const EVERYONE = '*';

/** The user's role: the highest grant at any level of the chain (0 when none). */
export function roleOf(userId: string, chain: PolicyChain): RoleValue {
  let role: RoleValue = Role.none;
  if (!userId) return role;
  for (const level of levels(chain)) {
    for (const grant of level.grants ?? []) {
      if (grant.userId === userId || grant.userId === EVERYONE)
        role = Math.max(role, validRole(grant.role)) as RoleValue;
    }
  }
  return role;
}

/** Whether `userId` may do `action` in the room at the end of the chain. */
export function can(action: Action, userId: string, chain: PolicyChain): boolean {
  const role = roleOf(userId, chain);
  return role !== Role.none && role >= effectiveRules(chain)[action];
}

/** Bounds of the org rule `device_idle_days`; 0 (absent) means devices are never signed out for idleness. */
export const DEVICE_IDLE_DAYS_MIN = 1;
export const DEVICE_IDLE_DAYS_MAX = 90;

/**
 * Whether `days` is a valid `device_idle_days` value: 0 (no rule) or 1 to 90 whole days.
 * @example isDeviceIdleDays(30) // true
 */
export function isDeviceIdleDays(days: unknown): days is number {
  return (
    typeof days === 'number' &&
    Number.isInteger(days) &&
    (days === 0 || (days >= DEVICE_IDLE_DAYS_MIN && days <= DEVICE_IDLE_DAYS_MAX))
  );
}

/**
 * The idle sign-out rule of an org: days without a log-in or refresh after which a member's device
 * is revoked; 0 when there is none (or the stored value is out of bounds, which is never enforced).
 * @example orgDeviceIdleDays(org.rules) // 30
 */
export function orgDeviceIdleDays(rules: Rules | null | undefined): number {
  const days = rules?.deviceIdleDays ?? 0;
  return isDeviceIdleDays(days) ? days : 0;
}
