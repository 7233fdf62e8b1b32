/**
 * The popup's account and approval state in words for people: never a raw state name
 * ("signed-out"), and one count of waiting questions, the same sites the popup names.
 * @example html`<p id="status">${accountWords(status)}</p><p>${pendingWords(status.pendingSites)}</p>`
 */
import type { ConnectionState, KeyState } from '../../core/client/index.ts';

const CONNECTION_WORDS: Record<ConnectionState, string> = {
  online: 'Online',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost, reconnecting…',
  offline: "Offline: can't reach the RoomKey server",
};

/**
 * "Signed in as alice · Online", "Locked: unlock to use your rooms", "Not signed in". The
 * connection is only said while signed in and unlocked: locked or signed out, RoomKey is not
 * connected on purpose, which is not "offline".
 * @example accountWords({ keys: 'ready', connection: 'online', username: 'alice' }) // 'Signed in as alice · Online'
 */
export function accountWords(state: {
  keys: KeyState;
  connection: ConnectionState;
  username?: string | null;
}): string {
  if (state.keys === 'signed-out') return 'Not signed in';
  if (state.keys === 'locked') return 'Locked: unlock to use your rooms';
  const who = state.username ? `Signed in as ${state.username}` : 'Signed in';
  return `${who} · Unlocked · ${CONNECTION_WORDS[state.connection] ?? 'Not connected'}`;
}

/**
 * What waits for the user, naming the sites: '' when nothing does.
 * @example pendingWords(['https://a.example']) // 'https://a.example is waiting for your answer in the RoomKey window.'
 */
export function pendingWords(sites: readonly string[]): string {
  if (sites.length === 0) return '';
  if (sites.length === 1) return `${sites[0]} is waiting for your answer in the RoomKey window.`;
  return `${sites.length} sites are waiting for your answer in RoomKey windows: ${sites.join(', ')}.`;
}

/**
 * The empty site list, true to what is waiting: "No site has asked yet" only when none has.
 * @example emptySitesWords(0) // 'No site has asked yet.'
 */
export function emptySitesWords(waiting: number): string {
  return waiting === 0
    ? 'No site has asked yet.'
    : 'No site is approved yet. The question waiting above is the first: answer it in its window.';
}
