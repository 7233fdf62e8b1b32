/**
 * What a wake-up push leads to: the single integration point between the service worker and
 * the client SDK. The push carried no content, so everything a notification says must come from
 * here: connect over NATS with this device's keys, fetch what arrived since the read markers,
 * decrypt locally, and return one entry per notification to show (none for rooms another device
 * already read).
 * @example for (const n of await wakeFromPush()) await registration.showNotification(n.title, { body: n.body, tag: n.tag });
 */

/** One local notification to show; `roomId` '' means "the app", not a room. */
export interface WakeNotification {
  roomId: string;
  title: string;
  body: string;
  /** Notifications with the same tag replace each other (one per room keeps the tray tidy). */
  tag: string;
}

export async function wakeFromPush(): Promise<WakeNotification[]> {
  // TODO(client SDK): the NATS catch-up (connect as this device, fetch since the read markers,
  // decrypt, one entry per room with news) is wired here by the core/client work. Until then a
  // generic notification, which says nothing a push service could not already see.
  return [{ roomId: '', title: 'RoomKey', body: 'New message', tag: 'roomkey' }];
}
