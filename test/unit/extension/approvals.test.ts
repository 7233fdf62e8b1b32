// The approval store: answers per site and per room, kept in extension storage, revocable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApprovalStore } from '../../../extension/lib/approvals.ts';
import { FakeArea, OTHER, ROOM_A, ROOM_B, SITE } from './fakes.ts';

describe('approval store', () => {
  it('starts empty and remembers grants across a reload (a restarted worker)', async () => {
    const area = new FakeArea();
    const a = await ApprovalStore.load(area);
    assert.equal(a.site(SITE), undefined);
    await a.grantSite(SITE);
    await a.grantRoom(SITE, ROOM_A, 'read');
    await a.grantRoom(OTHER, ROOM_B, 'sealed');
    const b = await ApprovalStore.load(area);
    assert.equal(b.site(SITE), 'granted');
    assert.equal(b.roomAccess(SITE, ROOM_A), 'read');
    assert.equal(b.roomAccess(SITE, ROOM_B), undefined);
    assert.equal(b.site(OTHER), undefined, 'a sealed grant approves the room, not the site');
    assert.equal(b.roomAccess(OTHER, ROOM_B), 'sealed');
  });

  it('a grant never narrows: read stays read when sealed is granted later', async () => {
    const a = await ApprovalStore.load(new FakeArea());
    await a.grantRoom(SITE, ROOM_A, 'read');
    await a.grantRoom(SITE, ROOM_A, 'sealed');
    assert.equal(a.roomAccess(SITE, ROOM_A), 'read');
    await a.grantRoom(SITE, ROOM_B, 'sealed');
    await a.grantRoom(SITE, ROOM_B, 'read');
    assert.equal(a.roomAccess(SITE, ROOM_B), 'read');
  });

  it('a sealed grant or a declined room approves no site; the popup lists such a site as rooms-only', async () => {
    const area = new FakeArea();
    const a = await ApprovalStore.load(area);
    await a.grantRoom(OTHER, ROOM_A, 'sealed');
    await a.denyRoom(SITE, ROOM_B);
    const b = await ApprovalStore.load(area);
    assert.equal(b.site(OTHER), undefined);
    assert.equal(b.site(SITE), undefined);
    assert.equal(b.roomAccess(OTHER, ROOM_A), 'sealed');
    assert.equal(b.room(SITE, ROOM_B), 'denied');
    assert.deepEqual(
      b.list().map((s) => [s.origin, s.site]),
      [
        [SITE, 'rooms-only'],
        [OTHER, 'rooms-only'],
      ],
    );
    assert.deepEqual(
      b.sitesWithRoom(ROOM_A).map((s) => s.origin),
      [OTHER],
      'a notification click may still open where its frame showed the room',
    );
    // Reading is only ever asked of an approved site, and keeps it approved.
    await b.grantSite(OTHER);
    await b.grantRoom(OTHER, ROOM_A, 'read');
    assert.equal(b.site(OTHER), 'granted');
    // Revoking the last room of a site never approved forgets the site.
    await b.revokeRoom(SITE, ROOM_B);
    assert.deepEqual(
      b.list().map((s) => s.origin),
      [OTHER],
    );
  });

  it('remembers denials; a blocked site is denied every room', async () => {
    const a = await ApprovalStore.load(new FakeArea());
    await a.grantRoom(SITE, ROOM_A, 'read');
    await a.denyRoom(SITE, ROOM_B);
    assert.equal(a.room(SITE, ROOM_B), 'denied');
    assert.equal(a.roomAccess(SITE, ROOM_B), undefined);
    await a.denySite(SITE);
    assert.equal(a.room(SITE, ROOM_A), 'denied');
    assert.equal(a.roomAccess(SITE, ROOM_A), undefined);
  });

  it('declining read of a room with sealed access keeps the sealed access', async () => {
    const a = await ApprovalStore.load(new FakeArea());
    await a.grantRoom(SITE, ROOM_A, 'sealed');
    await a.denyRoom(SITE, ROOM_A);
    assert.equal(a.roomAccess(SITE, ROOM_A), 'sealed');
    assert.equal(a.readDenied(SITE, ROOM_A), true);
    await a.grantRoom(SITE, ROOM_A, 'read');
    assert.equal(a.readDenied(SITE, ROOM_A), false);
  });

  it('revoking forgets grants and denials, for a room or the whole site', async () => {
    const area = new FakeArea();
    const a = await ApprovalStore.load(area);
    await a.grantRoom(SITE, ROOM_A, 'read');
    await a.grantRoom(SITE, ROOM_B, 'read');
    await a.revokeRoom(SITE, ROOM_A);
    assert.equal(a.room(SITE, ROOM_A), undefined);
    assert.equal(a.roomAccess(SITE, ROOM_B), 'read');
    await a.denySite(OTHER);
    await a.revokeSite(OTHER);
    assert.equal(a.site(OTHER), undefined);
    await a.revokeSite(SITE);
    assert.deepEqual((await ApprovalStore.load(area)).list(), []);
  });

  it('lists sites for the popup and sites with a room, most recently shown first', async () => {
    let now = 1000;
    const a = await ApprovalStore.load(new FakeArea(), () => now);
    await a.grantRoom(SITE, ROOM_A, 'read');
    now = 2000;
    await a.grantRoom(OTHER, ROOM_A, 'sealed');
    await a.rememberUrl(SITE, ROOM_A, 'https://app.example/room/a');
    now = 3000;
    await a.rememberUrl(SITE, ROOM_A, 'https://app.example/room/a2');
    assert.deepEqual(
      a.sitesWithRoom(ROOM_A).map((s) => [s.origin, s.access, s.url]),
      [
        [SITE, 'read', 'https://app.example/room/a2'],
        [OTHER, 'sealed', null],
      ],
    );
    assert.deepEqual(
      a.list().map((s) => s.origin),
      [SITE, OTHER],
    );
    await a.rememberUrl('https://none.example', ROOM_A, 'https://none.example/');
    assert.equal(a.site('https://none.example'), undefined, 'remembering a URL grants nothing');
  });

  it('drops damaged or foreign stored entries instead of trusting them', async () => {
    const area = new FakeArea();
    await area.set({
      'roomkey:approvals': {
        version: 1,
        sites: {
          [SITE]: { site: 'granted', rooms: { [ROOM_A]: { access: 'read' }, nothex: { access: 'read' } } },
          'javascript:alert(1)': { site: 'granted', rooms: {} },
          [OTHER]: { site: 'maybe', rooms: {} },
          'https://x.example': { site: 'granted', rooms: { [ROOM_B]: { access: 'admin' } } },
          'https://sealed.example': { site: null, rooms: { [ROOM_B]: { access: 'sealed' } } },
          'https://empty.example': { site: null, rooms: {} },
          'https://nosite.example': { rooms: { [ROOM_B]: { access: 'sealed' } } },
        },
      },
    });
    const a = await ApprovalStore.load(area);
    assert.deepEqual(
      a.list().map((s) => [s.origin, s.rooms.map((r) => r.roomId)]),
      [
        [SITE, [ROOM_A]],
        ['https://sealed.example', [ROOM_B]],
        ['https://x.example', []],
      ],
    );
    await area.set({ 'roomkey:approvals': 'garbage' });
    assert.deepEqual((await ApprovalStore.load(area)).list(), []);
  });

  it('writes one item per change, one change at a time', async () => {
    const area = new FakeArea();
    const a = await ApprovalStore.load(area);
    await Promise.all([
      a.grantRoom(SITE, ROOM_A, 'read'),
      a.grantRoom(SITE, ROOM_B, 'sealed'),
      a.denySite(OTHER),
    ]);
    assert.equal(area.writes, 3);
    const b = await ApprovalStore.load(area);
    assert.equal(b.roomAccess(SITE, ROOM_A), 'read');
    assert.equal(b.roomAccess(SITE, ROOM_B), 'sealed');
    assert.equal(b.site(OTHER), 'denied');
    await b.clear();
    assert.deepEqual((await ApprovalStore.load(area)).list(), []);
  });
});
