// Probes for "NATS itself refuses this": a subscription closed with a permission violation, a
// publish or request answered by a publish permission violation (and no reply). Bounded waits.

import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/nats-core';

/** Subscribes; true when NATS refused it. Also returns whatever arrived before the refusal. */
export async function subscribeRefused(
  nc: NatsConnection,
  subject: string,
): Promise<{ refused: boolean; received: number }> {
  let received = 0;
  const sub = nc.subscribe(subject, {
    callback: (error, msg) => {
      if (!error && msg) received++;
    },
  });
  const closed = sub.closed.then(
    (value) => (value instanceof Error ? value.name : 'closed'),
    (error: Error) => error.name,
  );
  await nc.flush().catch(() => undefined);
  const result = await Promise.race([closed, sleep(1000, 'open', { ref: false })]);
  sub.unsubscribe();
  return { refused: result === 'PermissionViolationError', received };
}

/** Resolves true when `nc` reports a publish permission violation for `subject` within `ms`. */
function violation(nc: NatsConnection, subject: string, ms: number): Promise<boolean> {
  const seen = (async () => {
    for await (const s of nc.status()) {
      const error = (s as { error?: Error }).error;
      if (s.type === 'error' && error?.name === 'PermissionViolationError' && error.message.includes(subject))
        return true;
    }
    return false;
  })();
  return Promise.race([seen, sleep(ms, false, { ref: false })]);
}

/** Publishes; true when NATS answered with a publish permission violation. */
export async function publishRefused(
  nc: NatsConnection,
  subject: string,
  data = new Uint8Array([1]),
): Promise<boolean> {
  const seen = violation(nc, subject, 1000);
  nc.publish(subject, data);
  await nc.flush().catch(() => undefined);
  return seen;
}

/** Requests; reports whether NATS refused the publish and whether any reply bytes came back. */
export async function requestRefused(
  nc: NatsConnection,
  subject: string,
  data: Uint8Array | string = '',
): Promise<{ refused: boolean; reply: Uint8Array | undefined }> {
  const seen = violation(nc, subject, 1500);
  let reply: Uint8Array | undefined;
  try {
    reply = (await nc.request(subject, data, { timeout: 1200 })).data;
  } catch {
    reply = undefined;
  }
  return { refused: await seen, reply };
}
