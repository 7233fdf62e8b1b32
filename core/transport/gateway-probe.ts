/**
 * Knowing at once that no gateway runs. nats-server answers a request nobody subscribes to with
 * "no responders" (503) at once, but not across the service import that carries the gateway's API
 * into the app account before 2.10.26: there the request just times out. Every gateway also keeps
 * a subscription in the app account itself, on the devices' presence subjects, so a request there
 * gets a 503 exactly when no gateway process is connected. A gateway request that is still
 * unanswered after PROBE_AFTER_MS sends one such probe; a 503 fails it at once with an
 * UnavailableError naming the gateway. The probe is larger than any presence beacon, so a running
 * gateway drops it unread (gateway/presence.ts refuses beacons over 1 KiB before reading them).
 * @example probeGatewayWith(nc, presenceSubject(nkey)); await gatewayRequest(nc, subject, body);
 */
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { isNoResponders, notRunning } from './nats-failure.ts';

/** A gateway answers in a few ms; only a request still open after this sends a probe. */
export const PROBE_AFTER_MS = 250;
/** A 503 comes back within one round trip; silence this long means a gateway listens. */
const PROBE_WAIT_MS = 2000;
/** Over the gateway's 1 KiB beacon limit (and not a valid beacon either). */
const PROBE_BODY = new Uint8Array(2048);

const probes = new WeakMap<NatsConnection, string>();

/**
 * Gateway requests on `nc` probe `subject` (the device's presence subject) when they are slow.
 * @example probeGatewayWith(nc, presenceSubject(deviceNkey));
 */
export function probeGatewayWith(nc: NatsConnection, subject: string): void {
  probes.set(nc, subject);
}

/**
 * `nc.request`, failing at once with "the gateway is not running" when a probe finds no gateway.
 * @example const msg = await requestOrProbe(nc, ROOM_SUBJECTS.list, body, 5000);
 */
export async function requestOrProbe(
  nc: NatsConnection,
  subject: string,
  body: Uint8Array,
  timeoutMs: number,
): Promise<Msg> {
  const reply = nc.request(subject, body, { timeout: timeoutMs });
  const probe = probes.get(nc);
  if (!probe || timeoutMs <= PROBE_AFTER_MS) return reply;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settled = false;
  const gatewayDown = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      nc.request(probe, PROBE_BODY, { timeout: PROBE_WAIT_MS }).catch((error: Error) => {
        if (!settled && isNoResponders(error)) reject(notRunning('gateway', subject, error));
      });
    }, PROBE_AFTER_MS);
  });
  try {
    return await Promise.race([reply, gatewayDown]);
  } finally {
    settled = true;
    clearTimeout(timer);
  }
}
