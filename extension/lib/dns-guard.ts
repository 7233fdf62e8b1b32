/**
 * The DNS check the background runs just before it connects to a gateway (sign-up, sign-in,
 * unlock, a restarted worker's resume; again after reconnects and settings changes,
 * lib/dns-recheck.ts), for the gateway's name and each NATS WebSocket host of another name:
 * gathers the evidence with this browser's probe (lib/dns-probes.ts), lets core/dns's
 * `decideDns` rule on it, keeps the status for the popup and the pages, and refuses with
 * DnsNotPrivateError when the policy is `require` and the name was not looked up privately. `off` runs no probe and no DoH lookup at all.
 * @example await guard.check('https://rooms.example/', cfg); // throws DnsNotPrivateError under require
 */
import type { DeploymentConfig } from '../../core/client/index.ts';
import { deploymentConfigUrl } from '../../core/client/index.ts';
import {
  combineDecisions,
  type DnsBrowser,
  type DnsDecision,
  type DnsEvidence,
  DnsNotPrivateError,
  type DnsStatus,
  DohResolver,
  decideDns,
  ipLiteral,
  resolverUrlFor,
} from '../../core/dns/index.ts';
import type { DnsSettings } from './dns-settings.ts';

/** What a browser lets the extension learn about its own DNS. */
export interface DnsProbes {
  browser: DnsBrowser;
  /** Firefox: whether the browser's resolver used its DNS over HTTPS (TRR) for `host`. */
  trr?(host: string): Promise<boolean>;
  /** Chromium: requests `url` and returns the IP address the browser really connected to. */
  connectedAddress?(url: string): Promise<string | undefined>;
}

export interface DnsGuardDeps {
  probes: DnsProbes;
  settings(): Promise<DnsSettings>;
  /** For the DoH resolver; default the platform's. */
  fetch?: typeof fetch;
  /** Every new status (the popup and the pages show it). */
  onStatus?(status: DnsStatus): void;
  /** Per DoH request; default 5000 ms. */
  timeoutMs?: number;
}

/** Names that never reach a DNS server: this computer. */
const LOCAL_NAME = /^(?:localhost|.+\.localhost)$/;

/**
 * The names a connection needs, each with a URL on that host the browser can fetch: the gateway
 * (its deployment config) and each NATS WebSocket host of another name (its http(s) form: the
 * WebSocket itself is invisible to webRequest).
 * @example connectTargets('https://rooms.example/', 'wss://nats.example/ws') // rooms.example, nats.example
 */
export function connectTargets(
  gateway: string,
  natsWebSocketUrl: string | readonly string[] | undefined,
): { host: string; probeUrl: string }[] {
  const targets = [{ host: new URL(gateway).hostname, probeUrl: deploymentConfigUrl(gateway) }];
  for (const raw of natsWebSocketUrl === undefined ? [] : [natsWebSocketUrl].flat()) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue; // the connection itself will say the URL is bad
    }
    if (targets.some((t) => t.host === url.hostname)) continue;
    const scheme = url.protocol === 'wss:' ? 'https:' : 'http:';
    targets.push({ host: url.hostname, probeUrl: `${scheme}//${url.host}/` });
  }
  return targets;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export class DnsGuard {
  readonly #deps: DnsGuardDeps;
  #status: DnsStatus | null = null;
  #checkedWith: DnsSettings | null = null;

  constructor(deps: DnsGuardDeps) {
    this.#deps = deps;
  }

  /** The last check's status; null before the first. */
  get status(): DnsStatus | null {
    return this.#status;
  }

  /** The settings the last check ran under (lib/dns-recheck.ts checks again when they change); null before the first. */
  get checkedWith(): DnsSettings | null {
    return this.#checkedWith;
  }

  /**
   * Checks the gateway's name, and each NATS WebSocket host of another name, per policy; returns
   * the status, or throws DnsNotPrivateError (after recording the status) when the policy refuses.
   * @example const status = await guard.check(gateway, cfg);
   */
  async check(
    gateway: string,
    cfg: Partial<Pick<DeploymentConfig, 'dohUrl' | 'natsWebSocketUrl'>>,
  ): Promise<DnsStatus> {
    const { dnsPolicy: policy, dohResolver } = await this.#deps.settings();
    this.#checkedWith = { dnsPolicy: policy, dohResolver };
    const browser = this.#deps.probes.browser;
    const targets = connectTargets(gateway, cfg.natsWebSocketUrl);
    let decisions: DnsDecision[];
    if (policy === 'off') decisions = [decideDns({ policy, host: targets[0]!.host, browser })];
    else {
      // A fresh resolver per check: connects are rare, and an address cached from an earlier check
      // could hide a change made since.
      const resolver = new DohResolver({
        url: resolverUrlFor(dohResolver, cfg.dohUrl),
        ...(this.#deps.fetch && { fetch: this.#deps.fetch }),
        ...(this.#deps.timeoutMs && { timeoutMs: this.#deps.timeoutMs }),
      });
      decisions = await Promise.all(
        targets.map(async ({ host, probeUrl }) =>
          decideDns({ policy, host, browser, evidence: await this.#evidence(host, probeUrl, resolver) }),
        ),
      );
    }
    const { connect, status } = combineDecisions(decisions);
    this.#status = status;
    this.#deps.onStatus?.(status);
    if (!connect) throw new DnsNotPrivateError(status);
    return status;
  }

  async #evidence(host: string, probeUrl: string, resolver: DohResolver): Promise<DnsEvidence> {
    if (ipLiteral(host) || LOCAL_NAME.test(host)) return { kind: 'no-lookup' };
    const { probes } = this.#deps;
    if (probes.trr) {
      try {
        return { kind: 'trr', isTRR: await probes.trr(host) };
      } catch (error) {
        return { kind: 'no-probe', why: `the browser could not look it up: ${asError(error).message}` };
      }
    }
    if (!probes.connectedAddress)
      return { kind: 'no-probe', why: 'it reports neither its DNS mode nor the address it reached' };
    const connectedAddress = probes.connectedAddress;
    const [doh, connected] = await Promise.all([
      resolver.lookup(host).then(
        (found) => found.addresses.map((a) => a.address),
        (error: unknown) => asError(error),
      ),
      connectedAddress(probeUrl).catch((error: unknown) => asError(error)),
    ]);
    return { kind: 'compare', doh, connected };
  }
}
