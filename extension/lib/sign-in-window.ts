/**
 * The extension's sign-in window (sign-in.html): where, with the extension installed, a password
 * is typed to sign in, sign up or unlock. A site may only ask for it to be shown (`openSignIn`);
 * it opens as a window of its own (never framed by the site, so nothing can be laid over its
 * password field), one at a time: a request while it is open focuses it, and one site's requests
 * are de-duplicated for a short while, so a page cannot flood the screen or keep stealing focus.
 * What the asking site suggests (its origin, its gateway) travels in the URL the background builds;
 * no web page can load sign-in.html (it is not web-accessible).
 * @example const windows = new SignInWindow(control); await windows.show({ site: 'https://app.example', gateway: null });
 */

/** Who asked for the window, and the gateway its page names (a suggestion only). */
export interface SignInRequest {
  /** The asking site's origin, from the browser's sender data; null for the extension's own pages. */
  site: string | null;
  gateway: string | null;
}

/** How the window reaches the screen; the background opens a popup window, tests count calls. */
export interface WindowControl {
  /** Opens `path` (`/sign-in.html?…`) in a new window; resolves with a handle to focus it later. */
  open(path: string): Promise<number | undefined>;
  /** Brings the window to the front; rejects when it is gone. */
  focus(handle: number): Promise<void>;
}

/** A site's repeated asks within this time are ignored (one click that fires twice, or a loop). */
export const SIGN_IN_QUIET_MS = 3000;

/**
 * The path of the sign-in window for `request`.
 * @example signInPath({ site: 'https://a.example', gateway: 'https://gw.example/' })
 */
export function signInPath(request: SignInRequest): string {
  const query = new URLSearchParams();
  if (request.site) query.set('site', request.site);
  if (request.gateway) query.set('gateway', request.gateway);
  const text = query.toString();
  return `/sign-in.html${text ? `?${text}` : ''}`;
}

/**
 * What the sign-in window was opened with, read back from its own URL.
 * @example const { site, gateway } = signInRequestOf(location.search);
 */
export function signInRequestOf(search: string): SignInRequest {
  const query = new URLSearchParams(search);
  return { site: query.get('site'), gateway: query.get('gateway') };
}

export class SignInWindow {
  readonly #control: WindowControl;
  readonly #now: () => number;
  readonly #quietMs: number;
  /** Last time each asker (site origin, or '' for the extension) was served. */
  readonly #served = new Map<string, number>();
  #handle: number | undefined;
  #opening: Promise<void> | undefined;

  constructor(control: WindowControl, options: { now?: () => number; quietMs?: number } = {}) {
    this.#control = control;
    this.#now = options.now ?? Date.now;
    this.#quietMs = options.quietMs ?? SIGN_IN_QUIET_MS;
  }

  /** Whether the window is open (as far as the background knows). */
  get open(): boolean {
    return this.#handle !== undefined || this.#opening !== undefined;
  }

  /**
   * Opens the window, or focuses it when it is open already (it keeps what the first asker
   * suggested); a site's asks within SIGN_IN_QUIET_MS of its last one are ignored.
   */
  async show(request: SignInRequest): Promise<void> {
    const asker = request.site ?? '';
    const now = this.#now();
    const last = this.#served.get(asker);
    if (last !== undefined && now - last < this.#quietMs) return;
    this.#served.set(asker, now);
    if (this.#opening) return this.#opening;
    if (this.#handle !== undefined) {
      const handle = this.#handle;
      try {
        return await this.#control.focus(handle);
      } catch {
        // Closed without our hearing of it: open a new one.
        if (this.#handle === handle) this.#handle = undefined;
      }
    }
    this.#opening = (async () => {
      try {
        this.#handle = await this.#control.open(signInPath(request));
      } finally {
        this.#opening = undefined;
      }
    })();
    return this.#opening;
  }

  /** A window was closed (browser.windows.onRemoved): if it was ours, the next ask opens a new one. */
  closed(handle: number): void {
    if (handle === this.#handle) this.#handle = undefined;
  }
}
