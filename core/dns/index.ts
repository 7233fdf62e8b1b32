/**
 * core/dns: DNS over HTTPS (RFC 8484) for A and AAAA, browser-safe (fetch and Uint8Array only).
 * @example import { DohResolver, WELL_KNOWN_RESOLVERS } from '../core/dns/index.ts';
 */
export { type AnswerResult, MAX_CNAME_CHAIN, readAnswer } from './answer.ts';
export { clampTtl, DEFAULT_TTL_BOUNDS, type TtlBounds } from './cache.ts';
export { AUTO_RESOLVER, parseResolverChoice, type ResolverChoice, resolverUrlFor } from './choice.ts';
export { parseDohUrl } from './endpoint.ts';
export { NameNotFoundError, type NameNotFoundReason } from './errors.ts';
export { DNS_MESSAGE } from './exchange.ts';
export { type IpLiteral, ipLiteral, normalizeHostname } from './name.ts';
export {
  combineDecisions,
  DEFAULT_DNS_POLICY,
  DNS_POLICIES,
  type DnsBrowser,
  type DnsDecision,
  type DnsEvidence,
  type DnsFinding,
  DnsNotPrivateError,
  type DnsPolicy,
  type DnsStatus,
  decideDns,
  SECURE_DNS_ADVICE,
  sameAddressForm,
} from './policy.ts';
export { type AddressType, encodeQuery, QUERY_BLOCK, QUERY_ID } from './query.ts';
export { DohResolver, type DohResolverOptions, type Lookup, type Resolution } from './resolver.ts';
export { WELL_KNOWN_RESOLVERS, type WellKnownResolver } from './well-known.ts';
