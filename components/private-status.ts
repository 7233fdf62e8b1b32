/**
 * Connection and key state in words a person understands, and the status line every element
 * shows — once per view: of the elements on one page, only the first connected one shows it
 * (`StatusOwner`), so a page with sign-in, rooms and a room says "Online" once. Internal.
 * @example readonly #status = new StatusOwner(this); … html`${this.#status.line(connection, keys, failure, dns)}`
 */
import {
  html,
  nothing,
  type ReactiveController,
  type ReactiveControllerHost,
  type TemplateResult,
} from 'lit';
import type { ConnectionState, DnsView, KeyState } from './client/types.ts';

/**
 * What the connection state means for the user. `undefined`: no client has been given yet, or,
 * with `failure`, none could start.
 */
export function connectionText(state: ConnectionState | undefined, failure?: string): string {
  if (state === undefined && failure) return couldNotStart(failure);
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'online':
      return 'Online';
    case 'offline':
      return "Offline: can't reach the RoomKey server. Check your internet connection.";
    case 'reconnecting':
      return 'Connection lost, reconnecting…';
    default:
      return 'Not connected: RoomKey is still starting.';
  }
}

/** "RoomKey could not start: <why>. Reload the page to try again." */
export function couldNotStart(why: string): string {
  const sentence = /[.!?]$/.test(why.trim()) ? why.trim() : `${why.trim()}.`;
  return `RoomKey could not start: ${sentence} Reload the page to try again.`;
}

/** What the key state means for the user. */
export function keyText(state: KeyState | undefined): string {
  switch (state) {
    case 'signed-out':
      return 'Signed out';
    case 'locked':
      return 'Locked: enter your password to unlock your messages.';
    case 'ready':
      return 'Unlocked';
    default:
      return '';
  }
}

/**
 * The status line: `role="status"` so changes are announced politely. Parts: `status`,
 * `connection-status`, `key-status`, and `dns-status` (with `data-private`) once the extension
 * checked the server's name ("DNS: private", "DNS: not private — …").
 */
export function statusLine(
  connection: ConnectionState | undefined,
  keys: KeyState | undefined,
  failure?: string,
  dns?: DnsView,
): TemplateResult {
  const keyWords = keyText(keys);
  return html`<p
    class="status"
    part="status"
    role="status"
    data-connection=${connection ?? (failure ? 'failed' : 'none')}
    data-keys=${keys ?? 'none'}
  >
    <span class="dot" aria-hidden="true"></span>
    <span part="connection-status">${connectionText(connection, failure)}</span>
    ${keyWords ? html`<span aria-hidden="true">·</span><span part="key-status">${keyWords}</span>` : ''}
    ${
      dns
        ? html`<span aria-hidden="true">·</span><span part="dns-status" data-private=${String(dns.private)}>${dns.text}</span>`
        : ''
    }
  </p>`;
}

type StatusHost = ReactiveControllerHost & HTMLElement;

/** Elements that show a status line, in the order they were connected (per window: each its own). */
const owners: StatusHost[] = [];

/**
 * Decides whether its element shows the status line: only the first connected element of the
 * page that shows one does, so connection and key state appear once per view. When that element
 * leaves, the next one shows it.
 * @example readonly #status = new StatusOwner(this); html`${this.#status.line(c, k)}`
 */
export class StatusOwner implements ReactiveController {
  readonly #host: StatusHost;

  constructor(host: StatusHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    if (!owners.includes(this.#host)) owners.push(this.#host);
    if (owners[0] === this.#host) for (const other of owners.slice(1)) other.requestUpdate();
  }

  hostDisconnected(): void {
    const was = owners.indexOf(this.#host);
    if (was < 0) return;
    owners.splice(was, 1);
    if (was === 0) owners[0]?.requestUpdate();
  }

  /** Whether this element is the one that shows the state. */
  get shows(): boolean {
    return owners[0] === this.#host || !owners.includes(this.#host);
  }

  /** The status line, or nothing when another element of the page shows it. */
  line(
    connection: ConnectionState | undefined,
    keys: KeyState | undefined,
    failure?: string,
    dns?: DnsView,
  ): TemplateResult | typeof nothing {
    return this.shows ? statusLine(connection, keys, failure, dns) : nothing;
  }
}
