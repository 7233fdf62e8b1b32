// The notification router (pure): in view → nothing more; visible app tab → toast; else OS
// notification; previews only when allowed; never plaintext to a host page with sealed access.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clickTarget,
  type IncomingNote,
  notificationId,
  PREVIEW_CHARS,
  type RouterFrame,
  roomOfNotification,
  routeNotification,
} from '../../../extension/lib/notification-router.ts';
import { ROOM_A, ROOM_B } from './fakes.ts';

const note: IncomingNote = {
  roomId: ROOM_B,
  roomName: 'Project B',
  messageId: 'm1',
  senderUsername: 'bob',
  text: 'the launch moves to Friday',
  own: false,
};

const frame = (key: string, over: Partial<RouterFrame>): RouterFrame => ({
  key,
  kind: 'page',
  access: 'read',
  connected: true,
  visible: true,
  focusedRoom: null,
  activeAtMs: 0,
  ...over,
});

// The three tabs: room A visible, room B hidden, an unrelated site (not connected, no access).
const tabA = frame('A', { focusedRoom: ROOM_A, activeAtMs: 30 });
const tabB = frame('B', { focusedRoom: ROOM_B, visible: false, activeAtMs: 20 });
const unrelated = frame('U', { access: undefined, connected: false, activeAtMs: 40 });

describe('notification router', () => {
  it('a message for the room on screen goes to that tab only', () => {
    assert.deepEqual(
      routeNotification({ ...note, roomId: ROOM_A }, [tabA, tabB, unrelated], { previews: false }),
      {
        kind: 'in-view',
        frames: ['A'],
      },
    );
  });

  it('a message for a hidden room becomes a toast in the visible app tab', () => {
    const route = routeNotification(note, [tabA, tabB, unrelated], { previews: true });
    assert.deepEqual(route, {
      kind: 'toast',
      frame: 'A',
      notification: {
        roomId: ROOM_B,
        roomName: 'Project B',
        messageId: 'm1',
        senderUsername: 'bob',
        preview: note.text,
      },
    });
  });

  it('the toast carries no preview unless previews are allowed', () => {
    const route = routeNotification(note, [tabA, tabB], { previews: false });
    assert.equal(route.kind, 'toast');
    assert.equal('preview' in (route as { notification: object }).notification, false);
  });

  it('with no visible app tab: an OS notification, "New message" without previews', () => {
    assert.deepEqual(routeNotification(note, [tabB, unrelated], { previews: false }), {
      kind: 'os',
      id: notificationId(ROOM_B, 'm1'),
      title: 'RoomKey',
      message: 'New message',
    });
    assert.deepEqual(routeNotification(note, [], { previews: true }), {
      kind: 'os',
      id: notificationId(ROOM_B, 'm1'),
      title: 'bob in Project B',
      message: note.text,
    });
  });

  it('previews are cut to a short line', () => {
    const long = routeNotification({ ...note, text: 'x'.repeat(1000) }, [], { previews: true });
    assert.equal((long as { message: string }).message.length, PREVIEW_CHARS);
  });

  it('own messages are never notified', () => {
    assert.deepEqual(routeNotification({ ...note, own: true }, [tabA], { previews: true }), { kind: 'none' });
  });

  it('a host page with sealed access gets a toast without names or text; its sealed frame counts as showing', () => {
    const host = frame('H', { access: 'sealed', focusedRoom: ROOM_B });
    const toast = routeNotification(note, [host], { previews: true });
    assert.deepEqual(toast, {
      kind: 'toast',
      frame: 'H',
      notification: { roomId: ROOM_B, roomName: '', messageId: 'm1', senderUsername: '' },
    });
    const sealedFrame = frame('S', { kind: 'sealed', access: 'sealed', focusedRoom: ROOM_B });
    assert.deepEqual(routeNotification(note, [host, sealedFrame], { previews: true }), {
      kind: 'in-view',
      frames: ['S'],
    });
  });

  it('prefers the most recently active visible app tab; unconnected pages get no toast', () => {
    const older = frame('O', { activeAtMs: 1 });
    const newer = frame('N', { activeAtMs: 2 });
    const notConnected = frame('X', { activeAtMs: 9, connected: false });
    assert.equal(
      (routeNotification(note, [older, newer, notConnected], { previews: false }) as { frame: string }).frame,
      'N',
    );
  });

  it('the extension’s own room tab counts as showing the room', () => {
    const own = frame('E', { kind: 'extension', access: 'all', focusedRoom: ROOM_B });
    assert.deepEqual(routeNotification(note, [own], { previews: false }), { kind: 'in-view', frames: ['E'] });
  });
});

describe('notification clicks', () => {
  it('the id carries the room', () => {
    assert.equal(roomOfNotification(notificationId(ROOM_B, 'abc')), ROOM_B);
    assert.equal(roomOfNotification('other:1'), undefined);
  });

  it('focuses a tab showing the room (visible first), else opens where it was last shown, else the extension page', () => {
    const own = 'chrome-extension://id/sealed-room.html?room=b';
    assert.deepEqual(clickTarget(ROOM_B, [tabA, tabB], [], own), { kind: 'focus', frame: 'B' });
    const visibleB = frame('V', { focusedRoom: ROOM_B, activeAtMs: 1 });
    assert.deepEqual(clickTarget(ROOM_B, [tabB, visibleB], [], own), { kind: 'focus', frame: 'V' });
    const pages = [
      { url: 'https://app.example/old', atMs: 1 },
      { url: 'https://app.example/b', atMs: 5 },
      { url: null, atMs: 9 },
    ];
    assert.deepEqual(clickTarget(ROOM_B, [tabA], pages, own), { kind: 'open', url: 'https://app.example/b' });
    assert.deepEqual(clickTarget(ROOM_B, [tabA], [], own), { kind: 'open', url: own });
  });
});
