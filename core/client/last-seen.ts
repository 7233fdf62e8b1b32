/**
 * "Last seen" in words, for every host's device list (<roomkey-devices>, the extension's popup):
 * whole days only, as the gateway records them (coarse on purpose: no presence log).
 * @example lastSeenWords({ current: false, lastSeenDay: today - 3 }) // 'Last seen 3 days ago'
 */

const DAY_MS = 24 * 3600_000;

/**
 * "Last seen" in words, by whole days on the viewer's clock: today, yesterday, N days ago.
 * @example lastSeenWords({ current: false, lastSeenDay: today - 3 }, now) // 'Last seen 3 days ago'
 */
export function lastSeenWords(device: { current: boolean; lastSeenDay?: number }, now = Date.now()): string {
  if (device.current) return 'This device';
  if (!device.lastSeenDay) return 'Not seen lately';
  const days = Math.floor(now / DAY_MS) - device.lastSeenDay;
  if (days <= 0) return 'Last seen today';
  if (days === 1) return 'Last seen yesterday';
  return `Last seen ${days} days ago`;
}
