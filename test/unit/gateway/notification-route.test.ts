// The notification router's decision (gateway/notification-route.ts): who gets an App
// Notification over NATS, who is left for Web Push.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PresenceEntry, routeMessage } from '../../../gateway/notification-route.ts';
import { v1 } from '../../../proto/index.ts';

const S = v1.PresenceState;
const TTL = 90_000;
const NOW = 1_000_000;

function presence(entries: Record<string, Record<string, Partial<PresenceEntry>>>) {
  return new Map(
    Object.entries(entries).map(([user, devices]) => [
      user,
      new Map(
        Object.entries(devices).map(([nkey, e]) => [
          nkey,
          { state: S.PRESENCE_STATE_ACTIVE, focusedRoomId: '', receivedAtMs: NOW, ...e },
        ]),
      ),
    ]),
  );
}

describe('routeMessage', () => {
  it('sends App Notifications to every active device of every other member', () => {
    const route = routeMessage({
      senderUserId: 'alice',
      members: ['alice', 'bob', 'carol'],
      presence: presence({ alice: { A1: {} }, bob: { B1: {}, B2: {} }, carol: { C1: {} } }),
      nowMs: NOW,
      ttlMs: TTL,
    });
    assert.deepEqual(route, { app: ['B1', 'B2', 'C1'], push: [] });
  });

  it('never notifies the sender, not even on its other devices', () => {
    const route = routeMessage({
      senderUserId: 'alice',
      members: ['alice', 'bob'],
      presence: presence({ alice: { A1: {}, A2: {} } }),
      nowMs: NOW,
      ttlMs: TTL,
    });
    assert.deepEqual(route, { app: [], push: ['bob'] });
  });

  it('leaves idle, hidden, silent and unknown devices for Web Push', () => {
    const route = routeMessage({
      senderUserId: 'alice',
      members: ['alice', 'bob', 'carol', 'dave', 'erin'],
      presence: presence({
        bob: { B1: { state: S.PRESENCE_STATE_IDLE } },
        carol: { C1: { state: S.PRESENCE_STATE_HIDDEN } },
        dave: { D1: { receivedAtMs: NOW - TTL - 1 } },
      }),
      nowMs: NOW,
      ttlMs: TTL,
    });
    assert.deepEqual(route, { app: [], push: ['bob', 'carol', 'dave', 'erin'] });
  });

  it('a user with one active device gets the App Notification there only', () => {
    const route = routeMessage({
      senderUserId: 'alice',
      members: ['bob', 'bob'],
      presence: presence({ bob: { B1: { state: S.PRESENCE_STATE_HIDDEN }, B2: {} } }),
      nowMs: NOW,
      ttlMs: TTL,
    });
    assert.deepEqual(route, { app: ['B2'], push: [] });
  });
});
