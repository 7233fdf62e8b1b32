// Hidden rooms through the extension's hub (issue 17 §7): the background keeps the preference; a
// site sees and changes it only for the rooms approved for it — its list and its `hidden` events
// name no other room, and hiding a room it was not given asks the user like any room request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OTHER, SITE } from './fakes.ts';
import { assertNotApproved, resultOf, startHub } from './hub-harness.ts';

describe('hidden rooms through the hub', () => {
  it('a site hides its rooms and learns nothing of the others', async () => {
    const h = await startHub();
    const page = h.site(SITE, 1);
    const connecting = page.call('connect');
    await h.answerNext('allow');
    resultOf(await connecting);
    const other = h.site(OTHER, 2);
    const otherConnect = other.call('connect');
    await h.answerNext('allow');
    resultOf(await otherConnect);
    const { roomId: mine } = resultOf<{ roomId: string }>(await page.call('createRoom', { name: 'Mine' }));
    const { roomId: theirs } = resultOf<{ roomId: string }>(
      await other.call('createRoom', { name: 'Theirs' }),
    );

    assert.deepEqual(resultOf(await other.call('setRoomHidden', { roomId: theirs, hidden: true })), [theirs]);
    assert.deepEqual(resultOf(await page.call('hiddenRooms')), [], "the other site's room is not named");
    assert.deepEqual(resultOf(await page.call('setRoomHidden', { roomId: mine, hidden: true })), [mine]);
    assert.deepEqual(resultOf(await other.call('hiddenRooms')), [theirs]);
    assert.deepEqual(page.events('hidden').at(-1), { type: 'hidden', detail: { roomIds: [mine] } });
    assert.ok(
      page.events('hidden').every((e) => !JSON.stringify(e).includes(theirs)),
      "no event names the other site's room",
    );

    const refused = page.call('setRoomHidden', { roomId: theirs, hidden: false });
    await h.answerNext('deny');
    assertNotApproved(await refused, 'a room not given to the site');
    assert.deepEqual(resultOf(await other.call('hiddenRooms')), [theirs], 'still hidden');
    assert.deepEqual(resultOf(await page.call('setRoomHidden', { roomId: mine, hidden: false })), []);
  });
});
