// Stopping the MV3 background worker (DevTools: ServiceWorker.stopAllWorkers) and sending a
// request starts it again with its state restored from storage: still unlocked (storage.session),
// approvals and history (storage.local), the page registered again and receiving events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { waitFor } from './helpers/browser.ts';
import {
  type CallResult,
  call,
  clientEvents,
  type ExtensionUser,
  inBackground,
  installClient,
  launchWithExtension,
  type Origins,
  serveOrigins,
} from './helpers/extension.ts';

const STEP = { timeout: 60_000 };

interface Probe {
  roomkeyE2E: {
    startedAt: number;
    probe: { deliver(input: { roomId: string; text: string }): Promise<unknown> };
    hub: { frames(): { caller: { origin?: string }; connected: boolean; focusedRoom: string | null }[] };
    account: { state: { keys: string } };
  };
}

function value<T>(result: CallResult): T {
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  return result.value as T;
}

describe('extension worker restart', { timeout: 180_000 }, () => {
  let origins: Origins;
  let alice: ExtensionUser;
  let app: Page;
  let roomId: string;

  before(async () => {
    origins = await serveOrigins();
    alice = await launchWithExtension('alice-restart');
    app = await alice.open(`${origins.a}/`);
    await installClient(app);
    const connecting = call(app, 'connect');
    await alice.answer('allow');
    value(await connecting);
    value(await call(app, 'signUp', 'alice', 'correct horse battery staple'));
    roomId = value<{ roomId: string }>(await call(app, 'createRoom', 'Durable')).roomId;
    value(await call(app, 'send', roomId, 'before the restart'));
    await call(app, 'focusRoom', roomId);
  });

  after(async () => {
    await alice?.close();
    await origins?.close();
  });

  it(
    'a request after the worker stopped starts it again, unlocked, with approvals and history',
    STEP,
    async () => {
      const firstStart = await inBackground(
        alice,
        () => (globalThis as unknown as Probe).roomkeyE2E.startedAt,
        null,
      );
      await alice.stopWorker();
      const history = value<{ text: string }[]>(await call(app, 'history', roomId));
      assert.deepEqual(
        history.map((m) => m.text),
        ['before the restart'],
      );
      const secondStart = await inBackground(
        alice,
        () => (globalThis as unknown as Probe).roomkeyE2E.startedAt,
        null,
      );
      assert.ok(secondStart > firstStart, 'a new worker instance answered');
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

  it(
    'the page is registered again at once (connected, same room) and receives live events',
    STEP,
    async () => {
      await alice.stopWorker();
      // No request from the page: its content script reconnects by itself because the page is connected.
      const frames = await waitFor('the page to register again', async () => {
        const list = await inBackground(
          alice,
          () => (globalThis as unknown as Probe).roomkeyE2E.hub.frames(),
          null,
        ).catch(() => []);
        return list.find((f) => f.caller.origin === origins.a && f.connected) ? list : undefined;
      });
      assert.equal(frames.find((f) => f.caller.origin === origins.a)?.focusedRoom, roomId);
      const seen = (await clientEvents(app, 'connection')).map((e) => e.detail);
      assert.ok(seen.includes('reconnecting'), `the page heard of the restart: ${seen.join(', ')}`);
      await inBackground(
        alice,
        (id) =>
          (globalThis as unknown as Probe).roomkeyE2E.probe.deliver({
            roomId: id,
            text: 'after the restart',
          }),
        roomId,
      );
      await waitFor('the live message', async () =>
        (await clientEvents(app, 'message')).some(
          (e) => (e.detail as { text: string }).text === 'after the restart',
        ),
      );
      const history = value<{ text: string }[]>(await call(app, 'history', roomId));
      assert.deepEqual(
        history.map((m) => m.text),
        ['before the restart', 'after the restart'],
      );
    },
  );

  it('locking survives a restart too: a stopped worker starts locked after lock', STEP, async () => {
    value(await call(app, 'lock'));
    await alice.stopWorker();
    const result = await call(app, 'listRooms');
    assert.equal(result.ok, false);
    assert.equal((result as { code: string }).code, 'locked');
    value(await call(app, 'unlock', 'correct horse battery staple'));
    assert.equal(value<unknown[]>(await call(app, 'listRooms')).length, 1);
  });
});
