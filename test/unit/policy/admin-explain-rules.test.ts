// The reasons admin.explain gives (gateway/handlers/admin-explain-rules.ts) agree with core/policy's
// decisions for every action and role, name the level that set each rule, and say where a role
// (or a grant to everyone) comes from; the console's pure edits keep the rest of a level.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseRole,
  parseTarget,
  targetText,
  withGrant,
  withRules,
} from '../../../core/client/admin-edits.ts';
import { MalformedError } from '../../../core/errors.ts';
import { type Action, can, EVERYONE, Role } from '../../../core/policy/index.ts';
import { explainRules } from '../../../gateway/handlers/admin-explain-rules.ts';

const ACTIONS: [Action, string][] = [
  ['createRoom', 'create_room'],
  ['invite', 'invite'],
  ['remove', 'remove'],
  ['rotate', 'rotate'],
  ['readPreJoinHistory', 'read_pre_join_history'],
];

describe('explainRules', () => {
  const chain = {
    org: {
      rules: { invite: Role.member, rotateEveryS: 86400 },
      grants: [{ userId: 'olga', role: Role.admin }],
    },
    project: {
      rules: { invite: Role.admin, rotateEveryS: 3600 },
      grants: [
        { userId: 'pia', role: Role.member },
        { userId: EVERYONE, role: Role.guest },
      ],
    },
    room: { rules: { remove: Role.owner }, grants: [{ userId: 'rita', role: Role.owner }] },
  };

  it('allows exactly what core/policy allows, for every user and action', () => {
    for (const user of ['olga', 'pia', 'rita', 'stranger']) {
      const why = explainRules(chain, user, 'you');
      for (const [action, field] of ACTIONS) {
        const rule = why.rules?.find((r) => r.action === field);
        assert.equal(rule?.allowed, can(action, user, chain), `${user} ${action}`);
      }
    }
  });

  it('names the level of each rule and of the role, in words', () => {
    const why = explainRules(chain, 'pia', 'you');
    const byAction = new Map(why.rules?.map((r) => [r.action, r]));
    assert.equal(
      byAction.get('invite')?.reason,
      'denied by the project rule invite: admin or above (you are member)',
    );
    assert.equal(byAction.get('remove')?.level, 'room');
    assert.equal(byAction.get('create_room')?.level, 'default');
    assert.equal(why.roleLevel, 'project');
    assert.equal(why.rotateEveryS, 3600);
    assert.equal(why.rotateLevel, 'project');
    const stranger = explainRules(chain, 'stranger', 'this user');
    assert.equal(stranger.role, Role.guest);
    assert.equal(stranger.roleLevel, 'project (everyone)');
    assert.match(stranger.rules?.[1]?.reason ?? '', /\(this user is guest\)$/);
    const none = explainRules({ org: chain.org }, 'stranger', 'you');
    assert.match(none.rules?.[0]?.reason ?? '', /you are not granted any role here/);
    assert.equal(none.roleLevel, '');
  });
});

describe('admin edits', () => {
  it('parses places and roles, refusing anything else with words', () => {
    assert.deepEqual(parseTarget('acme'), { level: 'org', orgId: 'acme' });
    assert.deepEqual(parseTarget(' acme/web '), { level: 'project', orgId: 'acme', projectId: 'web' });
    assert.deepEqual(parseTarget('room:abc'), { level: 'room', roomId: 'abc' });
    for (const bad of ['', 'a/b/c', 'a b', 'room:', '../x', `${'a'.repeat(65)}`])
      assert.throws(() => parseTarget(bad), MalformedError, bad);
    assert.equal(targetText(parseTarget('acme/web')), 'acme/web');
    assert.equal(parseRole('Admin'), Role.admin);
    assert.equal(parseRole('none'), 0);
    assert.throws(() => parseRole('boss'), /"boss" is not a role/);
    assert.throws(() => parseRole('toString'), MalformedError);
  });

  it('changes one grant or some rules and keeps the rest', () => {
    const grants = [
      { userId: 'a', role: Role.owner },
      { userId: 'b', role: Role.member },
    ];
    assert.deepEqual(withGrant(grants, 'b', Role.admin), [
      { userId: 'a', role: Role.owner },
      { userId: 'b', role: Role.admin },
    ]);
    assert.deepEqual(withGrant(grants, 'b', 0), [{ userId: 'a', role: Role.owner }]);
    assert.deepEqual(withRules({ invite: Role.admin, rotateEveryS: 60 }, { remove: Role.owner }), {
      createRoom: 0,
      invite: Role.admin,
      remove: Role.owner,
      rotate: 0,
      readPreJoinHistory: 0,
      rotateEveryS: 60,
      deviceIdleDays: 0,
    });
    assert.equal(
      withRules({ deviceIdleDays: 30 }, { invite: Role.admin }).deviceIdleDays,
      30,
      'the idle rule stays',
    );
  });
});
