// Which nats.js failures the gateway treats as passing (an election, a node coming back) and
// retries or answers "the server is recovering", and which it never does. The errors are the
// library's own classes, built as nats.js builds them from the server's answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JetStreamApiError } from '@nats-io/jetstream';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/nats-core';
import { ConflictError, UnavailableError } from '../../../core/errors.ts';
import {
  asRecovering,
  isTransientJetStream,
  RECOVERING_MESSAGE,
  retryTransient,
} from '../../../gateway/jetstream-retry.ts';

const api = (code: number, err_code: number, description: string) =>
  new JetStreamApiError({ code, err_code, description });

describe('isTransientJetStream', () => {
  it('passing: elections, joining nodes, timeouts, no responders', () => {
    assert.ok(isTransientJetStream(api(503, 10008, 'JetStream system temporarily unavailable')));
    assert.ok(isTransientJetStream(api(500, 10049, 'error creating store for stream')));
    assert.ok(isTransientJetStream(api(400, 10005, 'no suitable peers for placement')));
    assert.ok(isTransientJetStream(api(503, 10023, 'insufficient resources')));
    assert.ok(isTransientJetStream(new TimeoutError()));
    assert.ok(isTransientJetStream(new RequestError('no responders', { cause: new NoRespondersError('x') })));
    // Found through a typed wrapper's cause, as the gateway's own errors carry it.
    assert.ok(isTransientJetStream(new UnavailableError('could not read', { cause: new TimeoutError() })));
  });

  it('not passing: conflicts, missing things, bad configurations, bugs', () => {
    assert.ok(!isTransientJetStream(api(400, 10071, 'wrong last sequence: 5')));
    assert.ok(!isTransientJetStream(api(404, 10059, 'stream not found')));
    assert.ok(
      !isTransientJetStream(api(400, 10058, 'stream name already in use with a different configuration')),
    );
    assert.ok(!isTransientJetStream(new TypeError("Cannot read properties of undefined (reading 'value')")));
    assert.ok(!isTransientJetStream(new ConflictError('Another change was committed first.')));
    assert.ok(!isTransientJetStream(undefined));
  });
});

describe('asRecovering', () => {
  it('words a passing failure for people, leaves everything else as it was', () => {
    const mapped = asRecovering(api(503, 10008, 'JetStream system temporarily unavailable'));
    assert.ok(mapped instanceof UnavailableError);
    assert.equal(mapped.message, RECOVERING_MESSAGE);
    const conflict = new ConflictError('first');
    assert.equal(asRecovering(conflict), conflict);
    const bug = new TypeError('x is undefined');
    assert.equal(asRecovering(bug), bug);
  });
});

describe('retryTransient', () => {
  it('tries again on a passing failure until it works', async () => {
    let calls = 0;
    const value = await retryTransient(
      async () => {
        calls++;
        if (calls < 3) throw new TimeoutError();
        return 'made';
      },
      { attempts: 5, firstDelayMs: 1 },
    );
    assert.equal(value, 'made');
    assert.equal(calls, 3);
  });

  it('gives up after its attempts, or at once on anything else', async () => {
    let calls = 0;
    await assert.rejects(
      retryTransient(
        async () => {
          calls++;
          throw new TimeoutError();
        },
        { attempts: 3, firstDelayMs: 1 },
      ),
      TimeoutError,
    );
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(
      retryTransient(
        async () => {
          calls++;
          throw api(400, 10058, 'stream name already in use with a different configuration');
        },
        { attempts: 3, firstDelayMs: 1 },
      ),
      JetStreamApiError,
    );
    assert.equal(calls, 1);
  });

  it('starts no try after its budget', async () => {
    let calls = 0;
    const started = Date.now();
    await assert.rejects(
      retryTransient(
        async () => {
          calls++;
          throw new TimeoutError();
        },
        { attempts: 100, budgetMs: 300, firstDelayMs: 50, maxDelayMs: 100 },
      ),
    );
    assert.ok(Date.now() - started < 600, `${Date.now() - started} ms`);
    assert.ok(calls >= 2 && calls <= 5, `${calls} tries`);
  });
});
