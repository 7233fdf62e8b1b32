/**
 * Who is on the other end of a port, decided only from what the browser says about the sender
 * (`sender.origin`, `sender.url`, `sender.tab`, `sender.frameId`), never from anything a web page
 * sent. A content script's site is its frame's origin; the extension's own pages are trusted; a
 * sealed room page inside an iframe acts for the site that embeds it. The sealed page is the one
 * page any web page can load, so it is never trusted as the extension: in a tab of its own it is
 * refused (a site could open it there for any room id it knows). The extension shows a room in a
 * tab with room.html, which no web page can load.
 * @example const caller = callerOf(port, { id: browser.runtime.id, origin: new URL(browser.runtime.getURL('/')).origin });
 */
import { ForbiddenError } from '../../core/errors.ts';
import { BRIDGE_PORT, PAGE_PORT, parseSealedPortName } from './messages.ts';

/** Who sends requests on a port. */
export type Caller =
  /** One of the extension's own pages. `admin`: the popup or approval window (may change approvals). */
  | { kind: 'extension'; admin: boolean }
  /** A site: `page` is its content script (the page sees results), `sealed` the extension iframe it embeds. */
  | { kind: 'site'; origin: string; frame: 'page' | 'sealed' };

/**
 * The kind of frame a caller is: a site's page, a sealed iframe, or the extension's own page.
 * @example frameKind({ kind: 'extension', admin: false }) === 'extension'
 */
export function frameKind(caller: Caller): 'page' | 'sealed' | 'extension' {
  return caller.kind === 'extension' ? 'extension' : caller.frame;
}

/** The part of `runtime.MessageSender` used here. */
export interface SenderLike {
  id?: string;
  url?: string;
  origin?: string;
  frameId?: number;
  tab?: { id?: number; url?: string; windowId?: number };
}

/** This extension, as the background knows it. */
export interface ExtensionIdentity {
  id: string;
  /** `chrome-extension://<id>` or `moz-extension://<uuid>` (no trailing slash). */
  origin: string;
}

/** Pages allowed to manage approvals and settings (sign-in.html: the sign-in window reads and keeps the server). */
const ADMIN_PAGES = new Set(['/popup.html', '/approve.html', '/sign-in.html', '/pair.html']);
/** The web-accessible page (wxt.config.ts): only ever a site's sealed frame. */
const SEALED_PAGE = '/sealed-room.html';

/**
 * The web origin of `value` if it is a canonical http(s) origin or URL, else undefined. Opaque
 * origins ("null"), file:, data:, blob: wrappers of other schemes and extension URLs are refused.
 * @example webOrigin('https://a.example/path') === 'https://a.example'
 */
export function webOrigin(value: string | undefined): string | undefined {
  if (!value || value === 'null') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url.origin;
}

/** The path of `url` inside the extension, or undefined when `url` is not an extension URL. */
function extensionPath(url: string | undefined, extension: ExtensionIdentity): string | undefined {
  // By prefix, not new URL().origin: for non-special schemes (chrome-extension:, moz-extension:)
  // some URL parsers answer "null".
  if (!url?.startsWith(`${extension.origin}/`)) return undefined;
  return url.slice(extension.origin.length).split(/[?#]/)[0];
}

function refuse(why: string): ForbiddenError {
  return new ForbiddenError(`RoomKey extension: connection refused (${why}).`);
}

/**
 * Decides the caller of a port from its name and the browser-provided sender, or returns the
 * ForbiddenError to disconnect with.
 * @example const caller = callerOf(port, self); if (caller instanceof Error) port.disconnect();
 */
export function callerOf(
  port: { name: string; sender?: SenderLike },
  extension: ExtensionIdentity,
): Caller | ForbiddenError {
  const sender = port.sender;
  if (!sender || sender.id !== extension.id) return refuse('not this extension');
  const path = extensionPath(sender.url, extension);
  const fromExtension = path !== undefined;
  const embedded = sender.tab !== undefined && (sender.frameId ?? 0) !== 0;

  if (port.name === BRIDGE_PORT) {
    if (fromExtension) return refuse('a bridge port from an extension page');
    // Chromium's sender.origin is the frame's real origin ("null" when sandboxed); Firefox may lack
    // it, and then the frame's URL is the best the browser offers.
    const origin = sender.origin !== undefined ? webOrigin(sender.origin) : webOrigin(sender.url);
    if (!origin) return refuse('the page has no http(s) origin');
    return { kind: 'site', origin, frame: 'page' };
  }

  if (!fromExtension) return refuse('an extension port from a web page');

  if (port.name === PAGE_PORT) {
    if (embedded) return refuse('an extension page inside another page');
    // Web pages can load the sealed page: it never speaks as the extension itself.
    if (path === SEALED_PAGE) return refuse('the sealed room page as an extension page');
    return { kind: 'extension', admin: ADMIN_PAGES.has(path) };
  }

  const embedding = parseSealedPortName(port.name);
  if (embedding && path === SEALED_PAGE) {
    if (!embedded) {
      return refuse(
        'a sealed room page outside a frame; it only works inside a site, and the extension opens rooms in room.html',
      );
    }
    const direct = embedding.ancestors?.[0];
    const origin =
      direct !== undefined
        ? webOrigin(direct)
        : embedding.parentIsTop
          ? webOrigin(sender.tab?.url)
          : undefined;
    if (!origin) return refuse('the sealed room is not embedded by an http(s) page it can name');
    return { kind: 'site', origin, frame: 'sealed' };
  }
  return refuse('unknown port');
}
