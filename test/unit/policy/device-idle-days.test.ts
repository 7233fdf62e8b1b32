// The org rule device_idle_days: 1 to 90 whole days, 0 = never; only at the org level.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedError } from '../../../core/errors.ts';
import { isDeviceIdleDays, orgDeviceIdleDays } from '../../../core/policy/index.ts';
import { checkRules } from '../../../gateway/policy-checks.ts';

test('device_idle_days: 0 (never) or 1 to 90 whole days', () => {
  for (const ok of [0, 1, 30, 90]) assert.equal(isDeviceIdleDays(ok), true, String(ok));
  for (const bad of [-1, 91, 1.5, Number.NaN, '30', null])
    assert.equal(isDeviceIdleDays(bad), false, String(bad));
  assert.equal(orgDeviceIdleDays({ deviceIdleDays: 30 }), 30);
  assert.equal(
    orgDeviceIdleDays({ deviceIdleDays: 400 }),
    0,
    'an out-of-bounds stored value is never enforced',
  );
  assert.equal(orgDeviceIdleDays(undefined), 0);
});

test('the gateway takes it at the org level only, within bounds, and says so in words', () => {
  assert.equal(checkRules({ deviceIdleDays: 30 }, 'org').deviceIdleDays, 30);
  assert.equal(checkRules({}, 'org').deviceIdleDays ?? 0, 0);
  assert.throws(() => checkRules({ deviceIdleDays: 91 }, 'org'), MalformedError);
  assert.throws(() => checkRules({ deviceIdleDays: 0.5 }, 'org'), /1 to 90 days/);
  assert.throws(() => checkRules({ deviceIdleDays: 30 }, 'project'), /an org rule/);
  assert.throws(() => checkRules({ deviceIdleDays: 30 }, 'room'), MalformedError);
  assert.throws(() => checkRules({ deviceIdleDays: 30 }), MalformedError, 'a genesis (room) may not set it');
});
