/**
 * Checks a DoH endpoint URL (a deployment's `dohUrl`, a well-known resolver, one a person typed).
 * No DNS library here, so core/client's config can use it without pulling in the wire code.
 * @example parseDohUrl('https://dns.quad9.net/dns-query') // 'https://dns.quad9.net/dns-query'
 */
import { MalformedError } from '../errors.ts';

/** Loopback hosts, where plain http is allowed: the local DoH server of tests and the local stack. */
const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/;

/**
 * Normalizes a DoH endpoint URL, or throws MalformedError saying what to fix: it must be
 * `https:` (plain `http:` only on loopback), carry no user name, password or fragment, and have no
 * `dns` parameter of its own. An RFC 8484 URI template (`…/dns-query{?dns}`) is accepted and
 * reduced to its URL.
 * @example parseDohUrl('https://cloudflare-dns.com/dns-query{?dns}') // 'https://cloudflare-dns.com/dns-query'
 */
export function parseDohUrl(input: string): string {
  const bad = (why: string) =>
    new MalformedError(
      `DNS-over-HTTPS resolver URL ${JSON.stringify(String(input).slice(0, 200))} ${why}. Enter the resolver's full https:// address, such as https://dns.quad9.net/dns-query.`,
    );
  if (typeof input !== 'string') throw bad('is not text');
  if (input.trim() === '') throw bad('is empty');
  let url: URL;
  try {
    url = new URL(input.trim().replace(/\{\?dns\}$/, ''));
  } catch {
    throw bad('is not a URL');
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname))
    throw bad('is plain http: DNS answers would travel unencrypted and could be changed on the way');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('is not an https URL');
  if (url.username || url.password) throw bad('contains a user name or password');
  if (url.href.includes('#')) throw bad('contains a #fragment');
  if (url.searchParams.has('dns')) throw bad('already has a dns= parameter');
  return url.href;
}
