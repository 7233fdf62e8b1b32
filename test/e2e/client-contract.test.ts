// The RoomKeyClient contract (test/contract/) on the real clients, against the real local stack
// (gateway + nats-server) in Debian's Chromium: InPageClient in a page of its own (core in the
// page, IndexedDB, the deployment's config next to the page), and the page's ExtensionClient with
// the e2e build of the extension installed, where the user signs up, unlocks and signs in only in
// the extension's own windows and confirms each invite and removal there. The steps run inside the
// page (test/contract/page-harness.ts); what only a user or the test can do, the page asks this
// file for (`contractHook`). The peer is a Node RoomKeySession on the same stack. The fakes run the
// same steps in test/browser/client-contract.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { HookName, PageStart } from '../contract/page-harness.ts';
import { CLIENT_CONTRACT, type HostMode } from '../contract/room-key-client.contract.ts';
import { type BrowserUser, launchUser } from './helpers/browser.ts';
import { repoRoot } from './helpers/build.ts';
import {
  ACCOUNT_MS,
  type DeploymentConfig,
  type ExtensionStack,
  type ExtensionUser,
  launchWithExtension,
  type NodeUser,
  signInWindow,
  signOutInPopup,
  startExtensionStack,
} from './helpers/extension.ts';

/** Argon2id and OPAQUE in a page or the extension, on a shared 2-core machine. */
const STEP = { timeout: 60_000 };
const PEER = 'bob-peer';

/** The page: the contract harness bundled with both real clients, and the deployment's config. */
async function servePage(config: DeploymentConfig): Promise<{ origin: string; close(): Promise<void> }> {
  const out = await build({
    entryPoints: [`${repoRoot}test/contract/page-harness.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const js = out.outputFiles[0]!.text;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('cache-control', 'no-store');
    if (path === '/roomkey-config.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(config));
    } else if (path === '/contract.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(js);
    } else if (path === '/') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>contract</title>
<script type="module" src="/contract.js"></script></head><body></body></html>`);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the page asks for: the user at the extension's windows, and the peer. */
function hooks(extension: ExtensionUser | undefined, peer: NodeUser, gateway: string) {
  const ext = (): ExtensionUser => {
    if (!extension) throw new Error('no extension in this browser');
    return extension;
  };
  /** Fills the extension's sign-in window (the page asked for it with openSignIn). */
  const enter = async (how: 'signUp' | 'signIn', username: string, password: string) => {
    const win = await signInWindow(ext());
    await win.locator('#sign-in input[name=gateway]').fill(gateway);
    await win.locator('#sign-in input[name=username]').fill(username);
    await win.locator('#sign-in input[name=password]').fill(password);
    const closed = win.waitForEvent('close', { timeout: ACCOUNT_MS });
    await win.locator(`#sign-in button[value=${how}]`).click();
    await closed;
  };
  const table: Record<HookName, (...args: never[]) => Promise<unknown>> = {
    'answer-site': () => ext().answer('allow'),
    confirm: () => ext().answer('allow'),
    'sign-up': (username: string, password: string) => enter('signUp', username, password),
    'sign-in': (username: string, password: string) => enter('signIn', username, password),
    unlock: async (password: string) => {
      const win = await signInWindow(ext());
      await win.locator('#unlock input[name=password]').fill(password);
      const closed = win.waitForEvent('close', { timeout: ACCOUNT_MS });
      await win.locator('#unlock button[type=submit]').click();
      await closed;
    },
    'sign-out': () => signOutInPopup(ext()),
    'peer-send': async (roomId: string, text: string) => {
      await peer.joined(roomId);
      await peer.session.send(roomId, text);
    },
  };
  return async (name: HookName, ...args: unknown[]): Promise<unknown> => {
    const run = table[name] as (...a: unknown[]) => Promise<unknown>;
    if (!run) throw new Error(`no contract hook "${name}"`);
    await run(...args);
    return null;
  };
}

describe('RoomKeyClient contract on the real clients', { timeout: 600_000 }, () => {
  let stack: ExtensionStack;
  let peer: NodeUser;
  let site: Awaited<ReturnType<typeof servePage>>;

  before(async () => {
    stack = await startExtensionStack();
    [peer, site] = await Promise.all([
      stack.nodeUser(PEER, 'bob: a long enough password'),
      servePage(stack.config),
    ]);
  });

  after(async () => {
    await site?.close();
    await stack?.close();
  });

  for (const [mode, title, username] of [
    ['in-page', 'InPageClient', 'carol-in-page'],
    ['extension', 'ExtensionClient (through the installed extension)', 'dave-extension'],
  ] as [HostMode, string, string][]) {
    describe(title, () => {
      let user: BrowserUser;
      let page: Page;
      const started = Date.now();

      before(async () => {
        const extension = mode === 'extension' ? await launchWithExtension(username) : undefined;
        user = extension ?? (await launchUser(username));
        page = await user.page();
        await page.exposeFunction('contractHook', hooks(extension, peer, `${site.origin}/`));
        await page.goto(`${site.origin}/`);
        await page.waitForFunction(() => 'contract' in window);
        const options: PageStart = {
          mode,
          user: { username, password: `${username}: a long enough password` },
          peer: PEER,
          timeoutMs: 30_000,
        };
        await page.evaluate((o) => window.contract.start(o), options);
      });

      after(async () => {
        await page?.evaluate(() => window.contract.close()).catch(() => undefined);
        await user?.close();
        console.log(`contract on ${title}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      });

      for (const step of CLIENT_CONTRACT) {
        it(step.name, STEP, async () => {
          await page.evaluate((name) => window.contract.step(name), step.name);
        });
      }
    });
  }
});
