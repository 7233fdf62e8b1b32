/**
 * Deep links into the app: `#room=<roomId>` after the app's path (the service worker's scope).
 * The fragment never reaches a server, so the precached shell answers every deep link.
 * @example roomDeepLink('abc', 'https://demo.example/') // → 'https://demo.example/#room=abc'
 */

/** The absolute URL that opens `roomId` in the app at `scope`; '' → the app itself. */
export function roomDeepLink(roomId: string, scope: string): string {
  const url = new URL(scope);
  url.search = '';
  url.hash = roomId ? `room=${encodeURIComponent(roomId)}` : '';
  return url.href;
}

/** `roomDeepLink` as a path (`/#room=abc`): what a notification carries in `data.url`. */
export function roomDeepLinkPath(roomId: string, scope: string): string {
  const url = new URL(roomDeepLink(roomId, scope));
  return url.pathname + url.hash;
}

/** The room a URL's fragment asks for (`#room=<id>`), or ''. */
export function roomFromUrl(url: string): string {
  let hash: string;
  try {
    hash = new URL(url).hash;
  } catch {
    return '';
  }
  return new URLSearchParams(hash.slice(1)).get('room') ?? '';
}

/** Whether `url` is a page of the app at `scope` (same origin, under the scope's path). */
export function inScope(url: string, scope: string): boolean {
  try {
    return new URL(url).href.startsWith(new URL(scope).href);
  } catch {
    return false;
  }
}
