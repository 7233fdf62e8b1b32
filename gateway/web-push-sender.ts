/**
 * One Web Push request: the sentinel encrypted for the subscription (RFC 8291 aes128gcm) with a
 * VAPID JWT (RFC 8292), both made by the `web-push` library, POSTed to the push service (RFC 8030)
 * with TTL, Urgency and Topic. The answer is sorted into what the caller must do: nothing (sent),
 * forget the subscription (gone), log a bug (rejected), or try again later (retry).
 * @example const outcome = await sendPush(subscription, PushSentinelKind.WAKE, { vapid, topic });
 */
import webpush from 'web-push';
import { toBase64Url } from '../core/bytes.ts';
import { encode } from '../core/codec.ts';
import { type roomkey, v1 } from '../proto/index.ts';
import { blindKey, type ServerKeys } from './server-keys.ts';
import type { VapidKeys } from './vapid-keys.ts';

export type PushOutcome =
  | { kind: 'sent'; status: number }
  /** 404/410: the subscription expired or was unsubscribed; delete it. */
  | { kind: 'gone'; status: number }
  /** 400/413 and other 4xx: the request itself is wrong (a bug on our side); do not repeat it. */
  | { kind: 'rejected'; status: number }
  /** 429/5xx or no answer: try again, not before `retryAfterMs` when the service said so. */
  | { kind: 'retry'; status: number; retryAfterMs?: number };

export interface PushRequestOptions {
  vapid: VapidKeys;
  /** VAPID `sub`: a mailto: or https: contact for the push service's operators. */
  subject: string;
  /** One topic per device (≤ 32 base64url characters): the push service keeps one pending push per topic. */
  topic: string;
  /** Seconds the push service may hold the push for an offline device. */
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  timeoutMs: number;
}

/** How long a push service may take to answer before the request counts as failed. */
export const PUSH_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The 4 bytes every push carries: PushSentinel { version: 1, kind } (kinds are 1 and 2, so every
 * sentinel has the same length).
 * @example sentinelBytes(v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE).length // 4
 */
export function sentinelBytes(kind: roomkey.v1.PushSentinelKind): Uint8Array {
  return encode(v1.PushSentinel, { version: 1, kind });
}

/**
 * Sends one sentinel to one subscription and sorts the answer (see the top of this file).
 * @example await sendPush(sub, v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE, options)
 */
export async function sendPush(
  subscription: roomkey.v1.PushSubscription,
  kind: roomkey.v1.PushSentinelKind,
  options: PushRequestOptions,
): Promise<PushOutcome> {
  let request: webpush.RequestDetails;
  try {
    request = webpush.generateRequestDetails(
      {
        endpoint: subscription.endpoint,
        keys: { p256dh: toBase64Url(subscription.p256dh), auth: toBase64Url(subscription.auth) },
      },
      Buffer.from(sentinelBytes(kind)),
      {
        vapidDetails: { subject: options.subject, ...options.vapid },
        TTL: options.ttlSeconds,
        urgency: options.urgency,
        topic: options.topic,
        contentEncoding: 'aes128gcm',
      },
    );
  } catch {
    return { kind: 'rejected', status: 0 }; // keys or options web-push refuses: ours to fix
  }
  let response: Response;
  try {
    response = await fetch(request.endpoint, {
      method: 'POST',
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
      body: request.body ? new Uint8Array(request.body) : null,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.body?.cancel();
  } catch {
    return { kind: 'retry', status: 0 };
  }
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: 'sent', status };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    return retryAfterMs === undefined ? { kind: 'retry', status } : { kind: 'retry', status, retryAfterMs };
  }
  return { kind: 'rejected', status };
}

/**
 * Retry-After (RFC 9110 §10.2.3): delay seconds or an HTTP date; undefined when absent or unreadable.
 * @example parseRetryAfter('3', Date.now()) // 3000
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only an IMF-fixdate: Date.parse takes far more (e.g. "-5" as a year), none of it meant here.
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/**
 * The push Topic of a device: a keyed hash of its nkey (32 base64url characters), so pushes to one
 * device replace each other at the push service and the topic names nothing the service could use.
 * @example pushTopic(keys, nkey).length // 32
 */
export function pushTopic(keys: ServerKeys, nkey: string): string {
  return blindKey(keys, 'push-topic', nkey).slice(0, 32);
}
