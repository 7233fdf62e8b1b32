// A contact's key change, end to end in the demo PWA (in-page client, real local stack): Alice
// and Bob sign up through the components, Alice invites Bob and verifies him ("The numbers
// match"); then the server side serves Bob under new keys (rk_users rewritten with the server
// secret, what a compromised gateway could do). When Alice opens the room again she sees a
// warning naming Bob, his badge says "Key changed" (no longer Verified), Bob's new messages are
// not shown, and only her review ("Accept the new key") clears it, leaving Bob not verified.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Kvm } from '@nats-io/kv';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import type { Page } from 'playwright-core';
import { readStack } from '../../gateway/data-dir.ts';
import { swapUserKeys, userIdByName } from '../helpers/key-change-swap.ts';
import { axeViolations } from './helpers/a11y.ts';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { openRoom, SLOW, send, shown, signUp, texts, waitForText } from './helpers/components.ts';
import { type RunningDevStack, startDevStack } from './helpers/dev-stack.ts';

const STEP = { timeout: 120_000 };
const PASSWORD = { alice: 'alice password kc', bob: 'bob password kc' };

describe('a contact whose key changes is never accepted silently', { timeout: 420_000 }, () => {
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
    [pageA, pageB] = await Promise.all([alice.page(), bob.page()]);
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await stack?.dispose();
  });

  const badge = () => pageA.locator('roomkey-room [part=trust-badge]').textContent();

  it('Alice invites Bob and verifies him by comparing numbers', STEP, async () => {
    await Promise.all([
      signUp(pageA, stack.urls.web, 'alice', PASSWORD.alice),
      signUp(pageB, stack.urls.web, 'bob', PASSWORD.bob),
    ]);
    await pageA.locator('roomkey-rooms button[part=create-button]').click();
    await pageA.locator('roomkey-rooms #room-name').fill('Keys');
    await pageA.locator('roomkey-rooms button[part=submit]').click();
    roomId = await waitFor(
      'the room opened',
      async () => new URLSearchParams(new URL(pageA.url()).hash.slice(1)).get('room') ?? undefined,
    );
    await pageA.locator('roomkey-room #invite-username').fill('bob');
    await pageA.locator('roomkey-room button[part=invite-button]').click();
    await waitFor('Bob unverified', async () => (await badge())?.trim() === 'Not verified', SLOW);
    await openRoom(pageB, roomId);
    await send(pageB, 'bob with his first key');
    await waitForText(pageA, 'bob with his first key', SLOW);

    // Both sides show the same number.
    await pageA.locator('roomkey-room [part=verify-button]').click();
    const numberA = (await pageA.locator('roomkey-room [part=safety-number]').textContent())?.replace(
      /\s+/g,
      '',
    );
    await pageB.locator('roomkey-room [part=verify-button]').click();
    const numberB = (await pageB.locator('roomkey-room [part=safety-number]').textContent())?.replace(
      /\s+/g,
      '',
    );
    assert.match(numberA ?? '', /^\d{60}$/);
    assert.equal(numberA, numberB);
    await pageA.locator('roomkey-room [part=verify-match]').click();
    await waitFor('Bob verified', async () => (await badge())?.trim() === 'Verified');
    await pageA.locator('roomkey-room dialog.verify button:has-text("Close")').click();
    await pageB.locator('roomkey-room dialog.verify button:has-text("Close")').click();
  });

  it(
    'after the server swaps Bob’s keys, Alice’s room warns naming Bob, and only her review clears it',
    STEP,
    async () => {
      const nc = await wsconnect({
        servers: stack.urls.natsWebSocket,
        authenticator: credsAuthenticator(readFileSync(stack.paths.gatewayCreds)),
      });
      try {
        const serverSecret = readStack(stack.dataDir).secrets.serverSecret;
        const users = await new Kvm(nc).open('rk_users');
        const bobId = await userIdByName(users, serverSecret, 'bob');
        await swapUserKeys(users, serverSecret, bobId);
      } finally {
        await nc.close();
      }
      // Alice comes back later: reload, unlock, open the room.
      await pageA.reload();
      await pageA.locator('roomkey-sign-in #password').fill(PASSWORD.alice);
      await pageA.locator('roomkey-sign-in button[part=submit]').click();
      await pageA.locator('roomkey-sign-in button[part=lock]').waitFor({ timeout: SLOW });
      const warning = pageA.locator('roomkey-room [part=key-warning]');
      await warning.waitFor({ timeout: SLOW });
      assert.match((await warning.textContent()) ?? '', /bob's safety number changed/);
      assert.equal((await badge())?.trim(), 'Key changed', 'verified no more');
      assert.equal(await axeViolations(pageA), '', 'the warning is accessible');

      // Bob (still on his old device key, now certified by a key Alice does not accept) is not shown.
      await send(pageB, 'sent after the swap');
      await new Promise((r) => setTimeout(r, 3000));
      assert.ok(!(await texts(pageA)).includes('sent after the swap'), 'nothing from the unaccepted key');

      await pageA.locator('roomkey-room [part=review-key-change]').click();
      assert.match(
        (await pageA.locator('roomkey-room [part=key-change-review]').textContent()) ?? '',
        /different identity key/,
      );
      await pageA.locator('roomkey-room [part=accept-key]').click();
      await waitFor('Bob not verified', async () => (await badge())?.trim() === 'Not verified');
      assert.equal(await pageA.locator('roomkey-room [part=key-warning]').count(), 0, 'the warning goes');
      assert.match(await shown(pageA, 'roomkey-room'), /Not verified/);
    },
  );
});
