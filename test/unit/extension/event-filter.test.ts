// What each frame may receive of the client's events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomSummary, StoredMessage } from '../../../components/client/types.ts';
import type { BridgeEvent } from '../../../core/bridge/index.ts';
import type { Access } from '../../../extension/lib/access.ts';
import { eventForFrame } from '../../../extension/lib/event-filter.ts';
import { ROOM_A, ROOM_B } from './fakes.ts';

const room = (roomId: string, name: string): RoomSummary => ({
  roomId,
  name,
  epoch: 0,
  members: [{ userId: 'u1', username: 'alice' }],
  status: 'member',
  unread: 0,
});
const rooms: BridgeEvent = { type: 'rooms', detail: [room(ROOM_A, 'A'), room(ROOM_B, 'B')] };
const message = (roomId: string): BridgeEvent => ({
  type: 'message',
  detail: { roomId, messageId: 'm', text: 'secret' } as StoredMessage,
});
const accessOf =
  (map: Record<string, Access>) =>
  (roomId: string): Access =>
    map[roomId];
const page = { kind: 'page' as const, connected: true, siteGranted: true };

describe('event filter', () => {
  it('nothing for frames that did not connect or whose site is not approved', () => {
    const keys: BridgeEvent = { type: 'keys', detail: 'ready' };
    assert.equal(eventForFrame(keys, { ...page, connected: false }, accessOf({})), undefined);
    assert.equal(eventForFrame(keys, { ...page, siteGranted: false }, accessOf({})), undefined);
    assert.deepEqual(eventForFrame(keys, page, accessOf({})), keys);
  });

  it('room lists hold only approved rooms; sealed access hides name and members from the page', () => {
    const got = eventForFrame(rooms, page, accessOf({ [ROOM_A]: 'read', [ROOM_B]: 'sealed' }));
    assert.deepEqual(got, {
      type: 'rooms',
      detail: [room(ROOM_A, 'A'), { ...room(ROOM_B, ''), members: [] }],
    });
    assert.deepEqual(eventForFrame(rooms, page, accessOf({})), { type: 'rooms', detail: [] });
    const sealedFrame = { ...page, kind: 'sealed' as const };
    assert.deepEqual(eventForFrame(rooms, sealedFrame, accessOf({ [ROOM_B]: 'sealed' })), {
      type: 'rooms',
      detail: [room(ROOM_B, 'B')],
    });
  });

  it('messages reach a page only with read access; a sealed frame with any access; the extension always', () => {
    assert.equal(eventForFrame(message(ROOM_B), page, accessOf({ [ROOM_B]: 'sealed' })), undefined);
    assert.equal(eventForFrame(message(ROOM_B), page, accessOf({})), undefined);
    assert.ok(eventForFrame(message(ROOM_A), page, accessOf({ [ROOM_A]: 'read' })));
    assert.ok(eventForFrame(message(ROOM_B), { ...page, kind: 'sealed' }, accessOf({ [ROOM_B]: 'sealed' })));
    assert.ok(eventForFrame(message(ROOM_B), { ...page, kind: 'extension' }, () => 'all'));
  });

  it('notifications never go out by broadcast', () => {
    const n: BridgeEvent = {
      type: 'notification',
      detail: { roomId: ROOM_A, roomName: 'A', messageId: 'm', senderUsername: 'b' },
    };
    assert.equal(
      eventForFrame(n, page, () => 'read'),
      undefined,
    );
  });
});
