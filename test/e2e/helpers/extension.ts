// The RoomKey extension in e2e tests: built once per process (`wxt build --mode e2e`: the
// production build plus the inert `roomkeyE2E` probe in the background), loaded unpacked into
// Debian's Chromium, talking to the REAL local stack (gateway + nats-server, `startExtensionStack`);
// pages served from tiny HTTP servers on 127.0.0.1, one port per origin, each with the page-side
// ExtensionClient bundled in and the deployment's `/roomkey-config.json`; approval questions
// answered by clicking in the extension's own approval window. Where Bob only drives (sends while
// Alice's worker is stopped, etc.) he is a Node RoomKeySession from core/client against the same
// stack; the bridge test's Bob is the real in-page client (helpers/components.ts).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { Page, Worker } from 'playwright-core';
import { RoomKeySession } from '../../../core/client/session.ts';
import type { ChatMessage } from '../../../core/client/types.ts';
import { MemoryBackend } from '../../../core/store/index.ts';
import { textOf } from '../../helpers/messages.ts';
import { type BrowserUser, launchUser, waitFor } from './browser.ts';
import { repoRoot } from './build.ts';
import { type RunningDevStack, startDevStack } from './dev-stack.ts';

export const EXTENSION_DIR = join(repoRoot, '.output', 'chrome-mv3-e2e');
let built = false;

/** Builds the e2e variant of the extension unless this process already did (~3 s). */
export function ensureExtensionBuilt(): void {
  if (built) return;
  runWxt(['build', '--mode', 'e2e']);
  built = true;
}

/** Runs the WXT CLI in the repo root; throws with its output when it fails. */
function runWxt(args: string[]): void {
  const bin = dirname(process.execPath);
  const result = spawnSync(join(repoRoot, 'node_modules', '.bin', 'wxt'), args, {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    // WXT needs Node ≥ 22: the node that runs the tests comes first.
    env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` },
  });
  if (result.status !== 0) {
    throw new Error(
      `wxt ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

/** The page-side client, bundled for the test pages: `window.RK` has every export. */
function clientBundle(): Promise<string> {
  return pageBundle("import * as rk from './components/client/extension-client.ts'; window.RK = rk;");
}

/** A module for a test page (ES2022, browser), bundled from `contents` (imports from the repo root). */
export async function pageBundle(contents: string): Promise<string> {
  const out = await build({
    stdin: { contents, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

const PAGE = (title: string, body = '') => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${title}</title><script type="module" src="/client.js"></script></head><body>${body}</body></html>`;

export interface Origins {
  /** Two origins (same host, different ports). */
  a: string;
  b: string;
  close(): Promise<void>;
}

/** The deployment's `/roomkey-config.json`, as the local stack serves it. */
export interface DeploymentConfig {
  version: number;
  natsWebSocketUrl: string;
  loginJwt: string;
}

export interface ExtensionStack {
  stack: RunningDevStack;
  config: DeploymentConfig;
  /** Two origins serving the test pages and the config: `${origins.a}/` is the gateway to sign in to. */
  origins: Origins;
  /** Signs a Node user (Bob) up against the stack; closed by close(). */
  nodeUser(username: string, password?: string): Promise<NodeUser>;
  close(): Promise<void>;
}

/** Bob: a Node RoomKeySession and every message it received. */
export interface NodeUser {
  session: RoomKeySession;
  messages: ChatMessage[];
  /** Waits until Bob is a member of `roomId` (after Alice's invite). */
  joined(roomId: string): Promise<void>;
  /** Waits until Bob received a message with this text. */
  received(text: string): Promise<ChatMessage>;
}

/**
 * The real local stack (gateway + nats-server, `gateway/cli.ts dev`) and two page origins that
 * serve its config, so a page's gateway URL is its own origin. One per test file.
 */
export async function startExtensionStack(): Promise<ExtensionStack> {
  const stack = await startDevStack();
  const users: RoomKeySession[] = [];
  try {
    const config = (await (await fetch(stack.urls.config)).json()) as DeploymentConfig;
    const origins = await serveOrigins(config);
    return {
      stack,
      config,
      origins,
      async nodeUser(username, password = 'bob password, long enough') {
        const session = await RoomKeySession.signUp({
          config: { servers: config.natsWebSocketUrl, loginJwt: config.loginJwt },
          backend: new MemoryBackend(),
          storeParams: { t: 1, mKib: 256, p: 1 },
          username,
          password,
          deviceName: 'node',
        });
        users.push(session);
        const messages: ChatMessage[] = [];
        session.on('message', (m) => messages.push(m));
        return {
          session,
          messages,
          joined: (roomId) =>
            waitFor(
              `${username} in the room`,
              async () =>
                (await session.listRooms()).some((r) => r.roomId === roomId && r.status === 'member'),
              20_000,
            ).then(() => undefined),
          received: (text) =>
            waitFor(
              `${username} to receive "${text}"`,
              async () => messages.find((m) => textOf(m) === text),
              20_000,
            ),
        };
      },
      async close() {
        await Promise.allSettled(users.map((u) => u.close()));
        await origins.close();
        await stack.dispose();
      },
    };
  } catch (error) {
    await stack.dispose();
    throw error;
  }
}

/**
 * Serves `/` (a page with `window.RK`), `/client.js`, `/page?title=…` and, when given, the
 * deployment's `/roomkey-config.json` on two loopback ports. Every response forbids caching so
 * reloads see fresh pages.
 */
export async function serveOrigins(config?: DeploymentConfig): Promise<Origins> {
  const js = await clientBundle();
  const servers: Server[] = [];
  const origins: string[] = [];
  for (let i = 0; i < 2; i++) {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('cache-control', 'no-store');
      if (url.pathname === '/roomkey-config.json' && config) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(config));
      } else if (url.pathname === '/client.js') {
        res.setHeader('content-type', 'text/javascript');
        res.end(js);
      } else if (url.pathname === '/favicon.ico') {
        res.statusCode = 404;
        res.end();
      } else {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(PAGE(url.searchParams.get('title') ?? `origin ${i}`));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    origins.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  return {
    a: origins[0]!,
    b: origins[1]!,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

export interface ExtensionUser extends BrowserUser {
  extensionId: string;
  /** The background service worker (a new one after a restart). */
  worker(): Promise<Worker>;
  /** Opens `url` in a new tab and waits for `window.RK`. */
  open(url: string): Promise<Page>;
  /** Opens one of the extension's pages (popup.html, sealed-room.html?room=…) in a tab. */
  extensionPage(path: string): Promise<Page>;
  /** Answers the next approval question by clicking in the approval window; returns its text. */
  answer(decision: 'allow' | 'deny' | 'block'): Promise<string>;
  /** Stops the background service worker through the DevTools protocol and waits until it is gone. */
  stopWorker(): Promise<void>;
  /** Starts the (stopped) background service worker through the DevTools protocol, as an event would. */
  startWorker(): Promise<void>;
}

/** Chromium with the e2e build of the extension loaded; `args`: extra Chromium flags. */
export async function launchWithExtension(
  name: string,
  options: { args?: string[] } = {},
): Promise<ExtensionUser> {
  ensureExtensionBuilt();
  const user = await launchUser(name, { extensionDir: EXTENSION_DIR, ...options });
  const { context } = user;
  const closedWorkers = new WeakSet<Worker>();
  const track = (w: Worker) => w.once('close', () => closedWorkers.add(w));
  context.serviceWorkers().forEach(track);
  context.on('serviceworker', track);
  // The newest live one: after a restart Playwright may still list the stopped worker for a while.
  const worker = async (): Promise<Worker> =>
    waitFor('the extension service worker', async () =>
      context
        .serviceWorkers()
        .filter((w) => w.url().startsWith('chrome-extension://') && !closedWorkers.has(w))
        .at(-1),
    );
  const extensionId = new URL((await worker()).url()).host;
  const answered = new WeakSet<Page>();
  return {
    ...user,
    extensionId,
    worker,
    async open(url) {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => 'RK' in window);
      return page;
    },
    async extensionPage(path) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${path}`);
      return page;
    },
    async answer(decision) {
      const page = await waitFor(
        'an approval window',
        async () =>
          context.pages().find((p) => p.url().includes('/approve.html') && !answered.has(p) && !p.isClosed()),
        15_000,
      );
      answered.add(page);
      const button = page.locator(`#${decision}`);
      await button.waitFor();
      const text = (await page.locator('main p').first().textContent()) ?? '';
      const closing = page.waitForEvent('close', { timeout: 5_000 }).catch(() => undefined);
      // The answer closes the window at once, which can cut the click's own bookkeeping short.
      await button.click().catch((error: Error) => {
        if (!page.isClosed() && !/closed/.test(error.message)) throw error;
      });
      await closing;
      return text;
    },
    async startWorker() {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/icon/16.png`);
      const cdp = await context.newCDPSession(page);
      try {
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.startWorker', { scopeURL: `chrome-extension://${extensionId}/` });
      } finally {
        await cdp.detach().catch(() => undefined);
        await page.close();
      }
    },
    async stopWorker() {
      const script = (await worker()).url();
      // The DevTools ServiceWorker domain of a page sees the workers of its own storage partition:
      // an extension page's session sees the extension's worker.
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/icon/16.png`);
      const cdp = await context.newCDPSession(page);
      try {
        let stopping = false;
        const stopped = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the worker did not stop')), 10_000);
          cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }: { versions: WorkerVersion[] }) => {
            const ours = versions.find((v) => v.scriptURL === script);
            if (stopping && ours?.runningStatus === 'stopped') {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        await cdp.send('ServiceWorker.enable');
        stopping = true;
        await cdp.send('ServiceWorker.stopAllWorkers');
        await stopped;
      } finally {
        await cdp.detach().catch(() => undefined);
        await page.close();
      }
    },
  };
}

interface WorkerVersion {
  versionId: string;
  scriptURL: string;
  runningStatus: string;
}

/** Runs a bridge call in the page through `window.RK`; returns `{ ok, value }` or the error's name, code, message. */
export type CallResult =
  | { ok: true; value: unknown }
  | { ok: false; name: string; code: string; message: string };

/** The value of a successful call; asserts that it succeeded. */
export function value<T>(result: CallResult): T {
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  return result.value as T;
}

/**
 * Creates `window.client` (an ExtensionClient for this origin's gateway URL) in the page and
 * records every client event in `window.clientEvents` and every window message in `window.seen`.
 */
export async function installClient(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown> & {
      RK: Record<string, new (o: object) => EventTarget>;
    };
    const client = new w.RK.ExtensionClient!({ gateway: `${location.origin}/` });
    const events: { type: string; detail: unknown }[] = [];
    for (const type of ['connection', 'keys', 'session', 'rooms', 'message', 'notification']) {
      client.addEventListener(type, (e) => events.push({ type, detail: (e as CustomEvent).detail }));
    }
    const seen: unknown[] = [];
    window.addEventListener('message', (e) => seen.push(e.data));
    Object.assign(w, { client, clientEvents: events, seen });
  });
}

/** Calls `window.client[method](...args)` in the page; errors come back by name, code and message. */
export async function call(page: Page, method: string, ...args: unknown[]): Promise<CallResult> {
  return page.evaluate(
    async ({ method, args }) => {
      const client = (window as unknown as { client: Record<string, (...a: unknown[]) => Promise<unknown>> })
        .client;
      try {
        return { ok: true as const, value: await client[method]!(...args) };
      } catch (error) {
        const e = error as { name: string; code: string; message: string };
        return { ok: false as const, name: e.name, code: e.code, message: e.message };
      }
    },
    { method, args },
  );
}

/** Opens `url` for `user`, installs the page client and connects it, allowing the approval question. */
export async function openApproved(user: ExtensionUser, url: string): Promise<Page> {
  const page = await user.open(url);
  await installClient(page);
  const connecting = call(page, 'connect');
  await user.answer('allow');
  value(await connecting);
  return page;
}

/**
 * Calls a membership change (`invite`, `removeMember`) in the page and allows it in the extension's
 * confirmation window, as the user would: no grant covers these, each one is asked.
 */
export async function callConfirmed(
  user: ExtensionUser,
  page: Page,
  method: 'invite' | 'removeMember',
  ...args: unknown[]
): Promise<CallResult> {
  const calling = call(page, method, ...args);
  await user.answer('allow');
  return calling;
}

/** The events the page's client received so far, by type. */
export async function clientEvents(page: Page, type?: string): Promise<{ type: string; detail: unknown }[]> {
  const all = await page.evaluate(
    () => (window as unknown as { clientEvents: { type: string; detail: unknown }[] }).clientEvents,
  );
  return type ? all.filter((e) => e.type === type) : all;
}

/** Runs `fn` in the background worker with its e2e probe (`roomkeyE2E`). */
export async function inBackground<T, A>(
  user: ExtensionUser,
  fn: (arg: A) => T | Promise<T>,
  arg: A,
): Promise<T> {
  const worker = await user.worker();
  // Playwright types the argument as it arrives after serialization; these are plain values.
  return worker.evaluate<T, A>(fn as Parameters<Worker['evaluate']>[0] as never, arg);
}

// ---- Firefox ESR, headless, over WebDriver BiDi (no Playwright build of Firefox needed) ----

export const FIREFOX = process.env['ROOMKEY_FIREFOX'] ?? '/usr/bin/firefox-esr';

/** Builds the Firefox variant (`wxt build -b firefox`, plus `--mode e2e` for the test probe). */
export function buildFirefox(mode: 'production' | 'e2e'): string {
  runWxt(['build', '-b', 'firefox', ...(mode === 'e2e' ? ['--mode', 'e2e'] : [])]);
  return join(repoRoot, '.output', mode === 'e2e' ? 'firefox-mv2-e2e' : 'firefox-mv2');
}

export interface FirefoxUser {
  /** Opens a tab at `url` and returns its browsing context id. */
  open(url: string): Promise<string>;
  /** Evaluates an async expression in a context; its value comes back through JSON. */
  evaluate<T>(context: string, expression: string): Promise<T>;
  /** The top-level contexts and their URLs. */
  contexts(): Promise<{ context: string; url: string; children: { context: string; url: string }[] }[]>;
  /** Clicks `#decision` in the next approval window. */
  answer(decision: 'allow' | 'deny' | 'block'): Promise<string>;
  close(): Promise<void>;
}

/**
 * Firefox ESR headless with the extension installed temporarily (`webExtension.install`);
 * `prefs` go into the profile's user.js before it starts.
 */
export async function launchFirefoxWithExtension(
  extensionDir: string,
  prefs: Record<string, string | number | boolean> = {},
): Promise<FirefoxUser> {
  const profile = mkdtempSync(join(tmpdir(), 'roomkey-firefox-'));
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(prefs)
      .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});\n`)
      .join(''),
  );
  const firefox = spawn(
    FIREFOX,
    ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port=0', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Firefox did not start WebDriver BiDi')), 30_000);
    firefox.stderr.on('data', (chunk: Buffer) => {
      const match = /WebDriver BiDi listening on (ws:\S+)/.exec(String(chunk));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    firefox.once('exit', () => reject(new Error('Firefox exited')));
  });
  const ws = new WebSocket(`${endpoint}/session`);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 0;
  const waiting = new Map<number, (reply: BidiReply) => void>();
  ws.onmessage = (m) => {
    const reply = JSON.parse(String(m.data)) as BidiReply;
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
    if (reply.id !== undefined) waiting.delete(reply.id);
  };
  const send = async (method: string, params: object = {}): Promise<Record<string, unknown>> => {
    const reply = await new Promise<BidiReply>((resolve) => {
      const id = ++next;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
    if (reply.type !== 'success') throw new Error(`${method}: ${reply.error} ${reply.message ?? ''}`);
    return reply.result ?? {};
  };
  await send('session.new', { capabilities: {} });
  await send('webExtension.install', { extensionData: { type: 'path', path: extensionDir } });

  const evaluate = async <T>(context: string, expression: string): Promise<T> => {
    const result = (await send('script.evaluate', {
      expression: `(async () => JSON.stringify(await (${expression})) ?? 'null')()`,
      target: { context },
      awaitPromise: true,
    })) as { type: string; result?: { value?: string }; exceptionDetails?: { text?: string } };
    if (result.type === 'exception') throw new Error(`evaluate: ${result.exceptionDetails?.text}`);
    return JSON.parse(result.result?.value ?? 'null') as T;
  };
  const contexts = async () =>
    (
      (await send('browsingContext.getTree', {})) as {
        contexts: Awaited<ReturnType<FirefoxUser['contexts']>>;
      }
    ).contexts;
  const answered = new Set<string>();
  return {
    async open(url) {
      const { context } = (await send('browsingContext.create', { type: 'tab' })) as { context: string };
      await send('browsingContext.navigate', { context, url, wait: 'complete' });
      await waitFor('the page script', () => evaluate<boolean>(context, `'RK' in window`));
      return context;
    },
    evaluate,
    contexts,
    async answer(decision) {
      const approval = await waitFor('an approval window', async () =>
        (await contexts()).find((c) => c.url.includes('/approve.html') && !answered.has(c.context)),
      );
      answered.add(approval.context);
      // The buttons turn on only once the window has been in front for a moment (focus-arm.ts).
      await waitFor('the question, answerable', () =>
        evaluate<boolean>(approval.context, `document.querySelector('#${decision}')?.disabled === false`),
      );
      const text = await evaluate<string>(approval.context, `document.querySelector('main p').textContent`);
      await evaluate(approval.context, `(document.querySelector('#${decision}').click(), null)`);
      return text;
    },
    async close() {
      ws.close();
      firefox.kill();
      await new Promise((resolve) => firefox.once('exit', resolve));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

interface BidiReply {
  id?: number;
  type: 'success' | 'error' | 'event';
  result?: Record<string, unknown>;
  error?: string;
  message?: string;
}

// ---- the account, through the extension's own UI (the only place a password is typed) ----

/** How long an Argon2id sign-up or unlock may take in the extension on a shared 2-core machine. */
export const ACCOUNT_MS = 30_000;

/**
 * Signs up (or in) in the extension's popup page, opened in a tab: server, username, password,
 * then "Create account" / "Sign in". Resolves once the popup shows who is signed in.
 */
export async function enterInPopup(
  user: ExtensionUser,
  how: 'signUp' | 'signIn',
  gateway: string,
  username: string,
  password: string,
): Promise<void> {
  const popup = await user.extensionPage('popup.html');
  try {
    await popup.locator('#sign-in input[name=gateway]').fill(gateway);
    await popup.locator('#sign-in input[name=username]').fill(username);
    await popup.locator('#sign-in input[name=password]').fill(password);
    await popup.locator(`#sign-in button[value=${how}]`).click();
    await popup.locator('#username').waitFor({ timeout: ACCOUNT_MS });
  } finally {
    await popup.close();
  }
}

/** Unlocks in the extension's popup page with the password. */
export async function unlockInPopup(user: ExtensionUser, password: string): Promise<void> {
  const popup = await user.extensionPage('popup.html');
  try {
    await popup.locator('#unlock input[name=password]').fill(password);
    await popup.locator('#unlock button[type=submit]').click();
    await popup.locator('#username').waitFor({ timeout: ACCOUNT_MS });
  } finally {
    await popup.close();
  }
}

/** Signs out in the extension's popup page. */
export async function signOutInPopup(user: ExtensionUser): Promise<void> {
  const popup = await user.extensionPage('popup.html');
  try {
    await popup.locator('#sign-out').click();
    await popup.locator('#sign-in').waitFor();
  } finally {
    await popup.close();
  }
}

/** The extension's sign-in window (sign-in.html), once the background has opened it. */
export async function signInWindow(user: ExtensionUser, timeoutMs = 15_000): Promise<Page> {
  const page = await waitFor(
    'the RoomKey sign-in window',
    async () =>
      user.context
        .pages()
        .find(
          (p) => !p.isClosed() && p.url().startsWith(`chrome-extension://${user.extensionId}/sign-in.html`),
        ),
    timeoutMs,
  );
  await page.waitForLoadState();
  return page;
}
