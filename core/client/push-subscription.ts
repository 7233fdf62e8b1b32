/**
 * Web Push for this device, the client's half (DESIGN.md "Presence and notifications"): subscribe
 * a service worker registration with the deployment's VAPID key (only after the user said yes),
 * and save the subscription with the gateway (PUSH_SUBJECTS.save: it keeps it encrypted and only
 * ever sends the 4-byte sentinel), or remove it (PUSH_SUBJECTS.remove). A device saves and removes
 * its own subscription only: the gateway takes the device key from the connection. Nothing here
 * pretends: without a push service (headless Chromium, a denied permission, no VAPID key) the
 * result says why, and nothing is registered.
 * @example const r = await subscribePush(registration, { vapidPublicKey, register: (s) => savePushSubscription(nc, deviceKey, s) });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import * as v1 from '../../proto/index.ts';
import { fromBase64Url } from '../bytes.ts';
import { encode } from '../codec.ts';
import { MalformedError } from '../errors.ts';
import { gatewayRequest } from '../transport/request.ts';
import { PUSH_SUBJECTS } from '../transport/subjects.ts';

/** What the gateway needs to send a push (PushSubscription.toJSON()). */
export interface PushSubscriptionRecord {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
}

export type PushSubscribeResult =
  | { ok: true; subscription: PushSubscriptionRecord }
  | { ok: false; reason: 'unsupported' | 'no-vapid-key' | 'permission' | 'push-service'; message: string };

export interface SubscribeOptions {
  /** The deployment's VAPID public key (base64url, uncompressed P-256); undefined until the gateway has one. */
  vapidPublicKey: string | undefined;
  /** Stores the subscription with the gateway; its failure fails the whole call. */
  register: (subscription: PushSubscriptionRecord) => Promise<void>;
}

/** RFC 8291: the client's P-256 key (uncompressed) and a 16-byte auth secret. */
const P256DH_BYTES = 65;
const AUTH_BYTES = 16;
const MAX_ENDPOINT_CHARS = 2048;

/**
 * Subscribes the registration (or reuses its subscription) and registers it (see the top of this file).
 * @example await subscribePush(await navigator.serviceWorker.ready, { vapidPublicKey, register });
 */
export async function subscribePush(
  registration: ServiceWorkerRegistration,
  options: SubscribeOptions,
): Promise<PushSubscribeResult> {
  if (!registration.pushManager)
    return { ok: false, reason: 'unsupported', message: 'This browser has no Web Push.' };
  if (!options.vapidPublicKey)
    return { ok: false, reason: 'no-vapid-key', message: 'The gateway does not send Web Push yet.' };
  const state = await registration.pushManager
    .permissionState({ userVisibleOnly: true })
    .catch(() => 'prompt' as PermissionState);
  if (state === 'denied')
    return {
      ok: false,
      reason: 'permission',
      message: "Notifications are blocked for this site: allow them in the browser's site settings.",
    };
  let subscription: PushSubscription;
  try {
    subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        // A copy typed as ArrayBuffer-backed, as PushManager wants (BufferSource).
        applicationServerKey: new Uint8Array(fromBase64Url(options.vapidPublicKey)),
      }));
  } catch (error) {
    return {
      ok: false,
      reason: (error as Error).name === 'NotAllowedError' ? 'permission' : 'push-service',
      message: `Could not subscribe to push: ${(error as Error).message}`,
    };
  }
  const record = subscription.toJSON() as PushSubscriptionRecord;
  await options.register(record);
  return { ok: true, subscription: record };
}

/**
 * The PushSubscription message for a subscription record; MalformedError when it is not one a
 * push service could have issued (an https endpoint, or http on loopback; RFC 8291 key sizes).
 * @example const message = pushSubscriptionMessage(deviceKey, subscription.toJSON());
 */
export function pushSubscriptionMessage(
  deviceKey: Uint8Array,
  record: PushSubscriptionRecord,
): { deviceKey: Uint8Array; endpoint: string; p256dh: Uint8Array; auth: Uint8Array; createdAtMs: number } {
  let url: URL;
  try {
    url = new URL(record?.endpoint);
  } catch {
    throw new MalformedError('Push subscription: the endpoint is not a URL.');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new MalformedError('Push subscription: the endpoint must be https.');
  if (record.endpoint.length > MAX_ENDPOINT_CHARS)
    throw new MalformedError('Push subscription: the endpoint is too long.');
  const p256dh = keyBytes(record.keys?.p256dh, 'p256dh');
  const auth = keyBytes(record.keys?.auth, 'auth');
  if (p256dh.length !== P256DH_BYTES || p256dh[0] !== 0x04 || auth.length !== AUTH_BYTES)
    throw new MalformedError('Push subscription: p256dh must be a P-256 point and auth 16 bytes.');
  return { deviceKey, endpoint: record.endpoint, p256dh, auth, createdAtMs: Date.now() };
}

function keyBytes(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string') throw new MalformedError(`Push subscription: ${name} is missing.`);
  try {
    return fromBase64Url(value.replace(/=+$/, ''));
  } catch (cause) {
    throw new MalformedError(`Push subscription: ${name} is not base64url.`, { cause });
  }
}

/**
 * Saves (replaces) this device's subscription with the gateway.
 * @example await savePushSubscription(session.nc, session.deviceKey, subscription.toJSON());
 */
export async function savePushSubscription(
  nc: NatsConnection,
  deviceKey: Uint8Array,
  record: PushSubscriptionRecord,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const body = encode(v1.PushSubscription, pushSubscriptionMessage(deviceKey, record));
  await gatewayRequest(nc, PUSH_SUBJECTS.save, body, options);
}

/**
 * Removes this device's subscription from the gateway (no more pushes reach it).
 * @example await removePushSubscription(session.nc, session.deviceKey);
 */
export async function removePushSubscription(
  nc: NatsConnection,
  deviceKey: Uint8Array,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  await gatewayRequest(nc, PUSH_SUBJECTS.remove, encode(v1.PushSubscription, { deviceKey }), options);
}

/** Web Push on this device, in words (client-api.ts's PushStatus). */
export interface WebPushStatus {
  state: 'on' | 'off' | 'unavailable';
  message: string;
}

const ON: WebPushStatus = {
  state: 'on',
  message: 'This device is notified of new messages while RoomKey is closed.',
};
const OFF: WebPushStatus = {
  state: 'off',
  message: 'This device is not notified while RoomKey is closed.',
};

/** The browser's notification permission ('default' where there is no Notification API). */
function permission(): NotificationPermission {
  return typeof Notification === 'undefined' ? 'default' : Notification.permission;
}

/**
 * Whether this registration is subscribed to Web Push, and whether it could be.
 * @example const status = await webPushStatus(await navigator.serviceWorker.getRegistration());
 */
export async function webPushStatus(
  registration: ServiceWorkerRegistration | undefined,
): Promise<WebPushStatus> {
  if (!registration?.pushManager)
    return { state: 'unavailable', message: 'This page has no service worker with Web Push.' };
  if (permission() === 'denied')
    return {
      state: 'unavailable',
      message: "Notifications are blocked for this site: allow them in the browser's site settings.",
    };
  return (await registration.pushManager.getSubscription().catch(() => null)) ? ON : OFF;
}

/**
 * Turns Web Push on with the user's consent (call it from their click): the browser's permission,
 * a subscription with the deployment's VAPID key, saved with the gateway by `save`.
 * @example await enableWebPush({ registration, vapidPublicKey, save: (s) => session.savePush(s) });
 */
export async function enableWebPush(options: {
  registration: ServiceWorkerRegistration | undefined;
  vapidPublicKey: string | undefined;
  save: (subscription: PushSubscriptionRecord) => Promise<void>;
}): Promise<WebPushStatus> {
  const { registration } = options;
  if (!registration) return webPushStatus(registration);
  if (typeof Notification !== 'undefined' && Notification.permission === 'default')
    await Notification.requestPermission().catch(() => 'default');
  if (permission() !== 'granted')
    return { state: 'off', message: 'Notifications were not allowed: nothing was turned on.' };
  const result = await subscribePush(registration, {
    vapidPublicKey: options.vapidPublicKey,
    register: options.save,
  });
  return result.ok
    ? ON
    : { state: result.reason === 'permission' ? 'off' : 'unavailable', message: result.message };
}

/**
 * Turns Web Push off: the gateway forgets the subscription (`remove`), then the browser's goes.
 * @example await disableWebPush({ registration, remove: () => session.removePush() });
 */
export async function disableWebPush(options: {
  registration: ServiceWorkerRegistration | undefined;
  remove: () => Promise<void>;
}): Promise<WebPushStatus> {
  await options.remove();
  const subscription = await options.registration?.pushManager?.getSubscription().catch(() => null);
  await subscription?.unsubscribe().catch(() => false);
  return OFF;
}
