/**
 * The shared default client: every RoomKey element that has no `client` property of its own uses
 * the one set here, and follows it when it changes (sign-in pages often create the client after
 * the elements are already on the page).
 * @example setDefaultClient(await connectInPageClient('https://rooms.example.com/'));
 */
import type { RoomKeyClient } from './types.ts';

let current: RoomKeyClient | undefined;
let failure: string | undefined;
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
  if (client) failure = undefined;
  changes.dispatchEvent(new Event(DEFAULT_CLIENT_CHANGE));
}

/**
 * Says why the page's client could not start (the script tag's wiring failed: a chunk did not
 * load, the gateway's config was unreachable…): elements without a client show it instead of
 * "still starting", and stop waiting for one. Setting a client clears it.
 * @example reportDefaultClientFailure('The RoomKey server did not answer.');
 */
export function reportDefaultClientFailure(message: string): void {
  failure = message;
  changes.dispatchEvent(new Event(DEFAULT_CLIENT_CHANGE));
}

/**
 * Why the default client could not start, if it could not (see {@link reportDefaultClientFailure}).
 * @example const why = defaultClientFailure();
 */
export function defaultClientFailure(): string | undefined {
  return current ? undefined : failure;
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
