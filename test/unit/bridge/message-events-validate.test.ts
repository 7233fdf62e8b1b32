// The bridge's sendEvent: each action with exactly its fields, message ids as 32 lowercase hex
// digits, text and reaction bounded; anything else is refused before it reaches the background.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRequest } from '../../../core/bridge/index.ts';
import { MalformedError, RoomKeyError } from '../../../core/errors.ts';

const ROOM = 'a'.repeat(32);
const ID = 'b'.repeat(32);
const send = (event: unknown) => checkRequest('r1', 'sendEvent', { roomId: ROOM, event }).params;

test('sendEvent passes each action with exactly its fields', () => {
  for (const event of [
    { action: 'reply', replyTo: ID, text: 'yes' },
    { action: 'edit', target: ID, text: 'fixed' },
    { action: 'delete', target: ID },
    { action: 'react', target: ID, reaction: '👍' },
    { action: 'unreact', target: ID, reaction: '👍' },
  ]) {
    assert.deepEqual(send(event), { roomId: ROOM, event });
  }
});

test('sendEvent refuses a wrong action, extra or missing fields, bad ids and oversize values', () => {
  for (const event of [
    null,
    'delete',
    { action: 'shout', target: ID },
    { action: 'delete', target: ID, text: 'extra' },
    { action: 'delete' },
    { action: 'delete', target: 'B'.repeat(32) },
    { action: 'delete', target: ID.slice(1) },
    { action: 'edit', target: ID, text: '' },
    { action: 'edit', target: ID, text: 'x'.repeat(60_001) },
    { action: 'react', target: ID, reaction: '' },
    { action: 'react', target: ID, reaction: 'x'.repeat(33) },
    { action: 'reply', replyTo: ID },
  ]) {
    assert.throws(() => send(event), RoomKeyError, JSON.stringify(event)?.slice(0, 80));
  }
  assert.throws(
    () => checkRequest('r1', 'sendEvent', { roomId: 'nope', event: { action: 'delete', target: ID } }),
    MalformedError,
  );
  assert.throws(
    () => checkRequest('r1', 'sendEvent', { roomId: ROOM, event: { action: 'delete', target: ID }, more: 1 }),
    MalformedError,
  );
});
