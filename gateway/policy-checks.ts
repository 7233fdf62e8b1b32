/**
 * Field checks for policies arriving from clients (admin API, a genesis's room rules): ids that are
 * KV-key safe, roles in range, a bounded list of grants with one entry per user.
 * @example const rules = checkRules(req.rules); const grants = checkGrants(req.grants);
 */
import { MalformedError } from '../core/errors.ts';
import {
  DEVICE_IDLE_DAYS_MAX,
  DEVICE_IDLE_DAYS_MIN,
  EVERYONE,
  isDeviceIdleDays,
} from '../core/policy/index.ts';
import type { roomkey } from '../proto/index.ts';
import { USER_ID_PATTERN } from './checks.ts';
import { POLICY_ID_PATTERN } from './policy-store.ts';

export const MAX_GRANTS = 1000;
const MAX_ROTATE_EVERY_S = 10 * 365 * 24 * 3600;
const RULE_FIELDS = ['createRoom', 'invite', 'remove', 'rotate', 'readPreJoinHistory'] as const;

/**
 * An org or project id, or a MalformedError.
 * @example const orgId = requirePolicyId(req.orgId, 'org_id');
 */
export function requirePolicyId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !POLICY_ID_PATTERN.test(value)) {
    throw new MalformedError(`${what}: 1 to 64 of letters, digits, '_' and '-'`);
  }
  return value;
}

function role(value: unknown, what: string, min: number): number {
  const n = value ?? 0;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 4) {
    throw new MalformedError(`${what}: a role from ${min} to 4`);
  }
  return n;
}

/**
 * Rules with every role in range (0 = no rule here); `device_idle_days` only at the org level.
 * @example const rules = checkRules(req.rules, 'org');
 */
export function checkRules(
  rules: roomkey.v1.PolicyRules.$Properties | null | undefined,
  level: 'org' | 'project' | 'room' = 'room',
): roomkey.v1.PolicyRules.$Properties {
  const out: roomkey.v1.PolicyRules.$Properties = {};
  for (const field of RULE_FIELDS) out[field] = role(rules?.[field], `rules.${field}`, 0);
  const every = rules?.rotateEveryS ?? 0;
  if (typeof every !== 'number' || !Number.isInteger(every) || every < 0 || every > MAX_ROTATE_EVERY_S) {
    throw new MalformedError('rules.rotate_every_s: 0 to ten years in seconds');
  }
  out.rotateEveryS = every;
  const idle = rules?.deviceIdleDays ?? 0;
  if (!isDeviceIdleDays(idle)) {
    throw new MalformedError(
      `rules.device_idle_days: ${DEVICE_IDLE_DAYS_MIN} to ${DEVICE_IDLE_DAYS_MAX} days, or 0 for never`,
    );
  }
  if (idle !== 0 && level !== 'org') {
    throw new MalformedError('rules.device_idle_days: an org rule; set it on the org, not a project or room');
  }
  if (idle !== 0) out.deviceIdleDays = idle;
  return out;
}

/**
 * Grants with valid user ids (or EVERYONE) and roles, each user once.
 * @example const grants = checkGrants(req.grants);
 */
export function checkGrants(
  grants: readonly roomkey.v1.RoleGrant.$Properties[] | null | undefined,
): roomkey.v1.RoleGrant.$Properties[] {
  const list = grants ?? [];
  if (list.length > MAX_GRANTS) throw new MalformedError(`grants: at most ${MAX_GRANTS}`);
  const seen = new Set<string>();
  return list.map((grant, i) => {
    const userId = grant?.userId;
    if (typeof userId !== 'string' || (userId !== EVERYONE && !USER_ID_PATTERN.test(userId))) {
      throw new MalformedError(`grants[${i}].user_id: a user id or "${EVERYONE}"`);
    }
    if (seen.has(userId)) throw new MalformedError(`grants: ${userId} listed twice`);
    seen.add(userId);
    return { userId, role: role(grant.role, `grants[${i}].role`, 1) };
  });
}
