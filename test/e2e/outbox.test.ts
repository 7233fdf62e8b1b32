// The offline outbox end to end (issue 17 item 4), in the demo page with the in-page client against
// the real local stack: Alice's page loses its NATS WebSocket (the test cuts it in the page), she
// writes a message, which shows "Not sent yet"; she reloads the page, the connection comes back,
// she unlocks, and the message — kept encrypted in her store — goes out: Bob sees it exactly
// once, and so does Alice, as stored. Bound: ~60 s here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import {
  openRoom,
  roomWith,
  SLOW,
  send,
  shown,
  signUpPair,
  texts,
  waitForText,
} from './helpers/components.ts';
import { type RunningDevStack, startDevStack } from './helpers/dev-stack.ts';

const STEP = { timeout: 60_000 };
const PASSWORD = { alice: 'alice password 1', bob: 'bob password 1' };
const OFFLINE_TEXT = 'written in a tunnel, sent later';

/**
 * Alice's page gets a WebSocket that the test can cut: `__rkCut()` closes every open socket and
 * sends new ones to a closed port, so the client's reconnects fail as they would offline (HTTP
 * stays up: the page itself still loads). A reload brings the plain WebSocket back: online.
 */
function switchableWebSocket(): void {
  const Native = WebSocket;
  const open = new Set<WebSocket>();
  const page = window as unknown as { __rkOffline: boolean; __rkCut(): void };
  page.__rkOffline = false;
  page.__rkCut = () => {
    page.__rkOffline = true;
    for (const socket of open) socket.close();
    open.clear();
  };
  class Switchable extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(page.__rkOffline ? 'ws://127.0.0.1:9/' : url, protocols);
      open.add(this);
      this.addEventListener('close', () => open.delete(this));
    }
  }
  window.WebSocket = Switchable;
}

/** The text of every element's shadow root on the page (the status line is in one of them). */
function everything(page: Page): Promise<string> {
  return page.evaluate(() =>
    [...document.querySelectorAll('*')].map((e) => e.shadowRoot?.textContent ?? '').join(' '),
  );
}

const count = async (page: Page, text: string) => (await texts(page)).filter((t) => t.trim() === text).length;

describe('offline outbox: written offline, kept across a reload, sent once online', {
  timeout: 240_000,
}, () => {
  let stack: RunningDevStack;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let pageA: Page;
  let pageB: Page;
  let roomId = '';

  before(async () => {
    ensureBuilt();
    stack = await startDevStack();
    [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
    await alice.context.addInitScript(switchableWebSocket);
    [pageA, pageB] = await Promise.all([alice.page(), bob.page()]);
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await stack?.dispose();
  });

  it('Alice and Bob share a room', { timeout: 120_000 }, async () => {
    await signUpPair([pageA, pageB], stack.urls.web, PASSWORD);
    roomId = await roomWith(pageA, 'Outbox', 'bob');
    await openRoom(pageB, roomId);
    await send(pageA, 'online first');
    await waitForText(pageB, 'online first');
  });

  it('offline, a message shows "Not sent yet" and does not reach Bob', STEP, async () => {
    await pageA.evaluate(() => (window as unknown as { __rkCut(): void }).__rkCut());
    await waitFor(
      'alice sees she is offline',
      async () => /offline|reconnecting/i.test(await everything(pageA)),
      20_000,
    );
    await pageA.locator('roomkey-room textarea[part=composer-input]').fill(OFFLINE_TEXT);
    await pageA.locator('roomkey-room button[part=send]').click();
    const kept = pageA.locator('roomkey-room li[data-status=unsent]');
    await kept.waitFor({ timeout: 20_000 }).catch(async (error: Error) => {
      throw new Error(
        `${error.message}; the room shows: ${(await shown(pageA, 'roomkey-room')).replace(/\s+/g, ' ')}`,
      );
    });
    assert.match((await kept.textContent()) ?? '', /Not sent yet/);
    assert.match((await kept.textContent()) ?? '', new RegExp(OFFLINE_TEXT));
    assert.equal(await kept.locator('button[part=retry-send]').count(), 1);
    assert.equal(await kept.locator('button[part=discard-send]').count(), 1);
    assert.equal(await pageA.locator('roomkey-room textarea[part=composer-input]').inputValue(), '');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await count(pageB, OFFLINE_TEXT), 0, 'not at Bob while Alice is offline');
  });

  it(
    'Alice reloads, comes back online and unlocks: the message goes out, and Bob sees it once',
    STEP,
    async () => {
      await pageA.reload();
      const unlock = pageA.locator('roomkey-sign-in #password');
      await unlock.waitFor();
      await unlock.fill(PASSWORD.alice);
      await pageA.locator('roomkey-sign-in button[part=submit]').click();
      await waitForText(pageB, OFFLINE_TEXT, SLOW);
      await waitFor(
        'stored at Alice',
        async () =>
          (await pageA.locator('roomkey-room li[data-status=sent]').allTextContents()).some((t) =>
            t.includes(OFFLINE_TEXT),
          ),
        SLOW,
      );
      await new Promise((resolve) => setTimeout(resolve, 3000)); // a second copy would be here by now
      assert.equal(await count(pageB, OFFLINE_TEXT), 1, 'Bob sees it once');
      assert.equal(await count(pageA, OFFLINE_TEXT), 1, 'Alice sees it once');
      assert.equal(await pageA.locator('roomkey-room li[data-status=unsent]').count(), 0, 'nothing waits');
      // Bob reads the room again from JetStream: still once.
      await pageB.reload();
      await pageB.locator('roomkey-sign-in #password').fill(PASSWORD.bob);
      await pageB.locator('roomkey-sign-in button[part=submit]').click();
      await waitForText(pageB, OFFLINE_TEXT, SLOW);
      assert.equal(await count(pageB, OFFLINE_TEXT), 1, 'stored once');
    },
  );
});
