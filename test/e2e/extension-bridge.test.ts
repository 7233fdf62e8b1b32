// The extension in Debian's Chromium against the real local stack (gateway + nats-server): it
// loads and its worker starts; Alice signs up in the extension's popup, and through an approved
// page makes a room, invites Bob and they exchange messages both ways — Bob is the in-page client: a separate
// browser profile without the extension, on the stack's demo page (/dist/roomkey.js with
// data-gateway), driven through the components' UI; an unapproved origin gets NotApprovedError and no data; a hostile page's
// forged messages get nothing; approvals persist and are revocable from the popup. Two loopback
// ports are two origins. The steps share one stack and one browser, in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { openRoom, send, signUp, waitForText } from './helpers/components.ts';
import {
  type CallResult,
  call,
  clientEvents,
  type ExtensionStack,
  type ExtensionUser,
  enterInPopup,
  inBackground,
  installClient,
  launchWithExtension,
  type Origins,
  startExtensionStack,
  value,
} from './helpers/extension.ts';
import { snap } from './helpers/screenshots.ts';

const STEP = { timeout: 60_000 };
const PASSWORD = 'correct horse battery staple';

interface Probe {
  roomkeyE2E: {
    hub: { frames(): { caller: { kind: string; origin?: string }; connected: boolean }[] };
    approvals: { list(): unknown[] };
  };
}

function notApproved(result: CallResult, what: string): void {
  assert.equal(result.ok, false, `${what}: expected NotApprovedError, got ${JSON.stringify(result)}`);
  assert.equal((result as { name: string }).name, 'NotApprovedError', what);
  assert.equal((result as { code: string }).code, 'forbidden', what);
}

/** Posts raw messages in the page (as hostile script would) and returns what came back on the window. */
async function forge(page: Page, messages: unknown[], waitMs = 800): Promise<unknown[]> {
  return page.evaluate(
    async ({ messages, waitMs }) => {
      const got: unknown[] = [];
      const listen = (e: MessageEvent) => {
        const d = e.data as { from?: string } | null;
        if (d && d.from === 'extension') got.push(d);
      };
      window.addEventListener('message', listen);
      for (const m of messages) window.postMessage(m, '*');
      await new Promise((r) => setTimeout(r, waitMs));
      window.removeEventListener('message', listen);
      return got;
    },
    { messages, waitMs },
  );
}

describe('extension bridge', { timeout: 240_000 }, () => {
  let stack: ExtensionStack;
  let origins: Origins;
  let bob: BrowserUser;
  let alice: ExtensionUser;
  let app: Page;
  let bobPage: Page;
  let roomId: string;
  let bobSignedUp: Promise<void>;

  before(async () => {
    ensureBuilt(); // dist/roomkey.js, which the stack's demo page loads
    stack = await startExtensionStack();
    origins = stack.origins;
    [alice, bob] = await Promise.all([launchWithExtension('alice'), launchUser('bob')]);
    // Bob signs up in his page (Argon2id in the page) while Alice's steps run.
    bobPage = await bob.page();
    bobSignedUp = signUp(bobPage, stack.stack.urls.web, 'bob', 'bob password, long enough');
    bobSignedUp.catch(() => undefined); // awaited (and reported) by the step that needs Bob
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await stack?.close();
  });

  it('loads: the worker runs and the content script marks pages and answers hello', STEP, async () => {
    const worker = await alice.worker();
    assert.equal(worker.url(), `chrome-extension://${alice.extensionId}/background.js`);
    assert.equal(await worker.evaluate(() => typeof (globalThis as unknown as Probe).roomkeyE2E), 'object');
    app = await alice.open(`${origins.a}/`);
    assert.equal(
      await app.evaluate(() => document.documentElement.getAttribute('data-roomkey-extension')),
      '1',
    );
    assert.deepEqual(
      await app.evaluate(() =>
        (window as unknown as { RK: { detectExtension(): unknown } }).RK.detectExtension(),
      ),
      { versions: [1] },
    );
  });

  it(
    'an approved origin: connect asks once, then sign-up, a room with Bob, messages both ways',
    STEP,
    async () => {
      await installClient(app);
      const connecting = call(app, 'connect');
      assert.match(await alice.answer('allow'), new RegExp(`${origins.a} wants to use RoomKey`));
      assert.deepEqual(value(await connecting), { connection: 'offline', keys: 'signed-out', session: null });
      // The password goes into the extension's own page, never into the site's.
      await enterInPopup(alice, 'signUp', `${origins.a}/`, 'alice', PASSWORD);
      await waitFor('the page hears that alice signed in', async () =>
        (await clientEvents(app, 'session')).some(
          (e) => (e.detail as { username?: string })?.username === 'alice',
        ),
      );
      roomId = value<{ roomId: string }>(await call(app, 'createRoom', 'Launch')).roomId;
      await bobSignedUp;
      const inviting = call(app, 'invite', roomId, 'bob');
      assert.match(await alice.answer('allow'), /wants to add bob to Launch/);
      const invited = value<{ members: { username: string }[] }>(await inviting);
      assert.deepEqual(invited.members.map((m) => m.username).sort(), ['alice', 'bob']);
      await openRoom(bobPage, roomId);
      value(await call(app, 'send', roomId, 'hello from the page'));
      await waitForText(bobPage, 'hello from the page');
      await send(bobPage, 'hi from bob');
      await waitFor("Bob's message in the page", async () =>
        (await clientEvents(app, 'message')).some(
          (e) => (e.detail as { text: string }).text === 'hi from bob',
        ),
      );
      // Bob's page runs the in-page client (no extension there): his own history, as it decrypted it.
      const atBob = await bobPage.evaluate(async (id) => {
        const { getDefaultClient } = await import('/dist/roomkey.js' as string);
        const list = (await getDefaultClient().history(id)) as { senderUsername: string; text: string }[];
        return {
          marked: document.documentElement.getAttribute('data-roomkey-extension'),
          history: list.map((m) => [m.senderUsername, m.text]),
        };
      }, roomId);
      assert.deepEqual(atBob, {
        marked: null,
        history: [
          ['alice', 'hello from the page'],
          ['bob', 'hi from bob'],
        ],
      });
      const history = value<{ text: string; own: boolean }[]>(await call(app, 'history', roomId));
      assert.deepEqual(
        history.map((m) => [m.text, m.own]),
        [
          ['hello from the page', true],
          ['hi from bob', false],
        ],
      );
      // Exactly the two messages, each once; the room's change ("alice added bob") arrives as a
      // message event of status membership, which is a row, not a message.
      await waitFor('live message events', async () => {
        const events = await clientEvents(app, 'message');
        const messages = events.filter((e) => (e.detail as { status?: string }).status !== 'membership');
        return messages.length === 2;
      });
      assert.equal(
        await app.evaluate(() => (window as unknown as { client: { keys: string } }).client.keys),
        'ready',
      );
    },
  );

  it('an unapproved origin gets NotApprovedError and no data', STEP, async () => {
    const evil = await alice.open(`${origins.b}/`);
    await installClient(evil);
    for (const [method, ...args] of [
      ['listRooms'],
      ['history', roomId],
      ['send', roomId, 'x'],
      ['createRoom', 'mine'],
      ['signOut'],
      ['invite', roomId, 'mallory'],
    ] as [string, ...unknown[]][]) {
      notApproved(await call(evil, method, ...args), method);
    }
    const connecting = call(evil, 'connect');
    await alice.answer('deny');
    notApproved(await connecting, 'connect (denied)');
    notApproved(await call(evil, 'connect'), 'connect again (remembered, no question)');
    notApproved(await call(evil, 'sealedRoomUrl', roomId), 'sealedRoomUrl');
    assert.deepEqual(await clientEvents(evil), []);
    const seen = JSON.stringify(await evil.evaluate(() => (window as unknown as { seen: unknown[] }).seen));
    assert.doesNotMatch(seen, /hello from the page|hi from bob|Launch|alice/);
    await evil.close();
  });

  it('a hostile page forging bridge messages gets nothing', STEP, async () => {
    const evil = await alice.open(`${origins.b}/?title=hostile`);
    const envelope = { channel: 'roomkey-bridge', version: 1, from: 'page', method: 'listRooms', params: {} };
    // A spoofed origin field, a wrong channel, another version: typed errors or silence, no data.
    const replies = await forge(evil, [
      { ...envelope, id: 'spoof', origin: origins.a },
      { ...envelope, id: 'spoof2', params: { origin: origins.a } },
      { ...envelope, id: 'chan', channel: 'roomkey' },
      { ...envelope, id: 'ver', version: 0 },
    ]);
    assert.deepEqual(
      replies.map((r) => {
        const { id, kind, error } = r as { id: string; kind: string; error: { code: string } };
        return [id, kind, error?.code];
      }),
      [
        ['spoof', 'error', 'malformed'],
        ['spoof2', 'error', 'malformed'],
        ['ver', 'error', 'unsupported'],
      ],
    );
    // From another window (an iframe of the approved origin, driven by the hostile page): the
    // content script there only listens to its own window, and the hostile parent cannot post as it.
    await evil.evaluate(async (a) => {
      const frame = document.createElement('iframe');
      frame.src = `${a}/?title=framed`;
      document.body.append(frame);
      await new Promise((r) => frame.addEventListener('load', r, { once: true }));
      frame.contentWindow!.postMessage(
        { channel: 'roomkey-bridge', version: 1, from: 'page', id: 'x1', method: 'listRooms', params: {} },
        '*',
      );
    }, origins.a);
    // …and a request posted by the framed page to the hostile parent is not the parent's own either.
    const framed = evil.frames().find((f) => f.url().startsWith(origins.a))!;
    await framed.evaluate(() =>
      window.parent.postMessage(
        { channel: 'roomkey-bridge', version: 1, from: 'page', id: 'x2', method: 'listRooms', params: {} },
        '*',
      ),
    );
    await new Promise((r) => setTimeout(r, 800));
    const frames = await inBackground(
      alice,
      () =>
        (globalThis as unknown as Probe).roomkeyE2E.hub.frames().map((f) => f.caller.origin ?? f.caller.kind),
      null,
    );
    assert.equal(
      frames.filter((o) => o === origins.a).length,
      1,
      'only the real app tab reached the background for origin A',
    );
    await evil.close();
  });

  it('approval persists across a reload and is revocable from the popup', STEP, async () => {
    await app.reload();
    await app.waitForFunction(() => 'RK' in window);
    await installClient(app);
    const state = value<{ keys: string }>(await call(app, 'connect'));
    assert.equal(state.keys, 'ready', 'no question the second time');
    assert.equal(value<unknown[]>(await call(app, 'listRooms')).length, 1);

    const popup = await alice.extensionPage('popup.html');
    await popup.locator(`#sites li[data-origin="${origins.a}"]`).waitFor();
    assert.equal(await popup.locator('#username').textContent(), 'alice');
    await snap(popup, 'extension-popup');
    await popup.locator(`li[data-origin="${origins.a}"] .revoke-site`).click();
    await popup.locator(`li[data-origin="${origins.a}"]`).waitFor({ state: 'detached' });
    // The blocked origin is listed too, and can be unblocked.
    await popup.locator(`li[data-origin="${origins.b}"]`).waitFor();
    assert.match((await popup.locator(`li[data-origin="${origins.b}"]`).textContent()) ?? '', /blocked/);

    notApproved(await call(app, 'listRooms'), 'after revoke');
    const asking = call(app, 'connect');
    await alice.answer('allow');
    value(await asking);
    // The room grant went with the site: reading the room asks again ("site X wants room Y").
    const reading = call(app, 'history', roomId);
    assert.match(await alice.answer('allow'), /wants to read and send messages in/);
    assert.equal(value<unknown[]>(await reading).length, 2);
    await popup.close();
  });
});
