/**
 * `roomkey-gateway admin …`: the admin console on the command line, over the same admin API as
 * `<roomkey-admin>` (core/client AdminApi), signed in as a person (admin-cli-session.ts).
 * @example process.exitCode = await runAdminCli(['create-org', 'acme', '--gateway', url, '--user', 'alice']);
 */
import { parseArgs } from 'node:util';
import type { AdminApi } from '../core/client/admin-api.ts';
import {
  type PolicyTarget,
  parseRole,
  parseTarget,
  RULE_NAMES,
  type RuleChanges,
  type RuleName,
  targetText,
} from '../core/client/index.ts';
import { MalformedError, RoomKeyError } from '../core/errors.ts';
import { isDeviceIdleDays } from '../core/policy/index.ts';
import { readPassword } from './admin-cli-password.ts';
import { explainText, levelText } from './admin-cli-print.ts';
import { withAdminSession } from './admin-cli-session.ts';

export const ADMIN_USAGE = `usage: roomkey-gateway admin COMMAND --gateway URL --user NAME [--json]

  create-org ORG                 a new org; you become its owner
  create-project ORG/PROJECT     a new project (you must be admin of the org)
  grant PLACE USER ROLE          ROLE: owner, admin, member, guest, or none to take it away
  rules PLACE RULE=ROLE ...      RULE: ${Object.keys(RULE_NAMES).join(', ')}; ROLE as above or
                                 inherit (no rule at this level); and rotate-every=SECONDS (0 = inherit);
                                 on an org, idle-days=DAYS (1-90: sign out devices unused that long; 0 = never)
  show PLACE                     the rules and grants set at that level
  explain PLACE [--for USER]     the rules in force at a project or room, where each was set and why
                                 (--for: another user's, if you are admin there)
  PLACE is ORG, ORG/PROJECT or room:ROOM_ID.

  --gateway URL   the deployment's URL, which serves roomkey-config.json (or ROOMKEY_GATEWAY)
  --user NAME     who you are (or ROOMKEY_ADMIN_USER). The password is asked without echo, or read
                  from stdin's first line (e.g. < file); it is never taken from the command line.
  The CLI signs in as a short-lived device of that user and signs out (revoking it) at the end: it
  may do exactly what the user's role allows, like <roomkey-admin> in a page.
`;

export interface AdminCliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

function needs(args: readonly string[], count: number, what: string): void {
  if (args.length < count) throw new UsageError(`${what}\n\n${ADMIN_USAGE}`);
}

/** `invite=admin`, `read-history=inherit`, `rotate-every=86400`, `idle-days=30` → changes. */
function ruleChanges(pairs: readonly string[]): RuleChanges {
  const changes: RuleChanges = {};
  for (const pair of pairs) {
    const [name = '', value = ''] = pair.split('=');
    if (name === 'rotate-every') {
      const seconds = Number(value);
      if (!Number.isInteger(seconds) || seconds < 0)
        throw new MalformedError(`rotate-every: whole seconds, 0 or more (got "${value}").`);
      changes.rotateEverySeconds = seconds;
    } else if (name === 'idle-days') {
      const days = Number(value);
      if (!isDeviceIdleDays(days))
        throw new MalformedError(`idle-days: 1 to 90 whole days, or 0 for never (got "${value}").`);
      changes.deviceIdleDays = days;
    } else if (Object.hasOwn(RULE_NAMES, name)) {
      changes[name as RuleName] = value === 'inherit' ? 0 : parseRole(value);
    } else {
      throw new MalformedError(
        `"${pair}" is not a rule: use ${Object.keys(RULE_NAMES).join(', ')}, rotate-every or idle-days, as NAME=VALUE.`,
      );
    }
  }
  if (pairs.length === 0) throw new UsageError(`rules needs at least one RULE=ROLE\n\n${ADMIN_USAGE}`);
  return changes;
}

async function names(admin: AdminApi, userIds: readonly string[]): Promise<Map<string, string>> {
  const entries = await Promise.all(userIds.map(async (id) => [id, await admin.usernameOf(id)] as const));
  return new Map(entries);
}

/** Runs one command; returns what to print. */
async function act(
  admin: AdminApi,
  command: string,
  args: readonly string[],
  options: { json: boolean; for?: string },
): Promise<string> {
  const out = (value: unknown, text: string) => (options.json ? JSON.stringify(value, null, 2) : text);
  const place = (): PolicyTarget => parseTarget(args[0] ?? '');
  switch (command) {
    case 'create-org': {
      const orgId = args[0] ?? '';
      parseTarget(orgId); // the id's checks, in words
      const level = await admin.createOrg(orgId);
      return out(level, `made org ${orgId}; you are its owner`);
    }
    case 'create-project': {
      const target = place();
      if (target.level !== 'project') throw new MalformedError('create-project needs ORG/PROJECT.');
      const level = await admin.createProject(target.orgId, target.projectId);
      return out(level, `made project ${targetText(target)}`);
    }
    case 'grant': {
      const [, username = '', roleName = ''] = args;
      const role = parseRole(roleName);
      const userId = await admin.userIdOf(username);
      const level = await admin.grant(place(), userId, role);
      const done =
        role === 0 ? `took ${username}'s role away` : `${username} is now ${roleName.toLowerCase()}`;
      return out(level, `${targetText(place())}: ${done}`);
    }
    case 'rules': {
      const level = await admin.setRules(place(), ruleChanges(args.slice(1)));
      const userIds = level.grants.map((g) => g.userId ?? '');
      return out(level, levelText(targetText(place()), level, await names(admin, userIds)));
    }
    case 'show': {
      const level = await admin.level(place());
      const userIds = level.grants.map((g) => g.userId ?? '');
      return out(level, levelText(targetText(place()), level, await names(admin, userIds)));
    }
    case 'explain': {
      const userId = options.for ? await admin.userIdOf(options.for) : undefined;
      const explained = await admin.explain(place(), userId);
      return out(explained, explainText(targetText(place()), explained, options.for ?? 'you'));
    }
    default:
      throw new UsageError(`unknown admin command "${command}"\n\n${ADMIN_USAGE}`);
  }
}

const ARGS_NEEDED: Record<string, [number, string]> = {
  'create-org': [1, 'create-org needs ORG'],
  'create-project': [1, 'create-project needs ORG/PROJECT'],
  grant: [3, 'grant needs PLACE USER ROLE'],
  rules: [1, 'rules needs PLACE RULE=ROLE ...'],
  show: [1, 'show needs PLACE'],
  explain: [1, 'explain needs PLACE'],
};

/**
 * Parses `argv` (what follows `admin`), signs in, runs the command; returns the exit code:
 * 0 done, 1 refused or failed (the typed error's message says why), 2 a usage mistake.
 * @example process.exitCode = await runAdminCli(process.argv.slice(3));
 */
export async function runAdminCli(argv: readonly string[], io: AdminCliIo = processIo()): Promise<number> {
  try {
    if (argv.some((arg) => /^--?(password|pass|pw)(=|$)/.test(arg)))
      throw new UsageError(
        'a password is never taken from the command line (the process list shows it): type it when asked, or give it on stdin.',
      );
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        gateway: { type: 'string' },
        user: { type: 'string' },
        for: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    const [command = 'help', ...args] = positionals;
    if (values.help || command === 'help') {
      io.stdout.write(ADMIN_USAGE);
      return 0;
    }
    const [count, what] = ARGS_NEEDED[command] ?? [0, ''];
    if (!ARGS_NEEDED[command]) throw new UsageError(`unknown admin command "${command}"\n\n${ADMIN_USAGE}`);
    needs(args, count, what);
    const gatewayUrl = values.gateway ?? io.env.ROOMKEY_GATEWAY;
    const username = values.user ?? io.env.ROOMKEY_ADMIN_USER;
    if (!gatewayUrl) throw new UsageError(`--gateway URL is needed (or ROOMKEY_GATEWAY)\n\n${ADMIN_USAGE}`);
    if (!username) throw new UsageError(`--user NAME is needed (or ROOMKEY_ADMIN_USER)\n\n${ADMIN_USAGE}`);
    const password = await readPassword(io.stdin as never, io.stderr, `Password for ${username}: `);
    const text = await withAdminSession({ gatewayUrl, username, password }, (admin) =>
      act(admin, command, args, { json: values.json, ...(values.for ? { for: values.for } : {}) }),
    );
    io.stdout.write(`${text}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`roomkey-gateway admin: ${(error as Error).message}\n`);
      return 2;
    }
    if (error instanceof RoomKeyError) {
      io.stderr.write(`roomkey-gateway admin: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function processIo(): AdminCliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
