/**
 * The extension's verify window (verify.html): where, with the extension installed, the user
 * compares or scans a contact's safety number and confirms it, or reviews and accepts a key
 * change. A site may only ask for it to be shown (`openVerifyContact`, for a member of a room it
 * may read); it opens as a window of its own (never framed by the site, so nothing can be laid over
 * its buttons), one at a time (a new ask replaces what it shows); while it is open, one site's
 * repeats within a short while only bring it forward, so a page cannot flood the screen. No web
 * page can load verify.html.
 * @example const windows = new VerifyWindow(control); await windows.show({ site: 'https://app.example', userId });
 */
import { SIGN_IN_QUIET_MS, type WindowControl } from './sign-in-window.ts';

/** Who asked (a site's origin from the browser's sender data, or null for the extension) and about whom. */
export interface VerifyRequest {
  site: string | null;
  userId: string;
}

/**
 * The path of the verify window for `request`.
 * @example verifyPath({ site: 'https://a.example', userId: 'u1' }) // '/verify.html?user=u1&site=…'
 */
export function verifyPath(request: VerifyRequest): string {
  const query = new URLSearchParams({ user: request.userId });
  if (request.site) query.set('site', request.site);
  return `/verify.html?${query}`;
}

/**
 * What the verify window was opened with, read back from its own URL.
 * @example const { userId, site } = verifyRequestOf(location.search);
 */
export function verifyRequestOf(search: string): VerifyRequest {
  const query = new URLSearchParams(search);
  return { userId: query.get('user') ?? '', site: query.get('site') };
}

/** The window control of the verify window: the sign-in window's, plus closing the one shown. */
export interface VerifyWindowControl extends WindowControl {
  close(handle: number): Promise<void>;
}

export class VerifyWindow {
  readonly #control: VerifyWindowControl;
  readonly #now: () => number;
  readonly #quietMs: number;
  readonly #served = new Map<string, number>();
  #handle: number | undefined;

  constructor(control: VerifyWindowControl, options: { now?: () => number; quietMs?: number } = {}) {
    this.#control = control;
    this.#now = options.now ?? Date.now;
    this.#quietMs = options.quietMs ?? SIGN_IN_QUIET_MS;
  }

  /**
   * Opens the window for `request` (closing the one shown before). While the window it opened last
   * is still open, a site's asks within the quiet time are ignored, so it cannot flood the screen
   * or keep replacing what the user is reading; once the user closed it, the next ask opens at once.
   */
  async show(request: VerifyRequest): Promise<void> {
    const asker = request.site ?? '';
    const now = this.#now();
    const last = this.#served.get(asker);
    if (last !== undefined && now - last < this.#quietMs && (await this.#stillOpen())) return;
    this.#served.set(asker, now);
    const previous = this.#handle;
    this.#handle = undefined;
    if (previous !== undefined) await this.#control.close(previous).catch(() => undefined);
    this.#handle = await this.#control.open(verifyPath(request));
  }

  /** Whether the last window is still there (closed without our hearing of it yet: not). */
  async #stillOpen(): Promise<boolean> {
    const handle = this.#handle;
    if (handle === undefined) return false;
    try {
      await this.#control.focus(handle);
      return true;
    } catch {
      if (this.#handle === handle) this.#handle = undefined;
      return false;
    }
  }

  /** A window was closed (browser.windows.onRemoved). */
  closed(handle: number): void {
    if (handle === this.#handle) this.#handle = undefined;
  }
}
