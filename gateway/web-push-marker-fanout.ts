/**
 * Read-marker advances told to every gateway: the push attempt for a message lives in the memory
 * of the gateway that routed it, while the marker may be set through any other. Each advance is
 * published on a subject of the GATEWAY account outside what it exports (no client can reach it),
 * and every gateway (no queue group) hands it to its own dispatcher.
 * @example const fanout = startMarkerFanout(nc, pushes, log); fanout.publish({ userId, roomId, seq, fromNkey });
 */
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { utf8 } from '../core/bytes.ts';
import type { PushDispatcher } from './web-push-dispatcher.ts';

/** In the GATEWAY account, which exports rk.v1.gw.> only: private to gateways. */
export const MARKER_FANOUT_SUBJECT = 'rk.internal.v1.marker-advanced';
const MAX_BYTES = 512;

export interface MarkerAdvance {
  userId: string;
  roomId: string;
  seq: number;
  fromNkey: string;
}

export interface MarkerFanout {
  publish(advance: MarkerAdvance): void;
  stop(): void;
}

/**
 * Subscribes every gateway's dispatcher to marker advances (see the top of this file).
 * @example startMarkerFanout(nc, pushes, log).publish({ userId, roomId, seq: 7, fromNkey })
 */
export function startMarkerFanout(
  nc: NatsConnection,
  pushes: Pick<PushDispatcher, 'markerAdvanced'>,
  log: (line: string) => void,
): MarkerFanout {
  const sub: Subscription = nc.subscribe(MARKER_FANOUT_SUBJECT, {
    callback: (error, msg) => {
      if (error) return log(`marker fan-out: ${error.message}`);
      const advance = parse(msg.data);
      if (advance) pushes.markerAdvanced(advance.userId, advance.roomId, advance.seq, advance.fromNkey);
    },
  });
  return {
    publish: (advance) => nc.publish(MARKER_FANOUT_SUBJECT, utf8(JSON.stringify(advance))),
    stop: () => sub.unsubscribe(),
  };
}

/** Only gateways publish here; still, a malformed message is dropped, never trusted. */
function parse(data: Uint8Array): MarkerAdvance | undefined {
  if (data.length > MAX_BYTES) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as Partial<MarkerAdvance>;
    if (typeof v.userId !== 'string' || typeof v.roomId !== 'string' || typeof v.fromNkey !== 'string')
      return undefined;
    if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 1) return undefined;
    return { userId: v.userId, roomId: v.roomId, seq: v.seq as number, fromNkey: v.fromNkey };
  } catch {
    return undefined;
  }
}
