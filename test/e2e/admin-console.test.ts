// The demo's admin page (demo/admin.html, <roomkey-admin> with the in-page client) against the
// real local stack: Alice signs up in Chromium, creates an org and a project, grants Bob the
// member role, sets the project's invite rule and sees the rules in force with their reasons.
// Bob (a Node client of the same deployment) reads the same rule denying him, from the gateway.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { AdminApi } from '../../core/client/admin-api.ts';
import { clientConfigFor, fetchDeploymentConfig } from '../../core/client/index.ts';
import { RoomKeySession } from '../../core/client/session.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { axeViolations } from './helpers/a11y.ts';
import { type BrowserUser, launchUser, waitFor } from './helpers/browser.ts';
import { ensureBuilt } from './helpers/build.ts';
import { SLOW, shown, signUp } from './helpers/components.ts';
import { type RunningDevStack, startDevStack } from './helpers/dev-stack.ts';

const ORG = 'acme';
const admin = (page: Page) => page.locator('roomkey-admin');

async function statusShows(page: Page, pattern: RegExp): Promise<void> {
  await waitFor(`the admin status says ${pattern}`, async () => {
    return pattern.test((await shown(page, 'roomkey-admin')).replace(/\s+/g, ' '));
  }).catch(async (error: Error) => {
    throw new Error(
      `${error.message}; it shows: ${(await shown(page, 'roomkey-admin')).replace(/\s+/g, ' ')}`,
    );
  });
}

describe('admin console: org, project, role, rule and why', { timeout: 120_000 }, () => {
  let stack: RunningDevStack;
  let alice: BrowserUser;
  let page: Page;
  let bob: RoomKeySession;

  before(async () => {
    ensureBuilt();
    stack = await startDevStack();
    alice = await launchUser('alice-admin');
    page = await alice.page();
    bob = await RoomKeySession.signUp({
      config: clientConfigFor(await fetchDeploymentConfig(stack.urls.config)),
      backend: new MemoryBackend(),
      storeParams: { t: 1, mKib: 64, p: 1 },
      username: 'bob',
      password: 'bob password 1',
    });
  });

  after(async () => {
    await bob?.close();
    await alice?.close();
    await stack?.dispose();
  });

  it('Alice runs her org from demo/admin.html; Bob is denied by the rule she set', async () => {
    await signUp(page, new URL('admin.html', stack.urls.web).href, 'alice', 'alice password 1');
    await admin(page).locator('[part=new-org]').waitFor({ timeout: SLOW });

    await admin(page).locator('[part=new-org]').fill(ORG);
    await admin(page).locator('[part=create-org]').click();
    await statusShows(page, /Made org acme: you are its owner/);
    assert.match((await admin(page).locator('[part=your-role]').textContent()) ?? '', /Owner/);

    await admin(page).locator('[part=new-project]').fill('web');
    await admin(page).locator('[part=create-project]').click();
    await statusShows(page, /Made project acme\/web/);

    await admin(page).locator('[part=grant-user]').fill('bob');
    await admin(page).locator('[part=grant-role]').selectOption({ label: 'Member' });
    await admin(page).locator('[part=grant]').click();
    await statusShows(page, /bob is now member here/);
    assert.match((await admin(page).locator('[part=role-grant]').textContent()) ?? '', /bob\s*Member/);

    await admin(page).locator('[part=rules-form] select[name=invite]').selectOption('3');
    await admin(page).locator('[part=save-rules]').click();
    await statusShows(page, /Rules saved/);
    const invite = admin(page).locator('[part=effective-rule][data-action=invite]');
    assert.equal(await invite.getAttribute('data-allowed'), 'true');
    assert.match(
      (await invite.textContent()) ?? '',
      /allowed by the project rule invite: admin or above \(you are owner\)/,
    );

    assert.equal(await axeViolations(page), '', 'the admin page is axe clean');

    // The gateway holds it: Bob, a member, is denied by that rule, and may not change it.
    const bobs = new AdminApi(() => bob.nc);
    const why = await bobs.explain({ level: 'project', orgId: ORG, projectId: 'web' });
    const rule = why.rules.find((r) => r.action === 'invite');
    assert.equal(rule?.allowed, false);
    assert.equal(rule?.reason, 'denied by the project rule invite: admin or above (you are member)');
    await assert.rejects(
      bobs.setRules({ level: 'project', orgId: ORG, projectId: 'web' }, { invite: 2 }),
      /Only an owner or admin/,
    );
  });
});
