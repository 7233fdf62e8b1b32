// core/client/runtime/backoff.ts: reconnect waits grow with the time offline, capped, jittered,
// and start again once online.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../../core/client/runtime/backoff.ts';
import {
  BACKOFF_FIRST_MS,
  BACKOFF_JITTER,
  BACKOFF_MAX_MS,
  CATCH_UP_RETRY_MAX_MS,
} from '../../../core/client/runtime/settings.ts';

describe('Backoff', () => {
  it('starts short, grows with the time offline, never beyond the maximum', () => {
    let now = 0;
    const backoff = new Backoff({ now: () => now, random: () => 0 });
    assert.equal(backoff.delay(), BACKOFF_FIRST_MS);
    now = 10_000;
    assert.equal(backoff.delay(), 5000, 'half the time offline');
    now = 600_000;
    assert.equal(backoff.delay(), BACKOFF_MAX_MS);
  });

  it('adds at most the jitter share, and starts again once online', () => {
    let now = 0;
    const backoff = new Backoff({ now: () => now, random: () => 0.999 });
    backoff.delay();
    now = 20_000;
    const wait = backoff.delay();
    assert.ok(wait > 10_000 && wait <= 10_000 * (1 + BACKOFF_JITTER), String(wait));
    backoff.online();
    now = 40_000;
    assert.equal(Math.round(backoff.delay() / (1 + 0.999 * BACKOFF_JITTER)), BACKOFF_FIRST_MS);
  });

  it('takes a lower maximum (the catch-up after a reconnect)', () => {
    let now = 0;
    const backoff = new Backoff({ now: () => now, random: () => 0, maxMs: CATCH_UP_RETRY_MAX_MS });
    assert.equal(backoff.delay(), BACKOFF_FIRST_MS);
    now = 600_000;
    assert.equal(backoff.delay(), CATCH_UP_RETRY_MAX_MS);
  });
});
