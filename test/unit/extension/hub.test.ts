// The background hub with fake ports: callers derived from sender data, approvals enforced on
// every request, events filtered per frame, notifications routed to one frame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toBase64Url } from '../../../core/bytes.ts';
import { BRIDGE_PORT, PAGE_PORT, sealedPortName } from '../../../extension/lib/messages.ts';
import { OTHER, SITE, tick } from './fakes.ts';
import { createHub, EXT, type FakePort } from './hub-harness.ts';
import { probe } from './loopback-sdk.ts';

async function setup(registered?: string[]) {
  const shown: string[][] = [];
  const { hub, account, approvals, window, popup, site, open } = await createHub({
    platform: {
      showNotification: async (id, title, message) => {
        shown.push([id, title, message]);
      },
      registered: registered && { load: async () => registered, save: () => undefined },
    },
  });
  const answerNext = async (decision: string) => {
    for (let i = 0; i < 50 && window.opened.length === 0; i++) await tick();
    const id = window.opened.shift()!;
    assert.equal((await popup.call('answerApproval', { id, decision }, 'admin')).kind, 'result');
  };
  return { hub, account, approvals, window, popup, site, open, answerNext, shown };
}

describe('hub', () => {
  it('refuses ports the browser does not vouch for', async () => {
    const { open } = await setup();
    assert.ok(open(BRIDGE_PORT, { id: 'other-extension', origin: SITE }).disconnected);
    assert.ok(open(BRIDGE_PORT, { id: EXT.id, origin: 'null', url: 'https://x/' }).disconnected);
    assert.ok(open(PAGE_PORT, { id: EXT.id, origin: SITE, url: `${SITE}/` }).disconnected);
  });

  it('an unapproved site gets typed errors and no data or events', async () => {
    const { popup, site, window } = await setup();
    await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' });
    const evil = site(OTHER, 9);
    for (const [method, params] of [
      ['listRooms', {}],
      ['history', { roomId: 'a'.repeat(32) }],
      ['send', { roomId: 'a'.repeat(32), text: 'x' }],
      ['signOut', {}],
      ['createRoom', { name: 'x' }],
      ['focusRoom', { roomId: 'a'.repeat(32) }],
    ] as const) {
      const reply = await evil.call(method, params);
      assert.equal(reply.kind, 'error', method);
      assert.deepEqual((reply as { error: { code: string; notApproved?: boolean } }).error.code, 'forbidden');
      assert.equal((reply as { error: { notApproved?: boolean } }).error.notApproved, true, method);
    }
    assert.equal(window.opened.length, 0, 'nothing but connect asks the user about a site');
    assert.deepEqual(evil.events(), []);
    const admin = await evil.call('sites', {}, 'admin');
    assert.equal(admin.kind, 'error');
    // Even a forged frame report (connected, focused) subscribes nothing.
    evil.emit({ type: 'frame', state: { visible: true, connected: true, focusedRoom: 'a'.repeat(32) } });
    await popup.call('createRoom', { name: 'Secret' });
    await tick();
    assert.deepEqual(evil.events(), []);
  });

  it('connect asks once; the approved site gets state, its rooms, and events for them only', async () => {
    const { popup, site, answerNext, approvals } = await setup();
    await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' });
    const other = (
      (await popup.call('createRoom', { name: 'Not for sites' })) as { result: { roomId: string } }
    ).result;
    const app = site(SITE, 1);
    const connecting = app.call('connect');
    await answerNext('allow');
    const connected = (await connecting) as { kind: string; result: { keys: string } };
    assert.equal(connected.result.keys, 'ready');
    const created = (await app.call('createRoom', { name: 'Ours' })) as { result: { roomId: string } };
    assert.equal(approvals.roomAccess(SITE, created.result.roomId), 'read');
    const rooms = (await app.call('listRooms')) as { result: { roomId: string }[] };
    assert.deepEqual(
      rooms.result.map((r) => r.roomId),
      [created.result.roomId],
    );
    await probe.deliver({ roomId: other.roomId, text: 'private' });
    await probe.deliver({ roomId: created.result.roomId, text: 'shared' });
    await tick();
    const texts = app.events('message').map((e) => (e as { detail: { text: string } }).detail.text);
    assert.deepEqual(texts, ['shared']);
    assert.ok(!JSON.stringify(app.received).includes('private'));
    assert.ok(!JSON.stringify(app.received).includes('Not for sites'));
  });

  it('routes a notification: toast in the visible app tab, OS notification when none is visible', async () => {
    const { popup, site, answerNext, shown } = await setup();
    await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' });
    const a = site(SITE, 1);
    const connecting = a.call('connect');
    await answerNext('allow');
    await connecting;
    const roomA = ((await a.call('createRoom', { name: 'A' })) as { result: { roomId: string } }).result
      .roomId;
    const roomB = ((await a.call('createRoom', { name: 'B' })) as { result: { roomId: string } }).result
      .roomId;
    await a.call('focusRoom', { roomId: roomA });
    await probe.deliver({ roomId: roomB, text: 'for B' });
    await tick();
    assert.equal(a.events('notification').length, 1);
    assert.equal(shown.length, 0);
    a.emit({ type: 'frame', state: { visible: false, connected: true, focusedRoom: roomA } });
    const { messageId } = await probe.deliver({ roomId: roomB, text: 'again' });
    await tick();
    assert.deepEqual(shown, [[`roomkey:${roomB}:${messageId}`, 'RoomKey', 'New message']]);
  });

  it('a tab that registers again gets what was handed on while it was away, once', async () => {
    const { popup, site, open, answerNext } = await setup();
    await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' });
    const app = site(SITE, 1);
    const connecting = app.call('connect');
    await answerNext('allow');
    await connecting;
    const roomId = ((await app.call('createRoom', { name: 'R' })) as { result: { roomId: string } }).result
      .roomId;
    await app.call('focusRoom', { roomId });
    await probe.deliver({ roomId, text: 'live' });
    await tick();
    // The worker restarts: the port is gone; the catch-up (and a live message) arrive before the
    // tab's content script has reconnected and reported its state again.
    app.disconnect();
    await probe.deliver({ roomId, text: 'caught up' });
    await probe.deliver({ roomId, text: 'live, tab away' });
    await tick();
    const again = open(BRIDGE_PORT, {
      id: EXT.id,
      origin: SITE,
      url: `${SITE}/app`,
      tab: { id: 1 },
      frameId: 0,
    });
    again.emit({ type: 'frame', state: { visible: true, connected: true, focusedRoom: roomId } });
    await tick();
    const texts = (port: FakePort) =>
      port.events('message').map((e) => (e as { detail: { text: string } }).detail.text);
    assert.deepEqual(texts(again), ['caught up', 'live, tab away'], 'not "live": the tab had it');
    assert.equal(again.events('keys').length, 1, 'the account state first');
    await probe.deliver({ roomId, text: 'after' });
    await tick();
    assert.deepEqual(texts(again), ['caught up', 'live, tab away', 'after']);
    // A report of the same state again, or a second report, sends nothing twice.
    again.emit({ type: 'frame', state: { visible: false, connected: true, focusedRoom: roomId } });
    await tick();
    assert.equal(texts(again).length, 3);
    // Another tab of the site coming back gets all of it; a site that is not approved, nothing.
    const second = open(BRIDGE_PORT, {
      id: EXT.id,
      origin: SITE,
      url: `${SITE}/app`,
      tab: { id: 2 },
      frameId: 0,
    });
    second.emit({ type: 'frame', state: { visible: true, connected: true, focusedRoom: roomId } });
    const evil = site(OTHER, 3);
    evil.emit({ type: 'frame', state: { visible: true, connected: true, focusedRoom: roomId } });
    await tick();
    assert.deepEqual(texts(second), ['live', 'caught up', 'live, tab away', 'after']);
    assert.deepEqual(evil.events(), []);
  });

  it('after a restart, notifications wait until the tabs of before are back', async () => {
    const { popup, site, answerNext, shown } = await setup(['t1:0', 't2:0']);
    await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' });
    const two = site(SITE, 2);
    const connecting = two.call('connect');
    await answerNext('allow');
    await connecting;
    const roomId = ((await two.call('createRoom', { name: 'R' })) as { result: { roomId: string } }).result
      .roomId;
    await two.call('focusRoom', { roomId });
    two.emit({ type: 'frame', state: { visible: false, connected: true, focusedRoom: roomId } });
    await probe.deliver({ roomId, text: 'caught up' });
    await tick();
    assert.deepEqual(shown, [], 'held: tab 1 was registered before the restart and is not back');
    const one = site(SITE, 1);
    await one.call('connect'); // the site is approved: no question
    await tick();
    assert.deepEqual(shown, [], 'tab 1 (visible) is back: a toast there, no OS notification');
    assert.equal(one.events('notification').length, 1);
  });

  it('a sealed frame acts for its embedder and asks for its room; the host page learns nothing', async () => {
    const { popup, site, open, answerNext } = await setup();
    await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' });
    const roomId = (
      (await popup.call('createRoom', { name: 'Sealed one' })) as { result: { roomId: string } }
    ).result.roomId;
    const host = site(SITE, 4);
    const connecting = host.call('connect');
    await answerNext('allow');
    await connecting;
    const sealed = open(sealedPortName({ ancestors: [SITE], parentIsTop: true }), {
      id: EXT.id,
      url: `${EXT.origin}/sealed-room.html?room=${roomId}`,
      tab: { id: 4, url: `${SITE}/app` },
      frameId: 2,
    });
    await sealed.call('connect');
    const asking = sealed.call('requestRoom', { roomId, access: 'read' });
    await answerNext('allow');
    assert.deepEqual((await asking) as unknown, { kind: 'result', id: 'q2', result: { access: 'sealed' } });
    const history = await sealed.call('history', { roomId });
    assert.equal(history.kind, 'result');
    const fromHost = host.call('history', { roomId });
    await answerNext('deny'); // the host page must ask for read access itself
    assert.equal((await fromHost).kind, 'error');
    const listed = (await host.call('listRooms')) as { result: { name: string; members: unknown[] }[] };
    assert.deepEqual(
      listed.result.map((r) => [r.name, r.members.length]),
      [['', 0]],
    );
    await probe.deliver({ roomId, text: 'sealed text' });
    await tick();
    assert.ok(JSON.stringify(sealed.received).includes('sealed text'));
    assert.ok(!JSON.stringify(host.received).includes('sealed text'));
    const url = (await host.call('sealedRoomUrl', { roomId })) as { result: { url: string } };
    assert.equal(url.result.url, `${EXT.origin}/sealed-room.html?room=${roomId}`);
  });

  it('revoking a site from the popup stops its events and its requests', async () => {
    const { popup, site, answerNext } = await setup();
    await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' });
    const app = site(SITE, 1);
    const connecting = app.call('connect');
    await answerNext('allow');
    await connecting;
    const roomId = ((await app.call('createRoom', { name: 'R' })) as { result: { roomId: string } }).result
      .roomId;
    await popup.call('revokeSite', { origin: SITE }, 'admin');
    const before = app.received.length;
    await probe.deliver({ roomId, text: 'after revoke' });
    await tick();
    assert.equal(app.received.length, before);
    assert.equal((await app.call('history', { roomId })).kind, 'error');
  });

  it('lists and revokes devices only for the popup and approval window', async () => {
    const { popup, site, open } = await setup();
    const signedOut = (await popup.call('devices', {}, 'admin')) as { result: unknown[] };
    assert.deepEqual(signedOut.result, []);
    await popup.call('signUp', { gateway: 'http://127.0.0.1/', username: 'alice', password: 'pw' });
    const phone = toBase64Url(await probe.addDevice('Phone'));
    const app = site(SITE, 1);
    const ownTab = open(PAGE_PORT, {
      id: EXT.id,
      url: `${EXT.origin}/room.html?room=${'a'.repeat(32)}`,
      tab: { id: 2 },
      frameId: 0,
    });
    const sealed = open(sealedPortName({ ancestors: [SITE], parentIsTop: true }), {
      id: EXT.id,
      url: `${EXT.origin}/sealed-room.html?room=${'a'.repeat(32)}`,
      tab: { id: 1, url: `${SITE}/app` },
      frameId: 2,
    });
    for (const port of [app, ownTab, sealed]) {
      for (const [command, args] of [
        ['devices', {}],
        ['revokeDevice', { deviceKey: phone }],
      ] as const) {
        const reply = await port.call(command, args, 'admin');
        assert.equal(reply.kind, 'error', command);
        assert.equal((reply as { error: { code: string } }).error.code, 'forbidden', command);
      }
    }
    const list = async (port = popup) =>
      ((await port.call('devices', {}, 'admin')) as { result: { name: string; revokedAtMs: number }[] })
        .result;
    assert.deepEqual(
      (await list()).map((d) => [d.name, d.revokedAtMs > 0]),
      [
        ['This browser', false],
        ['Phone', false],
      ],
    );
    const current = (await list())[0] as unknown as { deviceKey: string };
    const refused = await popup.call('revokeDevice', { deviceKey: current.deviceKey }, 'admin');
    assert.equal((refused as { error: { code: string } }).error.code, 'conflict');
    const bad = await popup.call('revokeDevice', { deviceKey: 'x' }, 'admin');
    assert.equal((bad as { error: { code: string } }).error.code, 'malformed');
    const approve = open(PAGE_PORT, { id: EXT.id, url: `${EXT.origin}/approve.html` });
    assert.equal((await approve.call('revokeDevice', { deviceKey: phone }, 'admin')).kind, 'result');
    assert.deepEqual(
      (await list()).map((d) => [d.name, d.revokedAtMs > 0]),
      [
        ['This browser', false],
        ['Phone', true],
      ],
    );
  });
});
