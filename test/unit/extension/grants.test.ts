// Grants allow exactly what their question said (issue 11, points 3 and 4), through the whole hub:
// room access never covers membership changes (each one is confirmed by the user), a sealed grant
// approves no site, and the sealed page is refused outside a frame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAGE_PORT, sealedPortName } from '../../../extension/lib/messages.ts';
import { OTHER, SITE, tick } from './fakes.ts';
import { assertNotApproved, EXT, resultOf, startHub } from './hub-harness.ts';

type Room = { roomId: string; members: { userId: string; username: string }[] };

/** An approved page of SITE that created a room (so it has `read` access to it). */
async function approvedPageWithRoom() {
  const h = await startHub();
  const page = h.site(SITE, 1);
  const connecting = page.call('connect');
  await h.answerNext('allow');
  resultOf(await connecting);
  const room = resultOf<Room>(await page.call('createRoom', { name: 'Team' }));
  assert.equal(h.approvals.roomAccess(SITE, room.roomId), 'read');
  const members = async () =>
    resultOf<Room[]>(await h.popup.call('listRooms'))
      .find((r) => r.roomId === room.roomId)!
      .members.map((m) => m.username)
      .sort();
  return { ...h, page, roomId: room.roomId, members };
}

describe('grants: exactly what the question said', () => {
  it('read access lets a page ask to invite, never invite: the user confirms each one', async () => {
    const { page, roomId, members, answerNext, approvals } = await approvedPageWithRoom();
    const inviting = page.call('invite', { roomId, username: 'mallory', shareHistory: true });
    const asked = await answerNext('deny');
    assert.deepEqual(asked['act'], { kind: 'invite', username: 'mallory', shareHistory: true });
    assert.equal(asked['origin'], SITE);
    assert.equal(asked['frame'], 'page');
    assert.equal(asked['roomName'], 'Team');
    assertNotApproved(await inviting, 'invite declined');
    assert.deepEqual(await members(), ['alice'], 'nobody was added');
    // Nothing is remembered: the next invite asks again.
    const again = page.call('invite', { roomId, username: 'mallory', shareHistory: false });
    await answerNext('allow');
    assert.deepEqual(
      resultOf<Room>(await again)
        .members.map((m) => m.username)
        .sort(),
      ['alice', 'mallory'],
    );
    assert.equal(approvals.roomAccess(SITE, roomId), 'read', 'the answer changed no grant');
  });

  it('removing a member needs the same confirmation, naming the member', async () => {
    const { page, roomId, members, answerNext, popup } = await approvedPageWithRoom();
    resultOf(await popup.call('invite', { roomId, username: 'bob', shareHistory: false }));
    const bob = resultOf<Room[]>(await popup.call('listRooms'))
      .find((r) => r.roomId === roomId)!
      .members.find((m) => m.username === 'bob')!;
    const removing = page.call('removeMember', { roomId, userId: bob.userId });
    const asked = await answerNext('deny');
    assert.deepEqual(asked['act'], { kind: 'remove', userId: bob.userId, username: 'bob' });
    assertNotApproved(await removing, 'remove declined');
    assert.deepEqual(await members(), ['alice', 'bob']);
    const again = page.call('removeMember', { roomId, userId: bob.userId });
    await answerNext('allow');
    resultOf(await again);
    assert.deepEqual(await members(), ['alice']);
  });

  it('"block this site" on a confirmation blocks the site; the popup itself is never asked', async () => {
    const { page, roomId, window, answerNext, approvals, popup, members } = await approvedPageWithRoom();
    const inviting = page.call('invite', { roomId, username: 'mallory', shareHistory: false });
    await answerNext('block');
    assertNotApproved(await inviting, 'blocked');
    assert.equal(approvals.site(SITE), 'denied');
    assertNotApproved(
      await page.call('invite', { roomId, username: 'mallory', shareHistory: false }),
      'after',
    );
    resultOf(await popup.call('invite', { roomId, username: 'carol', shareHistory: false }));
    await tick();
    assert.equal(window.opened.length, 0, 'the extension’s own UI asks nobody');
    assert.deepEqual(await members(), ['alice', 'carol']);
  });

  it('a sealed frame must have its invites confirmed too (its host page can clickjack it)', async () => {
    const { roomId, sealedFrame, answerNext, members } = await approvedPageWithRoom();
    const frame = sealedFrame(SITE, 1, roomId);
    resultOf(await frame.call('connect'));
    const inviting = frame.call('invite', { roomId, username: 'mallory', shareHistory: false });
    const asked = await answerNext('deny');
    assert.equal(asked['frame'], 'sealed');
    assertNotApproved(await inviting, 'sealed invite declined');
    assert.deepEqual(await members(), ['alice']);
  });

  it('a sealed grant approves the room for the frame only: the site’s page gets nothing', async () => {
    const { popup, site, sealedFrame, answerNext, approvals, window } = await startHub();
    const { roomId } = resultOf<Room>(await popup.call('createRoom', { name: 'Board' }));
    const frame = sealedFrame(OTHER, 2, roomId);
    resultOf(await frame.call('connect'));
    const showing = frame.call('requestRoom', { roomId, access: 'sealed' });
    assert.equal((await answerNext('allow'))['access'], 'sealed');
    assert.deepEqual(resultOf(await showing), { access: 'sealed' });
    resultOf(await frame.call('history', { roomId }));
    assert.equal(approvals.site(OTHER), undefined, 'the site itself was never approved');

    const page = site(OTHER, 2);
    for (const [method, params] of [
      ['listRooms', {}],
      ['focusRoom', { roomId }],
      ['history', { roomId }],
      ['createRoom', { name: 'x' }],
      ['sealedRoomUrl', { roomId }],
    ] as const) {
      assertNotApproved(await page.call(method, params), method);
    }
    assert.equal(window.opened.length, 0, 'none of these asked anything');
    // A forged "connected" report subscribes nothing; a real connect asks the site question.
    page.emit({ type: 'frame', state: { visible: true, connected: true, focusedRoom: roomId } });
    resultOf(await popup.call('send', { roomId, text: 'board secret' }));
    await tick();
    assert.deepEqual(page.events(), []);
    assert.ok(JSON.stringify(frame.received).includes('board secret'), 'the sealed frame still shows it');
    const connecting = page.call('connect');
    const asked = await answerNext('deny');
    assert.equal(asked['roomId'], null, 'connect asks for the site');
    assertNotApproved(await connecting, 'connect declined');
  });

  it('the sealed page never speaks as the extension: outside a frame it is refused', async () => {
    const { open, opened, hub } = await startHub();
    const roomId = 'c'.repeat(32);
    const topLevel = open(sealedPortName({ ancestors: [], parentIsTop: true }), {
      id: EXT.id,
      url: `${EXT.origin}/sealed-room.html?room=${roomId}`,
      tab: { id: 5, url: `${EXT.origin}/sealed-room.html?room=${roomId}` },
      frameId: 0,
    });
    assert.ok(topLevel.disconnected, 'refused');
    const asPage = open(PAGE_PORT, { id: EXT.id, url: `${EXT.origin}/sealed-room.html?room=${roomId}` });
    assert.ok(asPage.disconnected, 'refused under the extension pages’ port name too');
    // The extension's own room tab is room.html, which no web page can load.
    const own = open(PAGE_PORT, { id: EXT.id, url: `${EXT.origin}/room.html?room=${roomId}` });
    assert.equal(own.disconnected, false);
    await hub.notificationClicked(`roomkey:${roomId}:${'0'.repeat(32)}`);
    assert.deepEqual(opened, [`${EXT.origin}/room.html?room=${roomId}`]);
  });
});
