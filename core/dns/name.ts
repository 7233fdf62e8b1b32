/**
 * Host names as the resolver asks for them: ASCII, lower case, no trailing dot, and the checks
 * that keep an IP literal or a malformed name from ever reaching the wire.
 * @example normalizeHostname('Rooms.Example.COM.') // 'rooms.example.com'
 */
import { MalformedError } from '../errors.ts';

/** RFC 1035 §2.3.4: 255 octets on the wire, so 253 characters in text without the root dot. */
const MAX_NAME_CHARS = 253;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * Lower-cases a host name and drops one trailing dot; MalformedError unless it is a DNS name of
 * letters, digits, `-` and `_` (non-ASCII names must come in their punycode form, as
 * `new URL(...).hostname` gives them). An all-numeric last label is an IP address, not a name.
 * @example normalizeHostname('GW.test.') // 'gw.test'
 */
export function normalizeHostname(input: string): string {
  if (typeof input !== 'string') throw new MalformedError('A host name must be a string.');
  const name = input.toLowerCase().replace(/\.$/, '');
  const bad = (why: string) =>
    new MalformedError(
      `Not a host name: ${JSON.stringify(input.slice(0, 80))} (${why}). Give a DNS name such as rooms.example.com (punycode for non-ASCII names).`,
    );
  if (name === '') throw bad('empty');
  if (name.length > MAX_NAME_CHARS) throw bad(`longer than ${MAX_NAME_CHARS} characters`);
  const labels = name.split('.');
  for (const label of labels) {
    if (!LABEL.test(label))
      throw bad(`label ${JSON.stringify(label.slice(0, 70))} is not 1-63 letters, digits, - or _`);
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) throw bad('it ends in a number, like an IP address');
  return name;
}

/** An address written as an IP literal: it resolves to itself without asking anyone. */
export interface IpLiteral {
  address: string;
  family: 4 | 6;
}

/**
 * The IP literal a host string holds (`127.0.0.1`, `::1` or `[::1]`, IPv6 in its canonical form),
 * or undefined when it is not one.
 * @example ipLiteral('[::1]') // { address: '::1', family: 6 }
 */
export function ipLiteral(host: string): IpLiteral | undefined {
  if (IPV4.test(host)) return { address: host, family: 4 };
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (!bare.includes(':') || !/^[0-9a-fA-F:.]+$/.test(bare)) return undefined;
  try {
    // The URL parser is the platform's own IPv6 parser (Node and browsers), and canonicalizes.
    return { address: new URL(`http://[${bare}]/`).hostname.slice(1, -1), family: 6 };
  } catch {
    return undefined;
  }
}
