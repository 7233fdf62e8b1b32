/**
 * Well-known public DoH resolvers that publish a no-logging or minimal-logging privacy policy and
 * filter nothing by default (Quad9 blocks known-malicious domains, which it says is its purpose).
 * Data only: names and URLs a person can pick from. RoomKey contacts one only when it is chosen, or
 * (the first) as the extension's `auto` choice when the deployment names no resolver of its own.
 * @example const choice = WELL_KNOWN_RESOLVERS.find((r) => r.id === 'quad9');
 */

/** One resolver a person can choose: a stable id for settings, a display name, its DoH URL. */
export interface WellKnownResolver {
  readonly id: string;
  readonly name: string;
  readonly url: string;
}

/**
 * The list a person picks from (frozen; first is the default a host may offer).
 * @example WELL_KNOWN_RESOLVERS.map((r) => r.name)
 */
export const WELL_KNOWN_RESOLVERS: readonly WellKnownResolver[] = Object.freeze(
  [
    { id: 'cloudflare', name: 'Cloudflare 1.1.1.1', url: 'https://cloudflare-dns.com/dns-query' },
    { id: 'quad9', name: 'Quad9 (blocks malware domains)', url: 'https://dns.quad9.net/dns-query' },
    { id: 'mullvad', name: 'Mullvad DNS', url: 'https://dns.mullvad.net/dns-query' },
    { id: 'wikimedia', name: 'Wikimedia DNS', url: 'https://wikimedia-dns.org/dns-query' },
    {
      id: 'adguard-unfiltered',
      name: 'AdGuard DNS (unfiltered)',
      url: 'https://unfiltered.adguard-dns.com/dns-query',
    },
  ].map((resolver) => Object.freeze(resolver)),
);
