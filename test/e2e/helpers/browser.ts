// Browsers for e2e tests: Debian's Chromium through playwright-core, headless, one persistent
// context per user (its own temp profile, so users are isolated and a service worker or an
// extension behaves as in a real profile). close() ends the browser and removes the profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env['ROOMKEY_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface BrowserUser {
  name: string;
  context: BrowserContext;
  /** The profile directory (removed by close()). */
  profile: string;
  /** A new tab. */
  page(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchUser(
  name: string,
  options: { extensionDir?: string; launchTimeoutMs?: number; args?: string[] } = {},
): Promise<BrowserUser> {
  const profile = mkdtempSync(join(tmpdir(), `roomkey-${name}-`));
  const args = [...CHROMIUM_ARGS, ...(options.args ?? [])];
  if (options.extensionDir) {
    args.push(
      `--disable-extensions-except=${options.extensionDir}`,
      `--load-extension=${options.extensionDir}`,
    );
  }
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args,
      timeout: options.launchTimeoutMs ?? 60_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  // Bounded waits everywhere: a hung page fails the test instead of the whole run.
  context.setDefaultTimeout(15_000);
  if (process.env['ROOMKEY_E2E_CONSOLE']) echoConsole(name, context);
  let closed = false;
  return {
    name,
    context,
    profile,
    page: () => context.newPage(),
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** ROOMKEY_E2E_CONSOLE=1: every page's and worker's console lines, prefixed with the user, to stderr. */
function echoConsole(name: string, context: BrowserContext): void {
  const start = Date.now();
  const echo = (where: string) => (message: { type(): string; text(): string }) =>
    process.stderr.write(
      `[${name} ${where} +${Date.now() - start}ms] ${message.type()}: ${message.text()}\n`,
    );
  const watch = (page: Page) => {
    page.on('console', echo('page'));
    page.on('pageerror', (error) => echo('page')({ type: () => 'uncaught', text: () => String(error) }));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
