/**
 * Connection and key state in words a person understands, and the status line every element
 * shows. Internal.
 * @example html`${statusLine(this.#clients.connection, this.#clients.keys)}`
 */
import { html, type TemplateResult } from 'lit';
import type { ConnectionState, KeyState } from './client/types.ts';

/** What the connection state means for the user. `undefined`: no client has been given yet. */
export function connectionText(state: ConnectionState | undefined): string {
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
 * `connection-status`, `key-status`.
 */
export function statusLine(
  connection: ConnectionState | undefined,
  keys: KeyState | undefined,
): TemplateResult {
  const keyWords = keyText(keys);
  return html`<p
    class="status"
    part="status"
    role="status"
    data-connection=${connection ?? 'none'}
    data-keys=${keys ?? 'none'}
  >
    <span class="dot" aria-hidden="true"></span>
    <span part="connection-status">${connectionText(connection)}</span>
    ${keyWords ? html`<span aria-hidden="true">·</span><span part="key-status">${keyWords}</span>` : ''}
  </p>`;
}
