/**
 * The shared default client: every RoomKey element that has no `client` property of its own uses
 * the one set here, and follows it when it changes (sign-in pages often create the client after
 * the elements are already on the page).
 * @example setDefaultClient(await connectRoomKey({ gateway: 'https://rooms.example.com' }));
 */
import type { RoomKeyClient } from './types.ts';

let current: RoomKeyClient | undefined;
const changes = new EventTarget();

/** The event type dispatched on {@link defaultClientChanges} when the default client changes. */
export const DEFAULT_CLIENT_CHANGE = 'change';

/**
 * Sets (or with `undefined`, clears) the client used by every element without a `client` property.
 * @example setDefaultClient(client);
 */
export function setDefaultClient(client: RoomKeyClient | undefined): void {
  if (current === client) return;
  current = client;
  changes.dispatchEvent(new Event(DEFAULT_CLIENT_CHANGE));
}

/**
 * The client set by {@link setDefaultClient}, if any.
 * @example const client = getDefaultClient();
 */
export function getDefaultClient(): RoomKeyClient | undefined {
  return current;
}

/**
 * Dispatches `change` whenever {@link setDefaultClient} sets a different client.
 * @example defaultClientChanges.addEventListener('change', () => console.log(getDefaultClient()));
 */
export const defaultClientChanges: EventTarget = changes;
