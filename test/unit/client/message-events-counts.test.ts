// Replies count like any message; an edit, delete or reaction from someone else changes a message
// already there: it is neither counted unread in the room list nor notified.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadMarkers } from '../../../core/client/read-markers.ts';
import { notifies } from '../../../core/client/runtime/notify-decision.ts';
import { received } from './runtime-fakes.ts';

const target = 'ab'.repeat(16);

test('edits, deletes and reactions are not unread and not notified; replies are', () => {
  const markers = new ReadMarkers({
    send: async (_roomId, seq) => seq,
    list: async () => new Map(),
    onRead: () => undefined,
    onError: () => undefined,
  });
  markers.setView({ visible: true, focusedRoom: 'elsewhere' });
  const events = [
    received('r1', 'new text', { action: 'edit', target }),
    received('r1', '', { action: 'delete', target }),
    received('r1', '', { action: 'react', target, reaction: '👍' }),
  ];
  for (const event of events) {
    assert.equal(notifies(markers.received(event)), false, event.action);
  }
  assert.equal(markers.unread('r1'), 0);
  const reply = received('r1', 'yes', { replyTo: target });
  assert.equal(notifies(markers.received(reply)), true);
  assert.equal(markers.unread('r1'), 1);
});
