/**
 * The browser side of the DNS check, kept thin: Firefox says whether its resolver used DNS over
 * HTTPS (`browser.dns.resolve` → `isTRR`); Chromium has no such API, so the extension fetches a
 * URL on the gateway host and reads the address the browser really connected to from `webRequest`
 * (it does not see the worker's own WebSocket, hence a fetch just before connecting).
 * @example const guard = new DnsGuard({ probes: browserDnsProbes(browser), settings });
 */
import type { DnsProbes } from './dns-guard.ts';

/** Firefox's `browser.dns` (MV2 with the `dns` permission). */
interface FirefoxDns {
  resolve(host: string, flags?: string[]): Promise<{ addresses: string[]; isTRR: boolean }>;
}

interface RequestDetails {
  url: string;
  ip?: string;
}
interface WebRequestEvent {
  addListener(listener: (details: RequestDetails) => void, filter: { urls: string[] }): void;
  removeListener(listener: (details: RequestDetails) => void): void;
}
/** The part of `browser.webRequest` the probe uses (permission `webRequest` + host permissions). */
interface WebRequestLike {
  onResponseStarted: WebRequestEvent;
  onErrorOccurred: WebRequestEvent;
}

/** How long after the response the probe waits for webRequest's report (it arrives as an event). */
const REPORT_WAIT_MS = 2000;
/** The whole probe request. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Fetches `url` (with a one-time query so the request is this one, never a cached answer) and
 * returns the IP address webRequest reports for it; undefined when it reports none.
 * @example const ip = await chromiumAddressProbe(browser.webRequest)('https://rooms.example/roomkey-config.json');
 */
export function chromiumAddressProbe(
  webRequest: WebRequestLike,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): (url: string) => Promise<string | undefined> {
  return async (url) => {
    const probe = new URL(url);
    probe.searchParams.set('roomkey-dns-check', crypto.randomUUID());
    let report: (ip: string | undefined) => void = () => undefined;
    const reported = new Promise<string | undefined>((resolve) => {
      report = resolve;
    });
    const listener = (details: RequestDetails) => {
      if (details.url === probe.href) report(details.ip);
    };
    const filter = { urls: ['<all_urls>'] };
    webRequest.onResponseStarted.addListener(listener, filter);
    webRequest.onErrorOccurred.addListener(listener, filter);
    const reportOrNothing = async (): Promise<string | undefined> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), REPORT_WAIT_MS);
      });
      try {
        return await Promise.race([reported, late]);
      } finally {
        clearTimeout(timer);
      }
    };
    try {
      let response: Response;
      try {
        response = await fetchFn(probe.href, {
          cache: 'no-store',
          credentials: 'omit',
          redirect: 'manual',
          referrerPolicy: 'no-referrer',
          signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        });
      } catch (error) {
        // A host that reset the plain request (a WebSocket-only port) was still reached: its
        // address comes with the error report.
        const ip = await reportOrNothing();
        if (ip) return ip;
        throw error;
      }
      await response.body?.cancel().catch(() => undefined);
      return await reportOrNothing();
    } finally {
      webRequest.onResponseStarted.removeListener(listener);
      webRequest.onErrorOccurred.removeListener(listener);
    }
  };
}

/**
 * This browser's probes: Firefox's `dns` API when present, else Chromium's webRequest comparison,
 * else none (the policy then says so: not private).
 * @example const probes = browserDnsProbes(browser);
 */
export function browserDnsProbes(browserApi: object): DnsProbes {
  const api = browserApi as { dns?: unknown; webRequest?: unknown };
  const dns = api.dns as FirefoxDns | undefined;
  if (dns && typeof dns.resolve === 'function')
    return { browser: 'firefox', trr: async (host) => (await dns.resolve(host)).isTRR === true };
  const webRequest = api.webRequest as WebRequestLike | undefined;
  if (webRequest?.onResponseStarted)
    return { browser: 'chromium', connectedAddress: chromiumAddressProbe(webRequest) };
  return { browser: 'chromium' };
}
