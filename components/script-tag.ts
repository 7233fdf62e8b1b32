/**
 * The one-script-tag bundle (dist/roomkey.js): everything `index.ts` exports and registers, plus
 * automatic client wiring, so a page needs only
 * `<script type="module" src=".../roomkey.js" data-gateway="https://rooms.example.com/">`.
 * The gateway URL comes from the script's `data-gateway`, else `<meta name="roomkey-gateway">`,
 * else a `gateway` attribute on the first RoomKey element. With none, nothing is wired and the
 * page calls `setDefaultClient` itself.
 * @example import { autoConnected } from './roomkey.js'; autoConnected.catch((e) => show(e.message));
 */
// Static: connect.ts is tiny and only dynamically imports the in-page client (still a lazy chunk),
// so pages without the extension save a serial round trip before that chunk.
import { connectInPage } from './client/connect.ts';
import { getDefaultClient, reportDefaultClientFailure, setDefaultClient } from './client/default.ts';
import type { RoomKeyClient } from './client/types.ts';

export * from './index.ts';

const ELEMENTS = 'roomkey-app, roomkey-sign-in, roomkey-rooms, roomkey-room, roomkey-notifications';

/** The gateway URL the page asks for, absolute and ending in `/`, or undefined. */
export function findGatewayUrl(
  doc: Document = document,
  bundleUrl: string = import.meta.url,
): string | undefined {
  const scripts = [...doc.querySelectorAll<HTMLScriptElement>('script[data-gateway]')];
  // A module script has no document.currentScript: prefer the tag that loaded this very bundle.
  const own = scripts.find((s) => s.src === bundleUrl) ?? scripts[0];
  const raw =
    own?.dataset['gateway'] ??
    doc.querySelector<HTMLMetaElement>('meta[name="roomkey-gateway"]')?.content ??
    doc.querySelector(ELEMENTS)?.getAttribute('gateway') ??
    undefined;
  if (!raw?.trim()) return undefined;
  const url = new URL(raw.trim(), doc.baseURI);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url.href;
}

/** A lazy chunk that fails to load (network, or a site updated under an open page) says so in words. */
function loaded<T>(chunk: Promise<T>): Promise<T> {
  return chunk.catch((cause: unknown) => {
    throw new Error('part of RoomKey did not load (the network dropped, or the site was just updated).', {
      cause,
    });
  });
}

async function autoConnect(): Promise<RoomKeyClient | undefined> {
  if (typeof document === 'undefined') return undefined; // imported outside a page (SSR, a worker)
  const gateway = findGatewayUrl();
  if (!gateway || getDefaultClient()) return undefined;
  // The extension, when installed, keeps the keys out of the page: prefer it. It answers at once
  // when absent (its content script marks the document), so pages without it wait for nothing.
  // Dynamic imports keep the in-page client (core, NATS) off the path of pages that never use it.
  const { connectExtension } = await loaded(import('./client/extension-client.ts'));
  const extension = await connectExtension({ gateway });
  const client = extension ?? (await connectInPage(gateway));
  // The page may have set its own client meanwhile: it wins.
  if (!getDefaultClient()) setDefaultClient(client);
  return client;
}

/**
 * Settles when the automatic wiring is done: the client it set, or undefined when there was
 * nothing to wire (no gateway URL, or the page set a client first).
 * Rejects with the reason it could not connect; the failure is also a `roomkey-connect-error`
 * event on `document` (detail: `{ error, message }`).
 * @example autoConnected.then((client) => client && console.log(client.connection));
 */
export const autoConnected: Promise<RoomKeyClient | undefined> = autoConnect();
autoConnected.catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.warn(`RoomKey: could not connect: ${message}`);
  if (!getDefaultClient()) reportDefaultClientFailure(message);
  document?.dispatchEvent(new CustomEvent('roomkey-connect-error', { detail: { error, message } }));
});
