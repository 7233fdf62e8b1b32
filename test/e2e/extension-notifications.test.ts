// Notification routing end to end against the real local stack (Bob, a Node RoomKeySession, sends
// the messages; the background hears them from NATS): three tabs — room A on screen, room B in a tab
// that is not visible, an unrelated site. A message for A lands in tab A only; a message for B is a
// toast in the visible app tab; with no visible app tab it is an OS notification ("New message"
// unless previews are on) whose click focuses the tab showing B, or opens B where it was shown.
// Headless Chromium reports every tab visible, so tab B's visibility report is set through the
// background's e2e probe (the content script's own reporting is covered by the restart test).
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
  installClient,
  launchWithExtension,
  type NodeUser,
  type Origins,
  openApproved,
  startExtensionStack,
  value,
} from './helpers/extension.ts';

const STEP = { timeout: 60_000 };

interface Shown {
  id: string;
  title: string;
  message: string;
}
interface Probe {
  roomkeyE2E: {
    hub: { frames(): { url?: string; visible: boolean }[]; notificationClicked(id: string): Promise<void> };
    shown: Shown[];
  };
}

/** The two extension APIs the test reads in the worker. */
interface ChromeApi {
  chrome: {
    notifications: { getAll(): Promise<Record<string, boolean>> };
    tabs: { query(q: object): Promise<{ url?: string }[]> };
  };
}

describe('extension notification routing', { timeout: 240_000 }, () => {
  let stack: ExtensionStack;
  let bob: NodeUser;
  let origins: Origins;
  let alice: ExtensionUser;
  let tabA: Page;
  let tabB: Page;
  let roomA: string;
  let roomB: string;

  const deliver = (roomId: string, text: string) => bob.session.send(roomId, text);
  const shown = () => inBackground(alice, () => (globalThis as unknown as Probe).roomkeyE2E.shown, null);
  const activeTabUrl = () =>
    inBackground(
      alice,
      async () =>
        (
          await (globalThis as unknown as ChromeApi).chrome.tabs.query({
            active: true,
            lastFocusedWindow: true,
          })
        )[0]?.url,
      null,
    );

  before(async () => {
    stack = await startExtensionStack();
    origins = stack.origins;
    [alice, bob] = await Promise.all([launchWithExtension('alice-routing'), stack.nodeUser('bob')]);
    tabA = await openApproved(alice, `${origins.a}/?title=a`);
    await enterInPopup(alice, 'signUp', `${origins.a}/`, 'alice', 'correct horse battery staple');
    roomA = value<{ roomId: string }>(await call(tabA, 'createRoom', 'Room A')).roomId;
    roomB = value<{ roomId: string }>(await call(tabA, 'createRoom', 'Room B')).roomId;
    for (const room of [roomA, roomB]) {
      value(await callConfirmed(alice, tabA, 'invite', room, 'bob'));
      await bob.joined(room);
    }
    value(await call(tabA, 'focusRoom', roomA));

    tabB = await alice.open(`${origins.a}/?title=b`);
    await installClient(tabB);
    value(await call(tabB, 'connect'));
    value(await call(tabB, 'focusRoom', roomB));
    await inBackground(
      alice,
      () => {
        for (const f of (globalThis as unknown as Probe).roomkeyE2E.hub.frames()) {
          if (f.url?.includes('title=b')) f.visible = false;
        }
      },
      null,
    );
    await alice.open(`${origins.b}/?title=unrelated`);
  });

  after(async () => {
    await alice?.close();
    await stack?.close();
  });

  it('a message for the room on screen lands in that tab, with no notification anywhere', STEP, async () => {
    await deliver(roomA, 'for A');
    await waitFor('the message in tab A', async () =>
      (await clientEvents(tabA, 'message')).some((e) => (e.detail as { text: string }).text === 'for A'),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await clientEvents(tabA, 'notification'), []);
    assert.deepEqual(await clientEvents(tabB, 'notification'), []);
    assert.deepEqual(await shown(), []);
  });

  it('a message for the hidden room is a toast in the visible app tab, without a preview', STEP, async () => {
    const { messageId } = await deliver(roomB, 'for B');
    const toasts = await waitFor('the toast in tab A', async () => {
      const list = await clientEvents(tabA, 'notification');
      return list.length > 0 ? list : undefined;
    });
    assert.deepEqual(toasts[0]?.detail, {
      roomId: roomB,
      roomName: 'Room B',
      messageId,
      senderUsername: 'bob',
    });
    assert.deepEqual(await clientEvents(tabB, 'notification'), []);
    assert.deepEqual(await shown(), []);
  });

  it(
    'with no visible app tab: an OS notification saying only "New message"; its click focuses tab B',
    STEP,
    async () => {
      await tabA.close();
      const { messageId } = await deliver(roomB, 'secret text');
      const [note] = await waitFor('the OS notification', async () => {
        const list = await shown();
        return list.length > 0 ? list : undefined;
      });
      assert.deepEqual(note, {
        id: `roomkey:${roomB}:${messageId}`,
        title: 'RoomKey',
        message: 'New message',
      });
      await waitFor('the browser to hold the notification', async () => {
        const open = await inBackground(
          alice,
          () => (globalThis as unknown as ChromeApi).chrome.notifications.getAll(),
          null,
        );
        return Object.keys(open).includes(note!.id);
      });
      await alice.open(`${origins.b}/?title=elsewhere`); // something else in front
      await inBackground(
        alice,
        (id) => (globalThis as unknown as Probe).roomkeyE2E.hub.notificationClicked(id),
        note!.id,
      );
      await waitFor('tab B in front', async () => (await activeTabUrl())?.includes('title=b'));
    },
  );

  it('with the room shown nowhere, a click opens the page where it was last shown', STEP, async () => {
    await tabB.close();
    const { messageId } = await deliver(roomB, 'again');
    const id = `roomkey:${roomB}:${messageId}`;
    await waitFor('the OS notification', async () => (await shown()).some((n) => n.id === id));
    const opened = alice.context.waitForEvent('page', { timeout: 10_000 });
    await inBackground(
      alice,
      (nid) => (globalThis as unknown as Probe).roomkeyE2E.hub.notificationClicked(nid),
      id,
    );
    const page = await opened;
    await page.waitForURL(/title=b/);
  });

  it('with previews allowed (popup), the OS notification shows sender, room and text', STEP, async () => {
    const popup = await alice.extensionPage('popup.html');
    await popup.locator('#previews').check();
    await waitFor('the setting', async () => popup.locator('#previews').isChecked());
    for (const page of alice.context.pages()) if (page.url().includes('title=b')) await page.close();
    const { messageId } = await deliver(roomB, 'launch moved to Friday');
    const note = await waitFor('the OS notification', async () =>
      (await shown()).find((n) => n.id === `roomkey:${roomB}:${messageId}`),
    );
    assert.deepEqual(note, {
      id: `roomkey:${roomB}:${messageId}`,
      title: 'bob in Room B',
      message: 'launch moved to Friday',
    });
    await popup.close();
  });
});
