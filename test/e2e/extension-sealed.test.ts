// Sealed mode, against the real local stack (Bob, a Node RoomKeySession, writes the secret): a site gets the URL of the extension's room page through the bridge and frames it;
// the room renders inside the extension-origin iframe (approved for that site), while the host
// page can neither read the frame nor receive the plaintext. A site that was not approved and
// frames the page itself sees only a refusal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { waitFor } from './helpers/browser.ts';
import {
  call,
  type ExtensionStack,
  type ExtensionUser,
  inBackground,
  launchWithExtension,
  type NodeUser,
  type Origins,
  openApproved,
  startExtensionStack,
  value,
} from './helpers/extension.ts';

const STEP = { timeout: 60_000 };
const SECRET = 'the sealed plaintext';

interface Probe {
  roomkeyE2E: {
    account: {
      session(): {
        createRoom(name: string): Promise<{ roomId: string }>;
        invite(roomId: string, username: string, options: { shareHistory: boolean }): Promise<unknown>;
      };
    };
  };
}

async function frameIn(page: Page, prefix: string): Promise<Frame> {
  return waitFor('the sealed frame', async () => page.frames().find((f) => f.url().startsWith(prefix)));
}

describe('extension sealed mode', { timeout: 240_000 }, () => {
  let stack: ExtensionStack;
  let bob: NodeUser;
  let origins: Origins;
  let alice: ExtensionUser;
  let roomId: string;
  /** The sealed page's URL as the background hands it out (Chromium: its per-session dynamic URL). */
  const sealedPageUrl = () =>
    inBackground(
      alice,
      () =>
        (
          globalThis as unknown as { chrome: { runtime: { getURL(path: string): string } } }
        ).chrome.runtime.getURL('/sealed-room.html'),
      null,
    );

  before(async () => {
    stack = await startExtensionStack();
    origins = stack.origins;
    [alice, bob] = await Promise.all([launchWithExtension('alice-sealed'), stack.nodeUser('bob')]);
    // The room exists in the extension; no site has it yet.
    const popup = await alice.extensionPage('popup.html');
    await popup.fill('input[name=gateway]', `${origins.a}/`);
    await popup.fill('input[name=username]', 'alice');
    await popup.fill('input[name=password]', 'correct horse battery staple');
    await popup.click('button[value=signUp]');
    await popup.locator('#username').waitFor();
    await popup.close();
  });

  after(async () => {
    await alice?.close();
    await stack?.close();
  });

  it(
    'the site asks for the room sealed, frames the URL, and the room renders in the frame',
    STEP,
    async () => {
      // The room is the user's (created in the extension, not on any site).
      roomId = await inBackground(
        alice,
        async () =>
          (await (globalThis as unknown as Probe).roomkeyE2E.account.session().createRoom('Board')).roomId,
        null,
      );
      await inBackground(
        alice,
        (id) =>
          (globalThis as unknown as Probe).roomkeyE2E.account
            .session()
            .invite(id, 'bob', { shareHistory: false }),
        roomId,
      );
      await bob.joined(roomId);
      await bob.session.send(roomId, SECRET);

      const host = await openApproved(alice, `${origins.a}/?title=host`);
      const asking = call(host, 'sealedRoomUrl', roomId);
      assert.match(await alice.answer('allow'), /wants to show .* in a sealed frame/);
      const url = value<string>(await asking);
      // Chromium: the per-session dynamic URL (use_dynamic_url), not the extension's fixed id.
      assert.equal(url, `${await sealedPageUrl()}?room=${roomId}`);
      assert.match(url, /^chrome-extension:\/\/[0-9a-f-]{36}\/sealed-room\.html\?room=/);
      assert.ok(!url.includes(alice.extensionId));

      await host.evaluate((src) => {
        const iframe = document.createElement('iframe');
        iframe.id = 'sealed';
        iframe.src = src;
        iframe.style.cssText = 'width: 600px; height: 500px';
        document.body.append(iframe);
      }, url);
      const sealed = await frameIn(host, `chrome-extension://${alice.extensionId}/`);
      await waitFor(
        'the message in the sealed room',
        async () =>
          ((await sealed.locator('roomkey-room').textContent({ timeout: 1000 })) ?? '').includes(SECRET) ||
          (await sealed.evaluate(
            (secret) =>
              document.querySelector('roomkey-room')?.shadowRoot?.textContent?.includes(secret) ?? false,
            SECRET,
          )),
      );

      // The host page cannot look inside, and nothing it received carries the plaintext.
      assert.equal(
        await host.evaluate(() => (document.querySelector('#sealed') as HTMLIFrameElement).contentDocument),
        null,
      );
      const pageSaw = JSON.stringify(
        await host.evaluate(() => (window as unknown as { seen: unknown[] }).seen),
      );
      assert.doesNotMatch(pageSaw, new RegExp(SECRET));
      const hostRooms = value<{ name: string }[]>(await call(host, 'listRooms'));
      assert.deepEqual(
        hostRooms.map((r) => r.name),
        [''],
        'the host page with sealed access does not learn the room name',
      );
      await host.close();
    },
  );

  it('a site that frames the sealed page without approval sees a refusal, no room', STEP, async () => {
    const evil = await alice.open(`${origins.b}/?title=framer`);
    // It must know the per-session URL: by the extension's fixed id the page does not load at all
    // (extension-hostile-grants.test.ts).
    await evil.evaluate(
      (src) => {
        const iframe = document.createElement('iframe');
        iframe.src = src;
        document.body.append(iframe);
      },
      `${await sealedPageUrl()}?room=${roomId}`,
    );
    assert.match(await alice.answer('deny'), new RegExp(`${origins.b} wants to show`));
    const sealed = await frameIn(evil, `chrome-extension://${alice.extensionId}/`);
    await waitFor('the refusal', async () =>
      /not approved/.test((await sealed.locator('main').textContent({ timeout: 1000 })) ?? ''),
    );
    assert.equal(await sealed.locator('roomkey-room').count(), 0);
    await evil.close();
  });
});
