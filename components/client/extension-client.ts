/**
 * `ExtensionClient`: the RoomKeyClient of a page when the RoomKey extension is installed — core's
 * BridgeClient over the window transport (core/bridge). Keys, the NATS connection and the user's
 * approval of this site live in the extension; the page only posts requests and receives results
 * and events. The account is the extension's alone: a page cannot sign in, sign up, unlock or sign
 * out (its `openSignIn()` asks the extension to show its own window, where the password is typed).
 * @example const client = await connectExtension({ gateway: 'https://rooms.example.com/' }); if (client) setDefaultClient(client);
 */
import {
  BRIDGE_VERSION,
  BridgeClient,
  EXTENSION_MARKER,
  ExtensionOnlyError,
  type HelloResult,
  WindowTransport,
} from '../../core/bridge/index.ts';
import type { Session } from '../../core/client/index.ts';

export {
  BridgeClient,
  ExtensionOnlyError,
  NotApprovedError,
  WindowTransport,
} from '../../core/bridge/index.ts';

/**
 * The RoomKeyClient of a page when the extension is present.
 * @example const client = new ExtensionClient({ gateway }); await client.connect();
 */
export class ExtensionClient extends BridgeClient {
  constructor(options: { gateway?: string; window?: Window } = {}) {
    super(new WindowTransport(options.window ?? window), { gateway: options.gateway });
  }

  // A password handed to a page's client goes nowhere: it is not even posted on the window (where
  // any script of the page could read it). The user types it in the extension's window instead.
  override async signUp(_username: string, _password: string): Promise<Session> {
    throw new ExtensionOnlyError();
  }
  override async signIn(_username: string, _password: string): Promise<Session> {
    throw new ExtensionOnlyError();
  }
  override async unlock(_password: string): Promise<void> {
    throw new ExtensionOnlyError();
  }
}

/**
 * Whether the content script has marked this document (synchronous, no round trip). The marker
 * alone proves nothing (a page can set it); {@link detectExtension} confirms with a ping.
 * @example if (extensionMarked()) await detectExtension();
 */
export function extensionMarked(doc: Document = document): boolean {
  return doc.documentElement?.hasAttribute(EXTENSION_MARKER) ?? false;
}

/**
 * Asks the content script for `hello`: the versions it speaks, or undefined when no extension
 * answers. Without the marker on a parsed document the answer is known at once (content scripts
 * run at document_start, before any page script); otherwise it waits at most `timeoutMs`.
 * @example const hello = await detectExtension(); if (hello) useExtension();
 */
export async function detectExtension(
  options: { timeoutMs?: number; window?: Window } = {},
): Promise<HelloResult | undefined> {
  const win = options.window ?? window;
  if (!extensionMarked(win.document) && win.document.readyState !== 'loading') return undefined;
  const client = new BridgeClient(new WindowTransport(win));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      client.request('hello', {}),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), options.timeoutMs ?? 500);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

/**
 * The one call for the script tag: an ExtensionClient connected to the extension (after the user
 * approved this site), or undefined when the extension is not installed. Rejects with
 * NotApprovedError when the user declined this site.
 * @example const client = (await connectExtension({ gateway })) ?? (await connectInPage(gateway));
 */
export async function connectExtension(
  options: { gateway?: string; timeoutMs?: number; window?: Window } = {},
): Promise<ExtensionClient | undefined> {
  const hello = await detectExtension(options);
  if (!hello?.versions.includes(BRIDGE_VERSION)) return undefined;
  const client = new ExtensionClient(options);
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}
