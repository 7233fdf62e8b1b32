// The MV3 background worker stopped (DevTools: ServiceWorker.stopAllWorkers) and started again,
// against the real local stack: state restored from storage (still unlocked through
// storage.session, approvals and the SDK's store in storage.local), the NATS connection
// re-established, and the messages Bob (a Node RoomKeySession) sent meanwhile arrive once each —
// in the app tab showing the room, or as one OS notification each when no app tab is open.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { waitFor } from './helpers/browser.ts';
import {
  call,
  callConfirmed,
  clientEvents,
  type ExtensionStack,
  type ExtensionUser,
  enterInPopup,
  inBackground,
  launchWithExtension,
  type NodeUser,
  type Origins,
  openApproved,
  startExtensionStack,
  unlockInPopup,
  value,
} from './helpers/extension.ts';

const STEP = { timeout: 60_000 };

interface Probe {
  roomkeyE2E: {
    startedAt: number;
    hub: { frames(): { caller: { origin?: string }; connected: boolean; focusedRoom: string | null }[] };
    account: { state: { keys: string; connection: string } };
    shown: { id: string; title: string; message: string }[];
  };
}

const count = <T>(list: T[], item: T): number => list.filter((x) => x === item).length;

describe('extension worker restart', { timeout: 240_000 }, () => {
  let stack: ExtensionStack;
  let origins: Origins;
  let bob: NodeUser;
  let alice: ExtensionUser;
  let app: Page;
  let roomId: string;

  const texts = async (): Promise<string[]> =>
    (await clientEvents(app, 'message')).map((e) => (e.detail as { text: string }).text);
  const startedAt = () =>
    inBackground(alice, () => (globalThis as unknown as Probe).roomkeyE2E.startedAt, null);

  before(async () => {
    stack = await startExtensionStack();
    origins = stack.origins;
    [alice, bob] = await Promise.all([launchWithExtension('alice-restart'), stack.nodeUser('bob')]);
    app = await openApproved(alice, `${origins.a}/`);
    await enterInPopup(alice, 'signUp', `${origins.a}/`, 'alice', 'correct horse battery staple');
    roomId = value<{ roomId: string }>(await call(app, 'createRoom', 'Durable')).roomId;
    value(await callConfirmed(alice, app, 'invite', roomId, 'bob'));
    await bob.joined(roomId);
    value(await call(app, 'send', roomId, 'before the restart'));
    await call(app, 'focusRoom', roomId);
  });

  after(async () => {
    await alice?.close();
    await stack?.close();
  });

  it(
    'a request after the worker stopped starts it again, unlocked, with approvals and history',
    STEP,
    async () => {
      const firstStart = await startedAt();
      await alice.stopWorker();
      const history = value<{ text: string }[]>(await call(app, 'history', roomId));
      assert.deepEqual(
        history.map((m) => m.text),
        ['before the restart'],
      );
      assert.ok((await startedAt()) > firstStart, 'a new worker instance answered');
      assert.equal(
        await inBackground(alice, () => (globalThis as unknown as Probe).roomkeyE2E.account.state.keys, null),
        'ready',
        'no password asked',
      );
      assert.equal(
        await app.evaluate(() => (window as unknown as { client: { keys: string } }).client.keys),
        'ready',
      );
      assert.equal(
        alice.context.pages().filter((p) => p.url().includes('/approve.html')).length,
        0,
        'the approval was not asked again',
      );
    },
  );

  it('messages Bob sends while the worker is stopped reach the app tab once each', STEP, async () => {
    const firstStart = await startedAt();
    await alice.stopWorker();
    const sent = ['while stopped 1', 'while stopped 2', 'while stopped 3'];
    for (const text of sent) await bob.session.send(roomId, text);
    // The page's content script reconnects by itself (the page is connected), which starts the worker.
    const frames = await waitFor('the page to register again', async () => {
      const list = await inBackground(
        alice,
        () => (globalThis as unknown as Probe).roomkeyE2E.hub.frames(),
        null,
      ).catch(() => []);
      return list.find((f) => f.caller.origin === origins.a && f.connected) ? list : undefined;
    });
    assert.equal(frames.find((f) => f.caller.origin === origins.a)?.focusedRoom, roomId);
    assert.ok((await startedAt()) > firstStart, 'a new worker instance');
    const seen = (await clientEvents(app, 'connection')).map((e) => e.detail);
    assert.ok(seen.includes('reconnecting'), `the page heard of the restart: ${seen.join(', ')}`);
    await waitFor(
      'the three messages in the page',
      async () => {
        const all = await texts();
        return sent.every((t) => all.includes(t));
      },
      20_000,
    );
    await bob.session.send(roomId, 'after the restart');
    await waitFor('the live message', async () => (await texts()).includes('after the restart'), 20_000);
    const all = await texts();
    for (const text of [...sent, 'after the restart']) assert.equal(count(all, text), 1, `"${text}" once`);
    const history = value<{ text: string }[]>(await call(app, 'history', roomId));
    assert.deepEqual(
      history.map((m) => m.text),
      ['before the restart', ...sent, 'after the restart'],
    );
  });

  it('locking survives a restart too: a stopped worker starts locked after lock', STEP, async () => {
    value(await call(app, 'lock'));
    await alice.stopWorker();
    const result = await call(app, 'listRooms');
    assert.equal(result.ok, false);
    assert.equal((result as { code: string }).code, 'locked');
    // Only the extension's own UI unlocks (a page may lock, never unlock).
    await unlockInPopup(alice, 'correct horse battery staple');
    assert.equal(value<unknown[]>(await call(app, 'listRooms')).length, 1);
  });

  it(
    'with no app tab, what Bob sent while the worker was stopped is one OS notification each',
    STEP,
    async () => {
      await app.close();
      await waitFor(
        'the connection online',
        async () =>
          (await inBackground(
            alice,
            () => (globalThis as unknown as Probe).roomkeyE2E.account.state.connection,
            null,
          )) === 'online',
      );
      await alice.stopWorker();
      const ids: string[] = [];
      for (const text of ['offline 1', 'offline 2'])
        ids.push((await bob.session.send(roomId, text)).messageId);
      await alice.startWorker();
      const wanted = ids.map((id) => `roomkey:${roomId}:${id}`);
      await waitFor(
        'the OS notifications',
        async () => {
          const shown = await inBackground(
            alice,
            () => (globalThis as unknown as Probe).roomkeyE2E.shown,
            null,
          );
          return wanted.every((id) => shown.some((n) => n.id === id));
        },
        20_000,
      );
      await new Promise((r) => setTimeout(r, 1000)); // any duplicate would have come by now
      const shown = await inBackground(alice, () => (globalThis as unknown as Probe).roomkeyE2E.shown, null);
      for (const id of wanted)
        assert.equal(
          count(
            shown.map((n) => n.id),
            id,
          ),
          1,
          `${id} once`,
        );
      assert.equal(shown.length, 2, `nothing earlier shown again: ${JSON.stringify(shown)}`);
    },
  );
});
