/**
 * The DNS settings (part of the extension's settings, lib/settings.ts): the policy (off / prefer /
 * require, default prefer) and the DoH resolver (`auto`: the deployment's own, else the first
 * well-known one; a well-known id; or a URL the person entered).
 * @example checkDnsSetting('dnsPolicy', 'require') // { dnsPolicy: 'require' }
 */
import {
  AUTO_RESOLVER,
  DEFAULT_DNS_POLICY,
  DNS_POLICIES,
  type DnsPolicy,
  parseResolverChoice,
  type ResolverChoice,
} from '../../core/dns/index.ts';
import { MalformedError } from '../../core/errors.ts';

export interface DnsSettings {
  /** How strictly the gateway's name must be looked up privately before connecting. */
  dnsPolicy: DnsPolicy;
  /** Which DNS-over-HTTPS resolver the extension asks (Chromium's check). */
  dohResolver: ResolverChoice;
}

export const DEFAULT_DNS_SETTINGS: DnsSettings = {
  dnsPolicy: DEFAULT_DNS_POLICY,
  dohResolver: AUTO_RESOLVER,
};

/**
 * Checks one DNS setting from a settings change; MalformedError saying what is allowed.
 * @example checkDnsSetting('dohResolver', 'quad9') // { dohResolver: 'quad9' }
 */
export function checkDnsSetting(key: keyof DnsSettings, value: unknown): Partial<DnsSettings> {
  if (key === 'dnsPolicy') {
    if (!DNS_POLICIES.includes(value as DnsPolicy))
      throw new MalformedError(`settings: dnsPolicy must be one of ${DNS_POLICIES.join(', ')}`);
    return { dnsPolicy: value as DnsPolicy };
  }
  return { dohResolver: parseResolverChoice(value) };
}
