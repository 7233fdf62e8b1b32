// core/client/live-reader.ts consumerGone: a pull whose consumer vanished with its node (no
// responders, "consumer not found", heartbeats missed) is placed again at once; a consumer
// deleted under the pull (409: another reader of this device placed it again) and anything else
// take the reader's usual wait.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors } from '@nats-io/nats-core';
import { consumerGone } from '../../../core/client/live-reader.ts';

describe('consumerGone', () => {
  it('knows a consumer that vanished with its node', () => {
    assert.equal(consumerGone(new Error('consumer not found')), true);
    assert.equal(consumerGone(new Error('heartbeats missed')), true);
    assert.equal(
      consumerGone(
        new errors.RequestError('no responders', { cause: new errors.NoRespondersError('$JS.API') }),
      ),
      true,
    );
    assert.equal(consumerGone(new Error('pull failed', { cause: new Error('consumer not found') })), true);
  });

  it('leaves a deleted consumer and other failures to the usual wait', () => {
    assert.equal(consumerGone(new Error('consumer deleted')), false);
    assert.equal(consumerGone(new errors.TimeoutError()), false);
    assert.equal(consumerGone('consumer not found'), false, 'not an Error');
  });
});
