// <roomkey-admin> with a fake client and an in-memory admin API (core/policy decides roles, the
// gateway's own explainRules gives the reasons): an owner creates an org and a project, grants a
// role, sets a rule and sees it in force with its reason; a member sees the rules as text and no
// controls; an admin is not offered the owner role; a refusal shows in words; under the extension
// the element says where to go instead. Axe clean in each state.
import '../../../components/index.ts';
import { type AdminPort, EXTENSION_ADMIN_MESSAGE } from '../../../components/admin-port.ts';
import type { LevelPolicy, PolicyTarget } from '../../../core/client/index.ts';
import { ForbiddenError, NotFoundError } from '../../../core/errors.ts';
import { roleOf } from '../../../core/policy/index.ts';
import { explainRules } from '../../../gateway/handlers/admin-explain-rules.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeExtensionClient, FakeRoomKeyClient } from '../helpers/fake-client.ts';

type Level = LevelPolicy & { exists: true };

/** Org → project levels in memory, keyed `org` and `org/project`; `me` is the caller's user id. */
class MemoryAdmin implements AdminPort {
  levels = new Map<string, Level>();
  calls: string[] = [];
  readonly me: string;
  constructor(me: string) {
    this.me = me;
  }

  #key(t: PolicyTarget): string {
    if (t.level === 'room') throw new NotFoundError('No rooms in this test.');
    return t.level === 'org' ? t.orgId : `${t.orgId}/${t.projectId}`;
  }
  #chainOf(t: PolicyTarget) {
    if (t.level === 'room') throw new NotFoundError('No rooms in this test.');
    const org = this.levels.get(t.orgId);
    if (!org) throw new NotFoundError(`No org ${t.orgId}.`);
    return { org, ...(t.level === 'project' ? { project: this.levels.get(this.#key(t)) ?? null } : {}) };
  }
  async chain(t: PolicyTarget) {
    const chain = this.#chainOf(t);
    if (!roleOf(this.me, chain)) throw new ForbiddenError('You have no role here.');
    return chain;
  }
  async level(t: PolicyTarget) {
    await this.chain(t);
    const level = this.levels.get(this.#key(t));
    if (!level) throw new NotFoundError('No policy here yet.');
    return level;
  }
  async createOrg(orgId: string) {
    this.calls.push(`createOrg ${orgId}`);
    const level: Level = { exists: true, rules: {}, grants: [{ userId: this.me, role: 4 }] };
    this.levels.set(orgId, level);
    return level;
  }
  async createProject(orgId: string, projectId: string) {
    this.calls.push(`createProject ${orgId}/${projectId}`);
    const level: Level = { exists: true, rules: {}, grants: [] };
    this.levels.set(`${orgId}/${projectId}`, level);
    return level;
  }
  async #write(t: PolicyTarget, change: (l: Level) => Level) {
    if (roleOf(this.me, this.#chainOf(t)) < 3)
      throw new ForbiddenError('Only an owner or admin of this level (or above) may change its policy.');
    const next = change(await this.level(t));
    this.levels.set(this.#key(t), next);
    return next;
  }
  grant(t: PolicyTarget, userId: string, role: number) {
    this.calls.push(`grant ${this.#key(t)} ${userId} ${role}`);
    return this.#write(t, (l) => ({
      ...l,
      grants: [...l.grants.filter((g) => g.userId !== userId), ...(role ? [{ userId, role }] : [])],
    }));
  }
  setRules(t: PolicyTarget, changes: Parameters<AdminPort['setRules']>[1]) {
    this.calls.push(`rules ${this.#key(t)} ${JSON.stringify(changes)}`);
    const { rotateEverySeconds, deviceIdleDays, ...roles } = changes;
    const names = {
      'create-room': 'createRoom',
      invite: 'invite',
      remove: 'remove',
      rotate: 'rotate',
      'read-history': 'readPreJoinHistory',
    } as const;
    return this.#write(t, (l) => {
      const rules = {
        ...l.rules,
        rotateEveryS: rotateEverySeconds ?? l.rules.rotateEveryS ?? 0,
        deviceIdleDays: deviceIdleDays ?? l.rules.deviceIdleDays ?? 0,
      };
      for (const [name, role] of Object.entries(roles)) rules[names[name as keyof typeof names]] = role;
      return { ...l, rules };
    });
  }
  async explain(t: PolicyTarget) {
    const chain = await this.chain(t);
    return { ...explainRules(chain, this.me, 'you') };
  }
  async userIdOf(username: string) {
    if (username === 'nobody') throw new NotFoundError('No user is called "nobody".');
    return `user-${username}`;
  }
  async usernameOf(userId: string) {
    return userId.replace(/^user-/, '');
  }
}

class AdminClient extends FakeRoomKeyClient {
  admin: MemoryAdmin;
  constructor(username: string) {
    super();
    this.signedInAs(username);
    this.admin = new MemoryAdmin(`user-${username}`);
  }
}

async function submit(el: Element, formPart: string, fields: Record<string, string>): Promise<void> {
  const form = $<HTMLFormElement>(el, `[part=${formPart}]`);
  for (const [name, value] of Object.entries(fields)) {
    const field = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`);
    ok(field, `field ${name} in ${formPart}`);
    field!.value = value;
  }
  form.requestSubmit();
  await settle(el);
}

const statusOf = (el: Element) => textOf(el, '[part=status]');

describe('<roomkey-admin>', () => {
  it('an owner creates an org and a project, grants a role, sets a rule and sees why it denies', async () => {
    const client = new AdminClient('alice');
    const el = await mount('roomkey-admin', { client });
    await submit(el, 'create-org-form', { org: 'acme' });
    await until(() => /Made org acme/.test(statusOf(el)) || undefined, 'org made');
    ok(
      /Your role here: Owner \(granted at the org level\)|Your role here: Owner/.test(
        textOf(el, '[part=your-role]'),
      ),
    );
    ok(/Rules are in force in projects and rooms/.test(textOf(el)), 'no explanation at an org');
    await expectNoAxeViolations(el, 'owner at an org');

    await submit(el, 'create-project-form', { project: 'web' });
    await until(() => /Made project acme\/web/.test(statusOf(el)) || undefined, 'project made');
    await submit(el, 'grant-form', { username: 'bob', role: '2' });
    await until(() => /bob is now member here/.test(statusOf(el)) || undefined, 'granted');
    const rows = $$(el, '[part=role-grant]');
    equal(rows.length, 1);
    ok(/bob\s*Member/.test(rows[0]!.textContent ?? ''), rows[0]!.textContent ?? '');
    // The owner may hand out every role.
    equal($$(el, '[part=grant-role] option').length, 4);

    const invite = $<HTMLSelectElement>(el, '[part=rules-form] [name=invite]');
    invite.value = '4';
    await submit(el, 'rules-form', { 'rotate-every': '3600' });
    await until(() => /Rules saved/.test(statusOf(el)) || undefined, 'rules saved');
    const rule = $(el, '[part=effective-rule][data-action=invite]');
    equal(rule.dataset['allowed'], 'true', 'an owner meets an owner-only rule');
    ok(/allowed by the project rule invite: owner or above \(you are owner\)/.test(rule.textContent ?? ''));
    ok(/Keys rotate every 3600 seconds \(set at the project level\)/.test(textOf(el, '[part=effective]')));
    await expectNoAxeViolations(el, 'owner at a project');

    const calls = client.admin.calls;
    ok(calls.includes('grant acme/web user-bob 2'), calls.join('; '));
    ok(
      calls.some(
        (c) =>
          c.startsWith('rules acme/web') &&
          c.includes('"invite":4') &&
          c.includes('"rotateEverySeconds":3600'),
      ),
    );

    // Taking the role away.
    $(el, '[part=remove-grant]').click();
    await until(() => /bob has no role at this level any more/.test(statusOf(el)) || undefined, 'removed');
    equal($$(el, '[part=role-grant]').length, 0);
  });

  it('an org owner sets the idle sign-out in days (1 to 90); projects have no such rule', async () => {
    const client = new AdminClient('alice');
    const el = await mount('roomkey-admin', { client });
    await submit(el, 'create-org-form', { org: 'idle' });
    await until(() => /Made org idle/.test(statusOf(el)) || undefined, 'org made');
    await submit(el, 'rules-form', { 'idle-days': '91' });
    ok($<HTMLInputElement>(el, '[part=idle-days]').validity.rangeOverflow, 'the form itself refuses 91 days');
    ok(!client.admin.calls.some((c) => c.startsWith('rules')), 'nothing sent for 91 days');
    await submit(el, 'rules-form', { 'idle-days': '30' });
    await until(() => /Rules saved/.test(statusOf(el)) || undefined, 'rules saved');
    ok(
      client.admin.calls.some((c) => c.startsWith('rules idle') && c.includes('"deviceIdleDays":30')),
      client.admin.calls.join('; '),
    );
    equal($<HTMLInputElement>(el, '[part=idle-days]').value, '30', 'the saved rule is shown');
    await expectNoAxeViolations(el, 'org rules with idle sign-out');
    await submit(el, 'create-project-form', { project: 'web' });
    await until(() => /Made project idle\/web/.test(statusOf(el)) || undefined, 'project made');
    equal($$(el, '[part=idle-days]').length, 0, 'an org rule only');
  });

  it('a member sees the rules and why, and is offered nothing to change', async () => {
    const client = new AdminClient('bob');
    client.admin.levels.set('acme', { exists: true, rules: {}, grants: [{ userId: 'user-alice', role: 4 }] });
    client.admin.levels.set('acme/web', {
      exists: true,
      rules: { invite: 3 },
      grants: [{ userId: 'user-bob', role: 2 }],
    });
    const el = await mount('roomkey-admin', { client }, { place: 'acme/web' });
    await until(() => $$(el, '[part=effective-rule]').length === 5 || undefined, 'explained');
    ok(/Your role here: Member \(granted at the project level\)/.test(textOf(el, '[part=your-role]')));
    const invite = $(el, '[part=effective-rule][data-action=invite]');
    equal(invite.dataset['allowed'], 'false');
    ok(/Denied/.test(invite.textContent ?? ''));
    ok(/denied by the project rule invite: admin or above \(you are member\)/.test(invite.textContent ?? ''));
    for (const part of ['grant-form', 'rules-form', 'remove-grant', 'create-project-form'])
      equal($$(el, `[part=${part}]`).length, 0, `no ${part} for a member`);
    ok(/Invite members\s*Admin or above/.test(textOf(el, '[part=rules]')), textOf(el, '[part=rules]'));
    await expectNoAxeViolations(el, 'member');
  });

  it('an admin is not offered the owner role; a refusal is shown in words', async () => {
    const client = new AdminClient('carol');
    client.admin.levels.set('acme', {
      exists: true,
      rules: {},
      grants: [
        { userId: 'user-alice', role: 4 },
        { userId: 'user-carol', role: 3 },
      ],
    });
    const el = await mount('roomkey-admin', { client }, { place: 'acme' });
    await until(() => $$(el, '[part=role-grant]').length === 2 || undefined, 'grants');
    const roles = $$<HTMLOptionElement>(el, '[part=grant-role] option').map((o) => o.textContent?.trim());
    equal(roles.join(','), 'Guest,Member,Admin');
    const removable = $$(el, '[part=role-grant]').filter((row) => row.querySelector('[part=remove-grant]'));
    equal(removable.length, 1, "the owner's grant has no Remove for an admin");
    equal(removable[0]!.dataset['user'], 'carol');

    await submit(el, 'grant-form', { username: 'nobody', role: '2' });
    await until(() => /No user is called "nobody"/.test(textOf(el, '[part=error]')) || undefined, 'refused');
    await submit(el, 'open-form', { place: 'not a place!' });
    ok(/is not a place/.test(textOf(el, '[part=error]')));
    await expectNoAxeViolations(el, 'admin with an error');
  });

  it('under the extension it says where to administer; signed out it asks to sign in', async () => {
    const extension = new FakeExtensionClient();
    extension.signedInAs('alice');
    const el = await mount('roomkey-admin', { client: extension });
    await until(() => textOf(el).includes('RoomKey extension holds your keys') || undefined, 'refused');
    equal(textOf(el, '[part=status]'), EXTENSION_ADMIN_MESSAGE.replace(/\s+/g, ' '));
    equal($$(el, 'form').length, 0, 'nothing offered');
    await expectNoAxeViolations(el, 'extension');

    const signedOut = await mount('roomkey-admin', { client: new FakeRoomKeyClient() });
    ok(/Sign in to administer/.test(textOf(signedOut)));
    equal($$(signedOut, 'form').length, 0);
  });
});
