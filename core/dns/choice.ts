/**
 * Which DoH resolver a person chose: `auto` (the deployment's own `dohUrl`, else the first
 * well-known resolver), the id of a well-known resolver, or a URL they entered.
 * @example resolverUrlFor(parseResolverChoice('quad9'), cfg.dohUrl) // 'https://dns.quad9.net/dns-query'
 */
import { MalformedError } from '../errors.ts';
import { parseDohUrl } from './endpoint.ts';
import { WELL_KNOWN_RESOLVERS } from './well-known.ts';

/** `auto`, a WELL_KNOWN_RESOLVERS id, or a DoH URL (normalized by parseDohUrl). */
export type ResolverChoice = string;

export const AUTO_RESOLVER = 'auto';

/**
 * Checks a resolver choice; MalformedError saying what to enter when it is none of the three.
 * @example parseResolverChoice('https://dns.example/dns-query{?dns}') // 'https://dns.example/dns-query'
 */
export function parseResolverChoice(value: unknown): ResolverChoice {
  if (value === AUTO_RESOLVER) return AUTO_RESOLVER;
  if (typeof value === 'string' && WELL_KNOWN_RESOLVERS.some((r) => r.id === value)) return value;
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(value.trim()))
    throw new MalformedError(
      `Unknown DNS resolver ${JSON.stringify(String(value).slice(0, 60))}: choose one from the list or enter its https:// address.`,
    );
  return parseDohUrl(value);
}

/**
 * The DoH URL to ask for a choice; `deploymentDohUrl` is the deployment config's `dohUrl`.
 * @example resolverUrlFor('auto', undefined) // WELL_KNOWN_RESOLVERS[0].url
 */
export function resolverUrlFor(choice: ResolverChoice, deploymentDohUrl?: string): string {
  if (choice === AUTO_RESOLVER) return deploymentDohUrl ?? WELL_KNOWN_RESOLVERS[0]!.url;
  return WELL_KNOWN_RESOLVERS.find((r) => r.id === choice)?.url ?? parseDohUrl(choice);
}
