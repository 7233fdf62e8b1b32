// Who a NATS failure blames (core/transport/nats-failure.ts): a request on the gateway's subjects
// blames the gateway, a publish or pull blames JetStream on the NATS server, a closed connection
// blames the connection; "no responders" says nothing runs there at all. Before, a publish timeout
// to JetStream said "The gateway did not answer", and nats.js v3's no-responders error (named
// NoResponders, inside a RequestError) was not recognised. UnavailableError keeps who and whether
// across the bridge and the error table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors } from '@nats-io/nats-core';
import { fromWireError, reviveError, toWireError } from '../../../core/bridge/index.ts';
import { ForbiddenError, UnavailableError } from '../../../core/errors.ts';
import { isNoResponders, natsFailure, partyOf } from '../../../core/transport/nats-failure.ts';
import { ROOM_SUBJECTS } from '../../../core/transport/subjects.ts';

const GATEWAY_SUBJECT = ROOM_SUBJECTS.list;
const ROOM_SUBJECT = 'rk.v1.room.7.abc.msg';
const noResponders = () =>
  new errors.RequestError('no responders', { cause: new errors.NoRespondersError(GATEWAY_SUBJECT) });

describe('natsFailure', () => {
  it('names the gateway for its subjects and JetStream for the rest', () => {
    assert.equal(partyOf(GATEWAY_SUBJECT), 'gateway');
    assert.equal(partyOf(ROOM_SUBJECT), 'jetstream');
    assert.equal(partyOf('rk.v1.gwx.other'), 'jetstream');
  });

  it('a publish timeout blames the NATS server (JetStream), not the gateway', () => {
    const failure = natsFailure(new errors.TimeoutError(), ROOM_SUBJECT);
    assert.ok(failure instanceof UnavailableError);
    assert.equal(failure.service, 'jetstream');
    assert.equal(failure.notRunning, false);
    assert.doesNotMatch(failure.message, /gateway/i);
    assert.match(failure.message, /NATS server \(JetStream\) did not answer/);
  });

  it('a gateway request timeout blames the gateway', () => {
    const failure = natsFailure(new errors.TimeoutError(), GATEWAY_SUBJECT) as UnavailableError;
    assert.equal(failure.service, 'gateway');
    assert.match(failure.message, /RoomKey gateway did not answer/);
  });

  it('no responders says nothing runs there, and what to do', () => {
    assert.equal(isNoResponders(noResponders()), true);
    assert.equal(isNoResponders(new errors.TimeoutError()), false);
    const failure = natsFailure(noResponders(), GATEWAY_SUBJECT) as UnavailableError;
    assert.ok(failure instanceof UnavailableError);
    assert.deepEqual([failure.service, failure.notRunning], ['gateway', true]);
    assert.match(failure.message, /gateway is not running or not reachable/);
    assert.match(failure.message, /roomkey-gateway start/);
    const stream = natsFailure(noResponders(), ROOM_SUBJECT) as UnavailableError;
    assert.deepEqual([stream.service, stream.notRunning], ['jetstream', true]);
  });

  it('a closed connection blames the connection; a permission violation is Forbidden', () => {
    const closed = natsFailure(new errors.ClosedConnectionError(), ROOM_SUBJECT) as UnavailableError;
    assert.equal(closed.service, 'nats');
    const denied = natsFailure(
      new errors.RequestError('denied', {
        cause: new errors.PermissionViolationError(
          'Permissions Violation for Publish',
          'publish',
          ROOM_SUBJECT,
        ),
      }),
      ROOM_SUBJECT,
    );
    assert.ok(denied instanceof ForbiddenError);
  });

  it('UnavailableError keeps service and notRunning across the bridge; hostile fields are dropped', () => {
    const error = new UnavailableError('gateway down', { service: 'gateway', notRunning: true });
    const back = fromWireError(JSON.parse(JSON.stringify(toWireError(error)))) as UnavailableError;
    assert.ok(back instanceof UnavailableError);
    assert.deepEqual([back.service, back.notRunning, back.message], ['gateway', true, 'gateway down']);
    const hostile = reviveError('unavailable', 'x', {
      service: 'everyone',
      notRunning: 'yes',
    }) as UnavailableError;
    assert.deepEqual([hostile.service, hostile.notRunning], [undefined, false]);
  });
});
