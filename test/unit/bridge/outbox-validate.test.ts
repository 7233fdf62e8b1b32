// The bridge's outbox requests (unsent, retrySend, discardSend) and `outbox` event: a room id and a
// message id each, exact keys; the event passes readReply; a page hears a room's outbox only with
// read access (its unsent texts are plaintext), like its messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BridgeEvent, checkRequest, readReply } from '../../../core/bridge/index.ts';
import type { UnsentMessage } from '../../../core/client/types.ts';
import { MalformedError, RoomKeyError } from '../../../core/errors.ts';
import { eventForFrame } from '../../../extension/lib/event-filter.ts';

const ROOM = 'a'.repeat(32);
const ID = 'b'.repeat(32);

test('unsent, retrySend and discardSend pass a room id and a message id', () => {
  assert.deepEqual(checkRequest('r1', 'unsent', { roomId: ROOM }).params, { roomId: ROOM });
  for (const method of ['retrySend', 'discardSend'] as const)
    assert.deepEqual(checkRequest('r1', method, { roomId: ROOM, messageId: ID }).params, {
      roomId: ROOM,
      messageId: ID,
    });
});

test('they refuse missing or extra fields and ids that are not ids', () => {
  const bad: [string, unknown][] = [
    ['unsent', {}],
    ['unsent', { roomId: ROOM, text: 'x' }],
    ['retrySend', { roomId: ROOM }],
    ['retrySend', { roomId: ROOM, messageId: ID.toUpperCase() }],
    ['discardSend', { roomId: 'nope', messageId: ID }],
    ['discardSend', { roomId: ROOM, messageId: ID, extra: 1 }],
  ];
  for (const [method, params] of bad)
    assert.throws(
      () => checkRequest('r1', method, params),
      (e: unknown) => e instanceof MalformedError && e instanceof RoomKeyError,
      `${method} ${JSON.stringify(params)}`,
    );
});

test('the outbox event crosses the bridge, to a page only with read access', () => {
  const unsent = [{ roomId: ROOM, messageId: ID, text: 'secret', status: 'unsent' } as UnsentMessage];
  const event: BridgeEvent = { type: 'outbox', detail: { roomId: ROOM, unsent } };
  assert.ok(readReply({ kind: 'event', event }), 'readReply lets it through');
  const page = { kind: 'page' as const, connected: true, siteGranted: true };
  assert.deepEqual(
    eventForFrame(event, page, () => 'read'),
    event,
  );
  assert.equal(
    eventForFrame(event, page, () => 'sealed'),
    undefined,
    'not to a page of a sealed room',
  );
  assert.equal(
    eventForFrame(event, page, () => undefined),
    undefined,
    'not to an unapproved room',
  );
  assert.deepEqual(
    eventForFrame(event, { ...page, kind: 'sealed' }, () => 'sealed'),
    event,
  );
});
