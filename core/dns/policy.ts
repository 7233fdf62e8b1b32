/**
 * The DNS privacy policy (off / prefer / require) as one pure decision: given what a browser
 * probe found about the gateway's name, may the client connect, and what does it tell the person.
 * The probes themselves (Firefox's `browser.dns.resolve`, Chromium's DoH lookup compared with the
 * address `webRequest` saw) live in the extension; this file knows no browser API.
 * @example const { connect, status } = decideDns({ policy: 'require', host, browser: 'chromium', evidence });
 */
import { ForbiddenError } from '../errors.ts';
import { ipLiteral } from './name.ts';

/** `off`: never look; `prefer` (default): look and warn; `require`: look and refuse when not private. */
export type DnsPolicy = 'off' | 'prefer' | 'require';

export const DNS_POLICIES: readonly DnsPolicy[] = Object.freeze(['off', 'prefer', 'require']);
export const DEFAULT_DNS_POLICY: DnsPolicy = 'prefer';

/** The browser families whose probes differ (and whose settings the advice names). */
export type DnsBrowser = 'firefox' | 'chromium';

/**
 * What a probe found for the gateway host.
 * - `no-lookup`: the gateway is an IP address or this computer (`localhost`): no DNS query leaves it.
 * - `trr`: Firefox resolved the name; `isTRR` says whether its own DNS over HTTPS (TRR) answered.
 * - `compare`: Chromium; the addresses RoomKey's DoH resolver gave (or why it failed) and the
 *   address the browser really connected to for a request to that host (or why it is unknown).
 * - `no-probe`: this browser offers no way to tell.
 */
export type DnsEvidence =
  | { kind: 'no-lookup' }
  | { kind: 'trr'; isTRR: boolean }
  | { kind: 'compare'; doh: readonly string[] | Error; connected: string | undefined | Error }
  | { kind: 'no-probe'; why: string };

/** What the check concluded, one word each (stable: tests and styles key on it). */
export type DnsFinding =
  | 'off'
  | 'no-dns'
  | 'trr'
  | 'doh-match'
  | 'no-trr'
  | 'mismatch'
  | 'doh-failed'
  | 'no-address'
  | 'no-probe';

/** The DNS status a host shows: `text` for a status line, `detail` for a page that has room. */
export interface DnsStatus {
  policy: DnsPolicy;
  /** The gateway host checked. */
  host: string;
  /** `true` private, `false` not private (or could not be shown to be), `null` not checked. */
  private: boolean | null;
  finding: DnsFinding;
  /** Short, starts with "DNS:", e.g. "DNS: private". */
  text: string;
  /** What happened and, when not private, how to fix it. */
  detail: string;
}

export interface DnsDecision {
  connect: boolean;
  status: DnsStatus;
}

/** Where each browser turns on DNS over HTTPS, in the words of its settings page. */
export const SECURE_DNS_ADVICE: Record<DnsBrowser, string> = {
  firefox:
    'Turn on DNS over HTTPS in Firefox: Settings → Privacy & Security → DNS over HTTPS → "Max Protection" (or "Increased Protection").',
  chromium:
    'Turn on Secure DNS in your browser: Settings → Privacy and security → Security → "Use secure DNS" (chrome://settings/security), with a provider such as Cloudflare or Quad9.',
};

/**
 * An address as one comparable string: IPv6 canonical (brackets dropped), an IPv4-mapped IPv6
 * address as its IPv4 form.
 * @example sameAddressForm('[::FFFF:127.0.0.1]') // '127.0.0.1'
 */
export function sameAddressForm(address: string): string {
  const literal = ipLiteral(address.trim());
  if (!literal) return address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(literal.address);
  if (mapped) return mapped[1]!;
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(literal.address);
  if (mappedHex) {
    const hi = Number.parseInt(mappedHex[1]!, 16);
    const lo = Number.parseInt(mappedHex[2]!, 16);
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  return literal.address;
}

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

interface Found {
  finding: DnsFinding;
  private: boolean | null;
  text: string;
  detail: string;
}

/** Reads the evidence without the policy: what is true about this connection's DNS. */
function judge(host: string, browser: DnsBrowser, evidence: DnsEvidence): Found {
  const advice = SECURE_DNS_ADVICE[browser];
  switch (evidence.kind) {
    case 'no-lookup':
      return {
        finding: 'no-dns',
        private: true,
        text: 'DNS: not used',
        detail: `The RoomKey server is given as ${host} (an IP address or this computer), so no DNS lookup reveals it.`,
      };
    case 'trr':
      return evidence.isTRR
        ? {
            finding: 'trr',
            private: true,
            text: 'DNS: private',
            detail: `Firefox looked up ${host} over its own DNS over HTTPS.`,
          }
        : {
            finding: 'no-trr',
            private: false,
            text: 'DNS: not private — Firefox is not using DNS over HTTPS',
            detail: `Firefox looked up ${host} with the ordinary resolver, so your network or internet provider can see which RoomKey server you use. ${advice}`,
          };
    case 'no-probe':
      return {
        finding: 'no-probe',
        private: false,
        text: 'DNS: not private — this browser cannot check it',
        detail: `RoomKey cannot tell how this browser looked up ${host} (${sentence(evidence.why)}) ${advice}`,
      };
    case 'compare': {
      const { doh, connected } = evidence;
      if (doh instanceof Error)
        return {
          finding: 'doh-failed',
          private: false,
          text: 'DNS: not private — the private lookup failed',
          detail: `RoomKey could not look up ${host} over DNS over HTTPS, so it cannot check the address the browser used: ${sentence(doh.message)} ${advice}`,
        };
      if (connected === undefined || connected instanceof Error)
        return {
          finding: 'no-address',
          private: false,
          text: 'DNS: not private — could not see the address used',
          detail: `The browser did not say which address it reached for ${host}${connected instanceof Error ? ` (${connected.message.replace(/[.!?]$/, '')})` : ''}, so RoomKey cannot compare it with its DNS over HTTPS answer. ${advice}`,
        };
      const used = sameAddressForm(connected);
      const privateAnswers = doh.map(sameAddressForm);
      if (privateAnswers.includes(used))
        return {
          finding: 'doh-match',
          private: true,
          text: 'DNS: private',
          detail: `The browser reached ${host} at ${used}, the address RoomKey's DNS over HTTPS lookup gave. (A browser extension cannot see how the browser itself looked the name up: with Secure DNS off, your network still sees the name.)`,
        };
      return {
        finding: 'mismatch',
        private: false,
        text: 'DNS: not private — possible DNS tampering',
        detail: `The browser reached ${host} at ${used}, but DNS over HTTPS says ${privateAnswers.join(', ') || 'no address'}. Possible DNS tampering: your network's DNS may have changed the answer on the way (or a proxy or VPN stands in between). ${advice}`,
      };
    }
  }
}

/**
 * The policy's decision for one connection: `off` always connects and looks at nothing (the
 * evidence is ignored, and callers should not probe at all); `prefer` connects and carries a
 * warning when not private; `require` connects only when private. Never a silent fallback: a
 * refusal under `require` is a DnsNotPrivateError carrying the same status.
 * @example if (!decideDns({ policy, host, browser, evidence }).connect) throw new DnsNotPrivateError(status);
 */
export function decideDns(input: {
  policy: DnsPolicy;
  host: string;
  browser: DnsBrowser;
  evidence?: DnsEvidence;
}): DnsDecision {
  const { policy, host, browser, evidence } = input;
  if (policy === 'off' || !evidence)
    return {
      connect: policy !== 'require',
      status: {
        policy,
        host,
        private: null,
        finding: 'off',
        text: 'DNS: not checked',
        detail:
          policy === 'off'
            ? 'Private DNS checks are turned off in RoomKey: the browser looks up the server its usual way.'
            : `RoomKey did not check how ${host} was looked up.`,
      },
    };
  const found = judge(host, browser, evidence);
  return {
    connect: found.private === true || policy === 'prefer',
    status: { policy, host, ...found },
  };
}

/**
 * One decision for a connection that needs several names (the gateway, a NATS WebSocket host of
 * another name): it connects only if every name may, and shows the first refusal, else the first
 * warning, else the first status.
 * @example const { connect, status } = combineDecisions(hosts.map((host) => decideDns({ ...input, host })));
 */
export function combineDecisions(decisions: readonly DnsDecision[]): DnsDecision {
  const first = decisions[0];
  if (!first) throw new RangeError('combineDecisions needs at least one decision.');
  const shown =
    decisions.find((d) => !d.connect) ?? decisions.find((d) => d.status.private === false) ?? first;
  return { connect: decisions.every((d) => d.connect), status: shown.status };
}

/**
 * The connection was refused because the DNS policy is `require` and the gateway's name was not
 * (or could not be shown to be) looked up privately. Code `forbidden`; `status` says why.
 * @example if (e instanceof DnsNotPrivateError) show(e.status.detail);
 */
export class DnsNotPrivateError extends ForbiddenError {
  readonly status: DnsStatus;
  constructor(status: DnsStatus) {
    super(
      `Private DNS is required, so RoomKey did not connect to ${status.host}. ${status.detail} (Or choose "Prefer" under Private DNS in RoomKey's settings to connect with a warning.)`,
    );
    this.status = status;
  }
}
