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
import { EXTENSION_MARKER } from '../core/bridge/marker.ts';
import type { ConnectionState, DnsView, KeyState } from './client/types.ts';

/** What the page says while the extension waits for the user to approve this site. */
export const WAITING_FOR_APPROVAL = 'Waiting for your approval in the RoomKey window.';

/**
 * Whether the page waits for the extension: it is installed (the content script marked the
 * document) and no client is there yet — the extension's client arrives once the user answers its
 * question about this site (an approved site gets it at once).
 */
/**
 * Whether the RoomKey extension serves this page (its content script marked the document): then a
 * site sees only the rooms the user approved for it.
 */
export function extensionPresent(): boolean {
  return typeof document !== 'undefined' && document.documentElement.hasAttribute(EXTENSION_MARKER);
}

function waitingForExtension(connection: ConnectionState | undefined, failure?: string): boolean {
  return connection === undefined && !failure && extensionPresent();
}

/**
 * Asks the extension again to let this site use RoomKey: the question already on screen shares its
 * answer, so this only brings its window forward (approval-prompts.ts); it grants nothing.
 */
async function showApprovalWindow(): Promise<void> {
  const { BridgeClient, WindowTransport } = await import('./client/extension-client.ts');
  const client = new BridgeClient(new WindowTransport(window));
  try {
    await client.request('connect', {});
  } catch {
    // Declined or closed: the script tag's own connect reports it.
  } finally {
    client.close();
  }
}

/**
 * What the connection state means for the user. `undefined`: no client has been given yet, or,
 * with `failure`, none could start.
 */
export function connectionText(
  state: ConnectionState | undefined,
  failure?: string,
  keys?: KeyState,
): string {
  if (state === undefined && failure) return couldNotStart(failure);
  if (waitingForExtension(state, failure)) return WAITING_FOR_APPROVAL;
  // Locked or signed out, RoomKey is not connected on purpose: that is not the network being down.
  if (state === 'offline' && keys === 'locked') return 'Not connected while RoomKey is locked.';
  if (state === 'offline' && keys === 'signed-out') return 'Not connected until you sign in.';
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
    <span part="connection-status">${connectionText(connection, failure, keys)}</span>
    ${keyWords ? html`<span aria-hidden="true">·</span><span part="key-status">${keyWords}</span>` : ''}
    ${
      dns
        ? html`<span aria-hidden="true">·</span><span part="dns-status" data-private=${String(dns.private)}>${dns.text}</span>`
        : ''
    }
  </p>
  ${
    waitingForExtension(connection, failure)
      ? html`<button part="show-approval" class="show-approval" type="button" @click=${() => void showApprovalWindow()}>
          Show the RoomKey window
        </button>`
      : nothing
  }`;
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
