/**
 * Why a room's effective rules are what they are: for each action, the level (org, project, room
 * or the default) that set the rule in force, and whether the user's role meets it, in words a
 * person can act on ("denied by the project rule invite: admin or above (you are member)").
 * The numbers come from core/policy, the same functions every decision uses, so the explanation
 * cannot disagree with what the gateway enforces.
 * @example const why = explainRules(chain.chain, userId, 'you'); why.rules[1].reason
 */
import {
  type Action,
  DEFAULT_RULES,
  EVERYONE,
  effectiveRules,
  type PolicyChain,
  Role,
  type RoleValue,
  roleOf,
} from '../../core/policy/index.ts';
import type { roomkey } from '../../proto/index.ts';

type Level = 'org' | 'project' | 'room';
const LEVELS: readonly Level[] = ['org', 'project', 'room'];

/** Action names as the PolicyRules fields spell them on the wire. */
const ACTIONS: readonly [Action, string][] = [
  ['createRoom', 'create_room'],
  ['invite', 'invite'],
  ['remove', 'remove'],
  ['rotate', 'rotate'],
  ['readPreJoinHistory', 'read_pre_join_history'],
];

const ROLE_NAMES = ['no role', 'guest', 'member', 'admin', 'owner'] as const;

/**
 * A role's name in words ("no role" for 0).
 * @example roleName(3) // 'admin'
 */
export function roleName(role: number): string {
  return ROLE_NAMES[role] ?? 'no role';
}

/** The outermost level whose rule for `action` is `value` (the level to change to relax it). */
function levelOfRule(chain: PolicyChain, action: Action, value: number): Level | 'default' {
  for (const level of LEVELS) if (chain[level]?.rules?.[action] === value) return level;
  return 'default';
}

/** Where the user's highest grant is ("" when none); a grant to everyone says so. */
function levelOfRole(chain: PolicyChain, userId: string, role: RoleValue): string {
  if (role === Role.none) return '';
  for (const level of LEVELS) {
    const grants = chain[level]?.grants ?? [];
    if (grants.some((g) => g.userId === userId && g.role === role)) return level;
    if (grants.some((g) => g.userId === EVERYONE && g.role === role)) return `${level} (everyone)`;
  }
  return '';
}

/**
 * The effective rules of the chain for `userId`, each with its level and reason; `who` is how the
 * reason names the user ("you", or "this user" when an admin asks about someone else).
 * @example explainRules({ org, project }, 'u1', 'you').rules.find((r) => r.action === 'invite')?.allowed
 */
export function explainRules(
  chain: PolicyChain,
  userId: string,
  who: 'you' | 'this user',
): Pick<
  roomkey.v1.PolicyExplainResponse.$Properties,
  'role' | 'roleLevel' | 'rules' | 'rotateEveryS' | 'rotateLevel'
> {
  const effective = effectiveRules(chain);
  const role = roleOf(userId, chain);
  const is = who === 'you' ? 'you are' : 'this user is';
  const rules = ACTIONS.map(([action, field]) => {
    const min = effective[action];
    const level = levelOfRule(chain, action, min);
    const source = level === 'default' ? `the default rule ${field}` : `the ${level} rule ${field}`;
    const allowed = role !== Role.none && role >= min;
    const need = `${roleName(min)} or above`;
    const reason = allowed
      ? `allowed by ${source}: ${need} (${is} ${roleName(role)})`
      : `denied by ${source}: ${need} (${role === Role.none ? `${is} not granted any role here` : `${is} ${roleName(role)}`})`;
    return { action: field, minRole: min, level, allowed, reason };
  });
  const rotateLevel =
    effective.rotateEveryS === DEFAULT_RULES.rotateEveryS
      ? ''
      : (LEVELS.find((level) => chain[level]?.rules?.rotateEveryS === effective.rotateEveryS) ?? '');
  return {
    role,
    roleLevel: levelOfRole(chain, userId, role),
    rules,
    rotateEveryS: effective.rotateEveryS,
    rotateLevel,
  };
}
