/**
 * Where the background keeps the last DNS status for the extension's own pages (the popup reads
 * it and follows changes): one record in `storage.session` (gone when the browser closes), or in
 * `storage.local` where there is no session area.
 * @example await saveDnsStatus(area, status); const shown = await readDnsStatus(area);
 */
import type { DnsStatus } from '../../core/dns/index.ts';
import type { StorageAreaLike } from '../../core/store/index.ts';

export const DNS_STATUS_KEY = 'roomkey:dns-status';

/** @example await saveDnsStatus(browser.storage.session, status); */
export async function saveDnsStatus(area: StorageAreaLike, status: DnsStatus): Promise<void> {
  await area.set({ [DNS_STATUS_KEY]: status });
}

/**
 * The stored status, or null when there is none or it is not one (read leniently: a damaged record
 * shows nothing rather than breaking the popup).
 * @example const status = await readDnsStatus(browser.storage.session);
 */
export async function readDnsStatus(area: StorageAreaLike): Promise<DnsStatus | null> {
  const value = (await area.get(DNS_STATUS_KEY))[DNS_STATUS_KEY] as Partial<DnsStatus> | undefined;
  if (!value || typeof value.text !== 'string' || typeof value.detail !== 'string') return null;
  return value as DnsStatus;
}
