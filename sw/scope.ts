/**
 * The service-worker globals sw/ uses, typed here because the project compiles against the DOM
 * library (the WebWorker library cannot be loaded beside it). Only what sw/ touches.
 * @example const sw = self as unknown as SwGlobalScope; sw.addEventListener('push', onPush);
 */

export interface SwExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}

export interface SwPushEvent extends SwExtendableEvent {
  readonly data: { arrayBuffer(): ArrayBuffer } | null;
}

export interface SwNotificationEvent extends SwExtendableEvent {
  readonly notification: Notification;
  readonly action: string;
}

export interface SwWindowClient {
  readonly id: string;
  readonly url: string;
  readonly focused: boolean;
  focus(): Promise<SwWindowClient>;
  /** Rejects for a window this worker does not control; null when it leaves the origin. */
  navigate(url: string): Promise<SwWindowClient | null>;
}

export interface SwClients {
  matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly SwWindowClient[]>;
  /** Allowed only while handling a notification click the user made. */
  openWindow(url: string): Promise<SwWindowClient | null>;
}

/** One precache entry as workbox-build injects it into `self.__WB_MANIFEST`. */
export interface PrecacheEntryLike {
  url: string;
  revision: string | null;
}

export interface SwGlobalScope {
  readonly registration: ServiceWorkerRegistration;
  readonly clients: SwClients;
  readonly __WB_MANIFEST: PrecacheEntryLike[];
  skipWaiting(): Promise<void>;
  addEventListener(type: 'push', listener: (event: SwPushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: SwNotificationEvent) => void): void;
}
