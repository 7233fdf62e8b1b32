// The demo PWA with the in-page client, against the real local stack: two isolated browser
// profiles, Alice and Bob, use only the components' UI (sign up, create a room, invite, send,
// remove). Bob reloads and his history decrypts from JetStream; the raw room stream, read with the
// gateway's app credential, holds none of the texts; after Alice removes Bob he sees that he was
// removed and cannot read what follows. Roles: Bob, a member, is offered no Remove and no Invite. Bob hides the room before his reload: it is still hidden
// after it (his encrypted store), and Show brings it back. Then the service worker: with the "keep this device
// unlocked" opt-in, a push sentinel becomes a notification about the room, and a click opens it.
// Steps build on each other, in order.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import type { Page, Worker } from 'playwright-core';
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
import {
  countShownNotifications,
  deliverPush,
  shownNotifications,
  waitForShownNotifications,
} from './helpers/push.ts';
import { snap } from './helpers/screenshots.ts';

const SENTINEL = new Uint8Array([0x08, 0x01]); // roomkey.v1.PushSentinel { version: 1 }
const STEP = { timeout: 90_000 };
const PASSWORD = { alice: 'alice password 1', bob: 'bob password 1' };
const TEXTS = ['hello bob, tea at five?', 'hi alice, yes please', 'bob after reload'];

describe('demo PWA: Alice and Bob with the in-page client', { timeout: 420_000 }, () => {
  let stack: RunningDevStack;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let pageA: Page;
  let pageB: Page;
  let roomId = '';
  /** Uncaught page errors and broken WebSocket closes, from either page. */
  const consoleProblems: string[] = [];

  before(async () => {
    ensureBuilt();
    stack = await startDevStack({ logLevel: 'debug' }); // every request logged: the scan below reads them
    [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
    await bob.context.grantPermissions(['notifications'], { origin: stack.origin });
    [pageA, pageB] = await Promise.all([alice.page(), bob.page()]);
    for (const [name, page] of [
      ['alice', pageA],
      ['bob', pageB],
    ] as const) {
      page.on('pageerror', (error) => consoleProblems.push(`${name}: uncaught ${error.message}`));
      page.on('console', (message) => {
        if (/broken close frame/i.test(message.text())) consoleProblems.push(`${name}: ${message.text()}`);
      });
    }
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await stack?.dispose();
  });

  it('both sign up through <roomkey-sign-in>', { timeout: 120_000 }, async () => {
    await signUpPair([pageA, pageB], stack.urls.web, PASSWORD);
    assert.match(await shown(pageA, 'roomkey-sign-in'), /Signed in as\s*alice/);
  });

  it('Alice creates a room and invites Bob, who sees it in his list', STEP, async () => {
    roomId = await roomWith(pageA, 'Tea club', 'bob');
    assert.match(await openRoom(pageB, roomId), /Tea club/);
  });

  it('messages go both ways and are rendered in the other <roomkey-room>', STEP, async () => {
    await send(pageA, TEXTS[0]!);
    await waitForText(pageB, TEXTS[0]!);
    await send(pageB, TEXTS[1]!);
    await waitForText(pageA, TEXTS[1]!);
  });

  it(
    "roles: Bob, a member, sees Alice as the room's owner and is offered no Remove and no Invite; Alice is offered both",
    STEP,
    async () => {
      const roleOf = async (page: Page, name: string) =>
        page
          .locator('roomkey-room li[part=member]', { hasText: name })
          .locator('[part=member-role]')
          .getAttribute('data-role');
      await waitFor("the roles in Bob's member list", async () => (await roleOf(pageB, 'alice')) === 'owner');
      assert.equal(await roleOf(pageB, 'bob'), 'member');
      assert.equal(await roleOf(pageA, 'alice'), 'owner');
      assert.equal(
        await pageB.locator('roomkey-room button[part=remove-button]').count(),
        0,
        'Bob may remove nobody',
      );
      assert.equal(await pageB.locator('roomkey-room form[part=invite]').count(), 0, 'Bob may invite nobody');
      assert.equal(
        await pageA.locator('roomkey-room button[part=remove-button]').count(),
        1,
        'Alice may remove Bob',
      );
      assert.equal(await pageA.locator('roomkey-room form[part=invite]').count(), 1, 'Alice may invite');
    },
  );

  it(
    'Bob reloads: after unlocking with his password, his history decrypts from JetStream',
    STEP,
    async () => {
      const fetched: string[] = [];
      const onRequest = (request: { url(): string }) => fetched.push(request.url());
      pageB.on('request', onRequest);
      // Hiding is this device's own preference, kept in its encrypted store: still hidden after it.
      await pageB.locator('roomkey-rooms button[part~=hide-button]').click();
      await pageB.locator('roomkey-rooms [part~=hidden-rooms]').waitFor();
      await pageB.reload();
      const unlock = pageB.locator('roomkey-sign-in #password');
      await unlock.waitFor();
      // The client connects after the page renders (its chunk loads lazily): wait for the state.
      await waitFor('the room says locked', async () => /locked/i.test(await shown(pageB, 'roomkey-room')));
      await unlock.fill(PASSWORD.bob);
      await pageB.locator('roomkey-sign-in button[part=submit]').click();
      await waitForText(pageB, TEXTS[0]!, SLOW);
      await waitForText(pageB, TEXTS[1]!);
      pageB.off('request', onRequest);
      assert.ok(
        fetched.some((url) => /\/dist\/chunks\/in-page-[\w-]+\.js$/.test(url)),
        `the in-page chunk was loaded: ${fetched.join(' ')}`,
      );
      assert.ok(
        !fetched.some((url) => /\/dist\/chunks\/opaque-/.test(url)),
        'unlocking a returning device never loads OPAQUE',
      );
      await waitFor('the room still hidden after the reload', async () =>
        /Hidden rooms \(1\)/.test(await shown(pageB, 'roomkey-rooms')),
      );
      assert.equal(await pageB.locator('roomkey-rooms [part=list] button.room').count(), 0);
      await snap(pageB, 'pwa-rooms-hidden');
      await pageB.locator('roomkey-rooms [part~=hidden-rooms] summary').click();
      await pageB.locator('roomkey-rooms button[part~=unhide-button]').click();
      await pageB.locator('roomkey-rooms [part=list] button.room').waitFor();
      await send(pageB, TEXTS[2]!);
      await waitForText(pageA, TEXTS[2]!);
    },
  );

  it('the raw room stream holds none of the texts', STEP, async () => {
    const nc = await wsconnect({
      servers: stack.urls.natsWebSocket,
      authenticator: credsAuthenticator(readFileSync(stack.paths.gatewayAppCreds)),
    });
    try {
      const jsm = await jetstreamManager(nc);
      const chunks: Buffer[] = [];
      let roomMessages = 0;
      for await (const name of jsm.streams.names()) {
        if (!name.startsWith('RK_ROOMS_')) continue;
        const info = await jsm.streams.info(name);
        for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
          const m = await jsm.streams.getMessage(name, { seq }).catch(() => null);
          if (!m) continue;
          roomMessages++;
          chunks.push(Buffer.from(m.subject), Buffer.from(m.data));
        }
      }
      assert.ok(roomMessages >= TEXTS.length, `read ${roomMessages} raw room messages`);
      const haystack = Buffer.concat(chunks);
      for (const secret of [...TEXTS, 'Tea club', PASSWORD.alice, PASSWORD.bob])
        assert.equal(haystack.indexOf(Buffer.from(secret)), -1, `"${secret}" is in the stream in the clear`);
    } finally {
      await nc.close();
    }
  });

  it('Alice removes Bob: he sees he was removed and cannot read what follows', STEP, async () => {
    await pageA
      .locator('roomkey-room button[part=remove-button]')
      .click()
      .catch(async (error: Error) => {
        throw new Error(
          `${error.message}; Alice's room shows: ${(await shown(pageA, 'roomkey-room')).replace(/\s+/g, ' ')}`,
        );
      });
    await pageA.locator('roomkey-room dialog[part="dialog"] button.danger').click();
    // The member list follows the commit at once; the dialog stays (modal, the rest of the page
    // inert) until removeMember resolves. A user types only once it has closed, and so does this test.
    await waitFor('one member left', async () =>
      /Members \(1\)/.test((await pageA.locator('roomkey-room #members-title').textContent()) ?? ''),
    );
    await pageA.locator('roomkey-room dialog[part="dialog"]').waitFor({ state: 'hidden' });
    await waitFor(
      'the removed notice at Bob',
      async () => /You were removed from this room/.test(await shown(pageB, 'roomkey-room')),
      20_000,
    );
    assert.equal(await pageB.locator('roomkey-room button[part=send]').isDisabled(), true, 'Bob cannot send');
    const secret = 'after removal: surprise party for bob';
    // Right after her own commit Alice's device takes a fresh JWT and reconnects; the send waits
    // for that (and retries a publish whose ack was lost), so it may take longer than usual.
    await send(pageA, secret, SLOW);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(!(await texts(pageB)).includes(secret), 'not rendered at Bob');
    assert.ok((await texts(pageB)).includes(TEXTS[0]!), 'what he saw before stays on screen');
    // Through his own client too: the SDK refuses a removed member's history read (the gateway
    // no longer lets the device read the stream), or returns it without the new message.
    const seen = await pageB.evaluate(async (id) => {
      const { getDefaultClient } = await import('/dist/roomkey.js' as string);
      try {
        const list = (await getDefaultClient().history(id)) as Array<{ text: string }>;
        return { texts: list.map((m) => m.text) };
      } catch (error) {
        return { error: (error as Error).message };
      }
    }, roomId);
    assert.ok(
      seen.error !== undefined ? /not a member/i.test(seen.error) : !seen.texts?.includes(secret),
      `the message after removal is not readable: ${JSON.stringify(seen)}`,
    );
    await waitFor('"Removed" in his room list', async () =>
      /Removed/.test(
        (await pageB.locator(`roomkey-rooms button.room[data-room-id="${roomId}"]`).textContent()) ?? '',
      ),
    );
  });

  it('a push wakes the service worker, which names the room; a click opens it', STEP, async () => {
    // Alice's room with Bob again (a new room: Bob was removed from the first one).
    await pageA.locator('roomkey-rooms button[part=create-button]').click();
    await pageA.locator('roomkey-rooms #room-name').fill('Push room');
    await pageA.locator('roomkey-rooms button[part=submit]').click();
    const pushRoom = await waitFor('the push room opened', async () => {
      const id = new URLSearchParams(new URL(pageA.url()).hash.slice(1)).get('room');
      return id && id !== roomId ? id : undefined;
    });
    await pageA.locator('roomkey-room #invite-username').fill('bob');
    await pageA.locator('roomkey-room button[part=invite-button]').click();
    await pageB.locator(`roomkey-rooms button.room[data-room-id="${pushRoom}"]`).waitFor({ timeout: 20_000 });
    // Bob opts in to "keep this device unlocked" (needs his password), then his page goes away:
    // only the service worker is left to hear about news.
    await pageB.evaluate(async (password) => {
      const { getDefaultClient } = await import('/dist/roomkey.js' as string);
      await getDefaultClient().setDeviceUnlock(true, password);
    }, PASSWORD.bob);
    await pageB.goto(`${stack.urls.web}offline.html`);
    const secret = 'push preview: the tea is ready';
    // Right after her own commit Alice's device takes a fresh JWT and reconnects; the send waits
    // for that (and retries a publish whose ack was lost), so it may take longer than usual.
    await send(pageA, secret, SLOW);

    const worker = await waitFor('the service worker', async () =>
      bob.context.serviceWorkers().find((w: Worker) => w.url() === `${stack.urls.web}sw.js`),
    );
    await countShownNotifications(worker);
    await deliverPush(pageB, stack.urls.web, SENTINEL);
    await waitForShownNotifications(worker, 1, 30_000);
    const tray = await shownNotifications(pageB);
    const about = tray.find((n) => (n.data as { roomId?: string }).roomId === pushRoom);
    assert.ok(about, `a notification about the room: ${JSON.stringify(tray)}`);
    assert.equal(about.title, 'Push room');
    assert.match(about.body, /alice: push preview: the tea is ready/);

    await worker.evaluate(async (tag) => {
      const sw = self as unknown as {
        registration: ServiceWorkerRegistration;
        NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
      };
      const [notification] = await sw.registration.getNotifications({ tag });
      self.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification: notification! }));
    }, about.tag);
    await waitFor('Bob at the room', async () =>
      bob.context.pages().find((p) => p.url() === `${stack.urls.web}#room=${pushRoom}`),
    );
  });

  it("the stack's JSON logs (debug: every request) hold no username, password, room name or text", () => {
    const output = stack.output();
    assert.ok((output.match(/"component":"requests"/g) ?? []).length >= 20, 'the requests were logged');
    for (const secret of [
      ...TEXTS,
      'Tea club',
      'Push room',
      PASSWORD.alice,
      PASSWORD.bob,
      '"alice',
      '"bob',
    ]) {
      assert.ok(!output.includes(secret), `the stack's output does not contain ${secret}`);
    }
  });

  it('no uncaught errors, and no broken WebSocket closes (nats-server 2.9 and status 1005)', () => {
    assert.deepEqual(consoleProblems, []);
  });
});
