// The outbox under the extension (issue 17 §4), in Chromium with the e2e build against the real
// local stack: a site's page sends through the extension while nats-server is paused (SIGSTOP):
// the send fails as `unavailable`, the background keeps both messages ("not sent yet": the page
// lists them with `unsent` and hears an `outbox` event); one is discarded; nats-server resumes and
// the page's Retry sends the other with its one message id: Bob (a Node member) receives it
// exactly once (the paused first attempts, still in the socket, and the retry are one stored
// message). Discard takes a message out of the outbox; it cannot recall an attempt that already
// reached the server (here the paused socket's bytes do): that it never arrives after a real
// disconnect is integration test extension-outbox's. Bound: ~60 s.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { SentMessage, UnsentMessage } from '../../core/client/types.ts';
import { waitFor } from './helpers/browser.ts';
import {
  call,
  callConfirmed,
  type ExtensionStack,
  type ExtensionUser,
  enterInPopup,
  launchWithExtension,
  type NodeUser,
  openApproved,
  startExtensionStack,
  value,
} from './helpers/extension.ts';

const STEP = { timeout: 60_000 };
const KEPT = 'sent from the page while the server was paused';
const DROPPED = 'this one is discarded';

describe('extension outbox', { timeout: 180_000 }, () => {
  let stack: ExtensionStack;
  let alice: ExtensionUser;
  let bob: NodeUser;
  let page: Page;
  let roomId = '';
  let paused: number | undefined;

  /** The stack's nats-server (its config lives in the stack's data dir). */
  const brokerPid = (): number => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (cmd.includes('nats-server') && cmd.includes(`${stack.stack.dataDir}/`)) return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
    throw new Error('the stack runs no nats-server');
  };

  before(async () => {
    stack = await startExtensionStack();
    alice = await launchWithExtension('alice-outbox');
  });

  after(async () => {
    if (paused !== undefined) process.kill(paused, 'SIGCONT');
    await alice?.close();
    await stack?.close();
  });

  it('Alice (extension) and Bob (Node) share a room the site may read', STEP, async () => {
    await enterInPopup(alice, 'signUp', `${stack.origins.a}/`, 'alice', 'alice password, long enough');
    page = await openApproved(alice, `${stack.origins.a}/`);
    await page.evaluate(() => {
      const w = window as unknown as { client: EventTarget; outboxEvents: unknown[] };
      w.outboxEvents = [];
      w.client.addEventListener('outbox', (e) => w.outboxEvents.push((e as CustomEvent).detail));
    });
    bob = await stack.nodeUser('bob');
    roomId = value<{ roomId: string }>(await call(page, 'createRoom', 'Outbox')).roomId;
    value(await callConfirmed(alice, page, 'invite', roomId, 'bob', { shareHistory: false }));
    await bob.joined(roomId);
    value(await call(page, 'send', roomId, 'online first'));
    await bob.received('online first');
  });

  it('while the server is paused both sends are kept; Discard drops one', STEP, async () => {
    paused = brokerPid();
    process.kill(paused, 'SIGSTOP');
    const [kept, dropped] = await Promise.all([
      call(page, 'send', roomId, KEPT),
      call(page, 'send', roomId, DROPPED),
    ]);
    for (const result of [kept, dropped])
      assert.equal(result.ok ? 'sent' : result.code, 'unavailable', JSON.stringify(result));
    const unsent = value<UnsentMessage[]>(await call(page, 'unsent', roomId));
    assert.deepEqual(
      unsent.map((m) => [m.status, m.text]).sort((a, b) => a[1]!.localeCompare(b[1]!)),
      [
        ['unsent', KEPT],
        ['unsent', DROPPED],
      ],
    );
    const events = await page.evaluate(
      () => (window as unknown as { outboxEvents: { roomId: string }[] }).outboxEvents,
    );
    assert.ok(
      events.some((e) => e.roomId === roomId),
      'the page heard the outbox change',
    );
    const drop = unsent.find((m) => m.text === DROPPED)!;
    value(await call(page, 'discardSend', roomId, drop.messageId));
    assert.deepEqual(
      value<UnsentMessage[]>(await call(page, 'unsent', roomId)).map((m) => m.text),
      [KEPT],
      'Discard removed it',
    );
  });

  it('the server resumes; Retry sends the kept one once, with its id', STEP, async () => {
    const [waiting] = value<UnsentMessage[]>(await call(page, 'unsent', roomId));
    process.kill(paused!, 'SIGCONT');
    paused = undefined;
    // Retry at once, or the background's own flush when it is back online: either way one message.
    const retried = await call(page, 'retrySend', roomId, waiting!.messageId);
    if (retried.ok) assert.equal((retried.value as SentMessage).messageId, waiting!.messageId);
    else assert.equal(retried.code, 'not-found', JSON.stringify(retried)); // sent meanwhile
    const atBob = await bob.received(KEPT);
    assert.equal((atBob as { messageId: string }).messageId, waiting!.messageId, 'the id it was kept under');
    await waitFor(
      'the outbox empty',
      async () => value<UnsentMessage[]>(await call(page, 'unsent', roomId)).length === 0,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2000)); // a second copy would be here by now
    const texts = bob.messages.map((m) => ('text' in m ? m.text : ''));
    assert.equal(texts.filter((t) => t === KEPT).length, 1, 'received exactly once');
    // Its paused attempt was already in the socket: stored once at most, never twice.
    assert.ok(texts.filter((t) => t === DROPPED).length <= 1, 'the discarded one at most once');
  });
});
