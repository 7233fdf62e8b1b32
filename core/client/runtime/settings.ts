/**
 * The client's settings, defined once for every host (the in-page client, the extension's
 * background, the service worker): how long the deployment config may take, how long a gateway
 * request may take, how many messages a catch-up reads, how much of what was handed on is
 * remembered, how reconnects back off and how often the connection is pinged. A host never picks
 * its own: a behaviour that differs between hosts is a bug here, not a setting there.
 * @example const cfg = await fetchDeploymentConfig(url, { timeoutMs: CONFIG_TIMEOUT_MS });
 */
import { CATCH_UP } from '../live-reader.ts';

/** The longest wait for `roomkey-config.json` (then UnavailableError). */
export const CONFIG_TIMEOUT_MS = 8000;

/** The longest wait for one gateway request (room list, cursor, commits, directory). */
export const REQUEST_TIMEOUT_MS = 5000;

/**
 * Messages a catch-up reads per room at most: the live reader resuming after the last delivered
 * sequence (core/client/live-reader.ts), and a service worker's look at what is new. Older ones
 * are in the room's history. There is no clock slack: catch-up goes by stream sequence.
 */
export const CATCH_UP_MESSAGES = CATCH_UP;

/** Message ids remembered per room as handed on (and whether notified): at least one catch-up. */
export const NOTIFIED_PER_ROOM = Math.max(200, CATCH_UP_MESSAGES);

/** Rooms the notified window remembers (the least recently active are forgotten first). */
export const NOTIFIED_ROOMS = 500;

/** Reconnect waits: the first, the longest, and the random share added to each. */
export const BACKOFF_FIRST_MS = 250;
export const BACKOFF_MAX_MS = 30_000;
export const BACKOFF_JITTER = 0.2;

/**
 * The longest wait between two tries of the catch-up after a reconnect (room list, chains,
 * cursors): the gateway may come back later than NATS, and a user waits for the first try after.
 */
export const CATCH_UP_RETRY_MAX_MS = 5000;

/**
 * A ping this often finds a dead connection within two of them (nats.js's default is minutes),
 * and keeps an MV3 extension worker alive while connected (WebSocket traffic extends its life).
 */
export const PING_INTERVAL_MS = 20_000;
export const MAX_PINGS_OUT = 2;
