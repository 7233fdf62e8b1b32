/**
 * What `roomkey-gateway admin` prints: a level's rules and grants, and an explanation of the rules
 * in force, in lines a person reads (or JSON with --json).
 * @example console.log(levelText('acme/web', level, names))
 */
import { type LevelPolicy, RULE_NAMES, type RuleName, roleNameOf } from '../core/client/index.ts';
import type { roomkey } from '../proto/index.ts';

const RULES = Object.entries(RULE_NAMES) as [RuleName, (typeof RULE_NAMES)[RuleName]][];

/** "invite=admin create-room=inherit … rotate-every=3600s [idle-days=30]" (0 = inherit / no rule). */
function rulesText(rules: LevelPolicy['rules']): string {
  const roles = RULES.map(([name, field]) => {
    const role = rules[field] ?? 0;
    return `${name}=${role === 0 ? 'inherit' : roleNameOf(role)}`;
  });
  const every = Number(rules.rotateEveryS ?? 0);
  const idle = Number(rules.deviceIdleDays ?? 0);
  return [
    ...roles,
    `rotate-every=${every === 0 ? 'inherit' : `${every}s`}`,
    ...(idle ? [`idle-days=${idle}`] : []),
  ].join(' ');
}

/**
 * A level as text: its rules, then each grant with the user's name.
 * @example levelText('acme', level, new Map([[aliceId, 'alice']]))
 */
export function levelText(where: string, level: LevelPolicy, names: ReadonlyMap<string, string>): string {
  const grants = level.grants.length
    ? level.grants.map((g) => `    ${names.get(g.userId ?? '') ?? g.userId}  ${roleNameOf(g.role)}`)
    : ['    (none at this level)'];
  return [where, `  rules: ${rulesText(level.rules)}`, '  grants:', ...grants].join('\n');
}

/**
 * The rules in force with their level and reason, one per line.
 * @example explainText('room:abc', explained, 'bob')
 */
export function explainText(where: string, explained: roomkey.v1.PolicyExplainResponse, who: string): string {
  const role = roleNameOf(explained.role);
  const from = explained.roleLevel ? `, granted at ${explained.roleLevel}` : '';
  const byField = new Map(
    RULES.map(([name, field]) => [field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), name]),
  );
  const width = Math.max(...RULES.map(([name]) => name.length));
  const lines = explained.rules.map((rule) => {
    const name = (byField.get(rule.action ?? '') ?? rule.action ?? '').padEnd(width);
    return `  ${name}  ${rule.allowed ? 'yes' : 'no '}  ${rule.reason}`;
  });
  const every = Number(explained.rotateEveryS ?? 0);
  const rotation = every
    ? `  rotate every ${every} s (set at ${explained.rotateLevel})`
    : '  no forced rotation';
  return [`${where} for ${who} (${role}${from})`, ...lines, rotation].join('\n');
}
