import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { can, DEFAULT_RULES, EVERYONE, effectiveRules, Role, roleOf } from '../../../core/policy/index.ts';

describe('policy chain org → project → room', () => {
  const org = {
    rules: { invite: Role.member, rotateEveryS: 86400 },
    grants: [{ userId: 'olga', role: Role.admin }],
  };
  const project = {
    rules: { invite: Role.admin, readPreJoinHistory: Role.admin },
    grants: [{ userId: 'pia', role: Role.member }],
  };
  const room = {
    rules: { invite: Role.guest, rotateEveryS: 3600 },
    grants: [
      { userId: 'gus', role: Role.guest },
      { userId: 'pia', role: Role.owner },
    ],
  };

  it('takes the most restrictive rule of the chain', () => {
    const rules = effectiveRules({ org, project, room });
    assert.equal(rules.invite, Role.admin, 'a room cannot loosen its project');
    assert.equal(rules.readPreJoinHistory, Role.admin);
    assert.equal(rules.rotateEveryS, 3600, 'shortest interval wins');
    assert.equal(rules.remove, DEFAULT_RULES.remove, 'unset everywhere → default');
  });

  it('gives a user the highest grant found anywhere in the chain', () => {
    assert.equal(roleOf('olga', { org, project, room }), Role.admin);
    assert.equal(roleOf('pia', { org, project, room }), Role.owner);
    assert.equal(roleOf('nobody', { org, project, room }), Role.none);
  });

  it('decides actions by role against the effective rules', () => {
    const chain = { org, project, room };
    assert.equal(can('invite', 'olga', chain), true);
    assert.equal(can('invite', 'gus', chain), false, 'room rule says guest, project says admin');
    assert.equal(can('readPreJoinHistory', 'gus', chain), false);
    assert.equal(can('rotate', 'nobody', chain), false, 'no role, no action, whatever the rule');
  });

  it('applies a grant to everyone (*) to every user, and never to an empty id', () => {
    const chain = {
      org: {
        grants: [
          { userId: EVERYONE, role: Role.member },
          { userId: 'olga', role: Role.owner },
        ],
      },
    };
    assert.equal(roleOf('anyone', chain), Role.member);
    assert.equal(roleOf('olga', chain), Role.owner);
    assert.equal(roleOf('', chain), Role.none);
    assert.equal(can('createRoom', 'anyone', chain), true);
  });

  it('ignores out-of-range roles from hostile input', () => {
    const chain = {
      room: {
        rules: { invite: 99 },
        grants: [
          { userId: 'x', role: 42 },
          { userId: 'y', role: -1 },
        ],
      },
    };
    assert.equal(effectiveRules(chain).invite, DEFAULT_RULES.invite);
    assert.equal(roleOf('x', chain), Role.none);
    assert.equal(roleOf('y', chain), Role.none);
  });
});
