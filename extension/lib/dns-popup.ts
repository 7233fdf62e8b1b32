/**
 * The popup's "Private DNS" section: the policy (off / prefer / require) and the DNS-over-HTTPS
 * resolver (the server's own, a well-known one, or an address typed in), and the last check's
 * status in words. Templates only; the popup saves through its `setSettings` admin command.
 * @example html`${dnsStatusLine(status)} ${dnsSettingsForm(settings, busy, save)}`
 */
import { html, nothing, type TemplateResult } from 'lit';
import { AUTO_RESOLVER, type DnsPolicy, type DnsStatus, WELL_KNOWN_RESOLVERS } from '../../core/dns/index.ts';
import type { DnsSettings } from './dns-settings.ts';

/** Each policy in the words the popup offers. */
const POLICY_WORDS: Record<DnsPolicy, string> = {
  prefer: 'Prefer: check, warn when not private (recommended)',
  require: 'Require: do not connect unless private',
  off: 'Off: do not check',
};
const CUSTOM = 'custom';

const isUrl = (choice: string) => choice.includes(':');

/**
 * Whether this status kept RoomKey from connecting (or ended its connection): under require,
 * anything but a private lookup does (core/dns's decideDns).
 * @example dnsRefused({ policy: 'require', private: false, ... }) // true
 */
export function dnsRefused(status: Pick<DnsStatus, 'policy' | 'private'>): boolean {
  return status.policy === 'require' && status.private !== true;
}

/**
 * The last DNS check in words: `#dns-status`, with `data-private` true/false/unknown, and
 * `#dns-refused` when that check refused the connection (at connect or after a reconnect).
 * @example html`${dnsStatusLine(status)}`
 */
export function dnsStatusLine(status: DnsStatus | null): TemplateResult | typeof nothing {
  if (!status) return nothing;
  const state = status.private === null ? 'unknown' : String(status.private);
  return html`<p id="dns-status" class=${status.private === false ? 'error' : 'muted'} data-private=${state}>
    <strong>${status.text}</strong> (${status.host})<br /><span id="dns-detail">${status.detail}</span>
    ${
      dnsRefused(status)
        ? html`<br /><span id="dns-refused"
            >RoomKey is not connected: Private DNS is required, and this check did not show a private
            lookup (it is made again at each unlock and each reconnect). Fix the DNS as said above, or
            choose "Prefer" below to connect with a warning.</span
          >`
        : nothing
    }
  </p>`;
}

/**
 * The DNS settings: `#dns-policy`, `#dns-resolver` and `#dns-resolver-url` with `#dns-resolver-save`.
 * @example dnsSettingsForm(settings, busy, (patch) => act(() => transport.admin('setSettings', patch)))
 */
export function dnsSettingsForm(
  settings: DnsSettings,
  busy: boolean,
  save: (patch: Partial<DnsSettings>) => void,
): TemplateResult {
  const choice = settings.dohResolver;
  const selected = isUrl(choice) ? CUSTOM : choice;
  const saveUrl = (form: HTMLFormElement) => {
    const url = new FormData(form).get('url');
    if (typeof url === 'string' && url.trim()) save({ dohResolver: url.trim() });
  };
  return html`<label>
      Look up the RoomKey server privately (DNS over HTTPS)
      <select
        id="dns-policy"
        ?disabled=${busy}
        @change=${(e: Event) => save({ dnsPolicy: (e.target as HTMLSelectElement).value as DnsPolicy })}
      >
        ${(Object.keys(POLICY_WORDS) as DnsPolicy[]).map(
          (p) => html`<option value=${p} ?selected=${p === settings.dnsPolicy}>${POLICY_WORDS[p]}</option>`,
        )}
      </select>
    </label>
    <label>
      Resolver RoomKey asks
      <select
        id="dns-resolver"
        ?disabled=${busy || settings.dnsPolicy === 'off'}
        @change=${(e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          if (value !== CUSTOM) save({ dohResolver: value });
        }}
      >
        <option value=${AUTO_RESOLVER} ?selected=${selected === AUTO_RESOLVER}>
          The RoomKey server's choice (else ${WELL_KNOWN_RESOLVERS[0]!.name})
        </option>
        ${WELL_KNOWN_RESOLVERS.map(
          (r) => html`<option value=${r.id} ?selected=${selected === r.id}>${r.name}</option>`,
        )}
        <option value=${CUSTOM} ?selected=${selected === CUSTOM}>Another (enter its address below)</option>
      </select>
    </label>
    <form
      class="row"
      @submit=${(e: Event) => {
        e.preventDefault();
        saveUrl(e.target as HTMLFormElement);
      }}
    >
      <input
        id="dns-resolver-url"
        name="url"
        type="url"
        aria-label="DNS-over-HTTPS resolver address"
        placeholder="https://dns.example/dns-query"
        .value=${isUrl(choice) ? choice : ''}
        ?disabled=${busy || settings.dnsPolicy === 'off'}
      />
      <button id="dns-resolver-save" type="submit" ?disabled=${busy || settings.dnsPolicy === 'off'}>Use</button>
    </form>
    <p class="muted">
      Firefox is checked with its own DNS over HTTPS setting; Chrome and Edge by comparing the address
      they reached with the resolver's answer.
    </p>`;
}
