/**
 * Whether a NATS connection was down while a request waited, so a timeout blames the connection
 * ("not connected to the NATS server") rather than the gateway that never got the request. Every
 * connection made by connect.ts is watched from its start; the watch ends when it closes.
 * @example watchConnection(nc); const since = Date.now(); …; if (wasDown(nc, since)) blameTheConnection();
 */
import type { NatsConnection } from '@nats-io/nats-core';

interface Watch {
  /** The connection is down now (disconnected, reconnecting, closed). */
  down: boolean;
  /** When it last went down (ms since the Unix epoch; 0: never). */
  downAt: number;
}

const watches = new WeakMap<NatsConnection, Watch>();

/**
 * Follows `nc`'s status from now on (once per connection).
 * @example watchConnection(await wsconnect(options));
 */
export function watchConnection(nc: NatsConnection, now: () => number = Date.now): void {
  if (watches.has(nc)) return;
  const watch: Watch = { down: false, downAt: 0 };
  watches.set(nc, watch);
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting' || s.type === 'staleConnection') {
        if (!watch.down) watch.downAt = now();
        watch.down = true;
      } else if (s.type === 'reconnect') {
        watch.down = false;
      }
    }
  })().finally(() => {
    watch.down = true;
    watch.downAt ||= now();
  });
}

/**
 * Whether `nc` is down now or went down at or after `sinceMs` (false for a connection not watched).
 * @example if (wasDown(nc, startedAt)) throw notConnected(subject);
 */
export function wasDown(nc: NatsConnection, sinceMs: number): boolean {
  const watch = watches.get(nc);
  if (!watch) return nc.isClosed();
  return watch.down || nc.isClosed() || watch.downAt >= sinceMs;
}
