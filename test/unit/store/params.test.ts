// Argon2id parameter defaults and bounds.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MalformedError } from '../../../core/errors.ts';
import { ARGON2_LIMITS, checkArgon2Params, DEFAULT_ARGON2_PARAMS } from '../../../core/store/index.ts';

describe('Argon2id params', () => {
  it('defaults are RFC 9106 second recommendation costs (t=3, 64 MiB) with one lane', () => {
    assert.deepEqual({ ...DEFAULT_ARGON2_PARAMS }, { t: 3, mKib: 65536, p: 1 });
    assert.ok(Object.isFrozen(DEFAULT_ARGON2_PARAMS));
  });

  it('accepts sane costs and returns a clean copy', () => {
    assert.deepEqual(checkArgon2Params({ t: 1, mKib: 8, p: 1 }, 'x'), { t: 1, mKib: 8, p: 1 });
    assert.deepEqual(checkArgon2Params({ ...ARGON2_LIMITS }, 'x'), { ...ARGON2_LIMITS });
  });

  it('rejects missing, fractional, zero and oversized costs', () => {
    for (const bad of [
      null,
      {},
      { t: 0, mKib: 256, p: 1 },
      { t: 1.5, mKib: 256, p: 1 },
      { t: 1, mKib: 7, p: 1 },
      { t: 1, mKib: 16, p: 4 },
      { t: 17, mKib: 256, p: 1 },
      { t: 1, mKib: 2 * 1024 * 1024, p: 1 },
      { t: 1, mKib: 256, p: 9 },
    ]) {
      assert.throws(() => checkArgon2Params(bad, 'test'), MalformedError, JSON.stringify(bad));
    }
  });
});
