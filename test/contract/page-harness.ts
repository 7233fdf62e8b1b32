/**
 * The contract inside a real page (test/e2e/client-contract.test.ts bundles this file): it makes the
 * real client there, `InPageClient` (core in the page, IndexedDB, the deployment's config) or the
 * page's `ExtensionClient` (the installed extension behind it), and plays the steps where the client
 * lives, so its events, errors and classes are the page's own. What only the test can do (answer
 * the extension's windows, the peer's messages) it asks the runner for through `contractHook`, a
 * function the runner exposes to the page.
 * @example await page.evaluate((o) => window.contract.start(o), { mode: 'in-page', user, peer });
 */

import { ExtensionClient } from '../../components/client/extension-client.ts';
import { connectInPageClient } from '../../components/client/in-page.ts';
import { SIGN_IN_QUIET_MS } from '../../extension/lib/sign-in-window.ts';
import { type ContractSubject, type HostMode, startContract } from './room-key-client.contract.ts';

/** What the runner does for the page (in Node): see test/e2e/client-contract.test.ts. */
export type HookName =
  | 'answer-site' // allow the site in the extension's approval window
  | 'confirm' // allow the invite or removal the extension asks about
  | 'sign-up' // fill the extension's sign-in window: create the account
  | 'sign-in' // the same, sign in
  | 'unlock' // the same, unlock
  | 'sign-out' // sign out in the extension's popup
  | 'peer-send'; // the peer sends a message to a room

declare global {
  interface Window {
    contractHook(name: HookName, ...args: unknown[]): Promise<unknown>;
    contract: PageContract;
  }
}

export interface PageStart {
  mode: HostMode;
  user: { username: string; password: string };
  peer: string;
  timeoutMs: number;
}

export interface PageContract {
  start(options: PageStart): Promise<void>;
  step(name: string): Promise<void>;
  close(): Promise<void>;
}

const hook = (name: HookName, ...args: unknown[]): Promise<unknown> => window.contractHook(name, ...args);

/** The page's ExtensionClient, connected: the site is approved in the extension's window. */
async function connected(client: ExtensionClient): Promise<void> {
  const connecting = client.connect();
  connecting.catch(() => undefined);
  await hook('answer-site');
  await connecting;
}

async function subject(options: PageStart): Promise<ContractSubject> {
  const gateway = `${location.origin}/`;
  const peer = {
    username: options.peer,
    send: async (roomId: string, text: string) => {
      await hook('peer-send', roomId, text);
    },
  };
  const common = { user: options.user, peer, timeoutMs: options.timeoutMs };
  if (options.mode === 'in-page') {
    const client = await connectInPageClient(gateway);
    return { ...common, mode: 'in-page', client, close: () => client.close() };
  }
  const client = new ExtensionClient({ gateway });
  await connected(client);
  /** When the page last had the sign-in window: the extension ignores a site's asks soon after. */
  let shown = 0;
  const inWindow = async (name: HookName, ...args: unknown[]) => {
    await hook(name, ...args);
    shown = Date.now();
  };
  return {
    ...common,
    mode: 'extension',
    client,
    extension: {
      signUp: (username, password) => inWindow('sign-up', username, password),
      signIn: async (username, password) => {
        // As the user would: let the site in again (a sign-out forgot it), then ask for the window.
        await connected(client);
        await new Promise((resolve) => setTimeout(resolve, shown + SIGN_IN_QUIET_MS - Date.now()));
        await client.openSignIn();
        await inWindow('sign-in', username, password);
      },
      unlock: (password) => inWindow('unlock', password),
      signOut: async () => {
        await hook('sign-out');
      },
    },
    confirmMembership: async () => {
      await hook('confirm');
    },
    close: async () => client.close(),
  };
}

let run: ReturnType<typeof startContract> | undefined;

window.contract = {
  async start(options) {
    run = startContract(await subject(options));
  },
  async step(name) {
    if (!run) throw new Error('contract.start() first');
    await run.step(name);
  },
  async close() {
    await run?.close();
    run = undefined;
  },
};
