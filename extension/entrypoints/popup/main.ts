// The toolbar popup: sign in/out, lock/unlock, approved sites (revoke), notification and idle-lock
// settings, devices. It talks to the background like any page (a BridgeClient) plus the admin
// commands only the extension's own pages may send. With the sign-in window (sign-in/), the only
// place a password is typed and the only place that signs in, signs out or picks the server.
import { html, nothing, render, type TemplateResult } from 'lit';
import { browser } from 'wxt/browser';
import type { DnsStatus } from '../../../core/dns/index.ts';
import { accountForm, enterAccount } from '../../lib/account-form.ts';
import { accountWords, emptySitesWords, pendingWords } from '../../lib/approval-words.ts';
import { deviceNameCell, type RenameActions } from '../../lib/device-name-popup.ts';
import { dnsSettingsForm, dnsStatusLine } from '../../lib/dns-popup.ts';
import { DNS_STATUS_KEY, readDnsStatus } from '../../lib/dns-status.ts';
import type { DeviceView, SiteView, StatusView } from '../../lib/messages.ts';
import { pageClient } from '../../lib/page-client.ts';
import type { PairingView } from '../../lib/pairing-admin.ts';
import type { NewDeviceView } from '../../lib/pairing-new.ts';
import { addDeviceSection, newDeviceSection } from '../../lib/pairing-popup.ts';
import { loadPasskeys, type PasskeyView, passkeySection } from '../../lib/passkey-section.ts';
import type { Settings } from '../../lib/settings.ts';

const { client, transport } = pageClient();
const root = document.querySelector<HTMLElement>('#app')!;

let status: StatusView | undefined;
let sites: SiteView[] = [];
let settings: Settings | undefined;
let devices: DeviceView[] = [];
/** A device approval waiting in the background (lib/pairing-admin.ts). */
let pairingWaiting: PairingView | null = null;
/** This device's own pairing as a new device, while it runs (lib/pairing-new.ts). */
let newDevice: NewDeviceView | null = null;
let dnsStatus: DnsStatus | null = null;
/** The store's passkeys (lib/passkey-section.ts). */
let passkeys: PasskeyView;
/** Where the background keeps the DNS status (lib/dns-status.ts). */
const dnsArea = browser.storage.session ?? browser.storage.local;
/** The device whose "Revoke" was pressed and waits for confirmation (its key). */
let confirming: string | null = null;
/** The device whose name is being edited (its key). */
let renaming: string | null = null;
let error = '';
let busy = false;

const IDLE_CHOICES = [0, 5, 15, 30, 60, 240];

/** The refresh running now, if any; `again`: something asked for one after it started. */
let refreshing: Promise<void> | undefined;
let again = false;

/**
 * Reloads what the popup shows. One account change fires several events (and an action refreshes
 * too): calls while a refresh runs share it, and it loads once more afterwards, so every caller
 * sees state loaded after its call.
 */
function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      for (;;) {
        again = false;
        try {
          await load();
        } catch (e) {
          // A newer call wants a newer load: its outcome is the one that counts.
          if (!again) throw e;
        }
        if (!again) return;
      }
    } finally {
      again = false;
      refreshing = undefined;
    }
  })();
  return refreshing;
}

async function load(): Promise<void> {
  [status, sites, settings, devices, dnsStatus] = await Promise.all([
    transport.admin('status', {}),
    transport.admin('sites', {}),
    transport.admin('settings', {}),
    // The device list needs the network: offline, the rest of the popup still works.
    transport.admin('devices', {}).catch((e: unknown) => {
      error ||= `Devices: ${e instanceof Error ? e.message : String(e)}`;
      return devices;
    }),
    readDnsStatus(dnsArea).catch(() => null),
  ]);
  pairingWaiting = await transport.admin('pairWaiting', {}).catch(() => null);
  newDevice = await transport.admin('pairNewStatus', {}).catch(() => null);
  passkeys = await loadPasskeys(transport);
  if (!devices.some((d) => d.deviceKey === confirming)) confirming = null;
  if (!devices.some((d) => d.deviceKey === renaming)) renaming = null;
  draw();
}

/** Runs a user action: one at a time, errors shown, state refreshed afterwards. */
async function act(action: () => Promise<unknown>): Promise<void> {
  if (busy) return;
  busy = true;
  error = '';
  draw();
  try {
    await action();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    busy = false;
    await refresh().catch((e: unknown) => {
      error = e instanceof Error ? e.message : String(e);
      draw();
    });
  }
}

function account(s: StatusView): TemplateResult {
  if (s.keys === 'ready') {
    return html`<p>Signed in as <strong id="username">${s.session?.username}</strong></p>
      <div class="row">
        <button id="lock" ?disabled=${busy} @click=${() => act(() => client.lock())}>Lock</button>
        <button id="sign-out" ?disabled=${busy} @click=${() => act(() => client.signOut())}>Sign out</button>
      </div>`;
  }
  return accountForm({
    keys: s.keys,
    username: s.session?.username ?? null,
    gateway: s.gateway ?? settings?.gateway ?? null,
    suggestion: null,
    busy,
    enter: (how, credentials) => void act(() => enterAccount(client, transport, how, credentials)),
    unlock: (password) => void act(() => client.unlock(password)),
    signOut: () => void act(() => client.signOut()),
  });
}

/** What each answer lets the site do, in the popup's words. */
const SITE_WORDS: Record<SiteView['site'], string> = {
  granted: 'approved',
  denied: 'blocked',
  'rooms-only': 'not approved; shows sealed rooms only',
};
const ROOM_WORDS: Record<SiteView['rooms'][number]['access'], string> = {
  read: 'reads and sends',
  sealed: 'sealed view (cannot read)',
  denied: 'declined',
};

function siteList(): TemplateResult {
  if (sites.length === 0)
    return html`<p class="muted" id="no-sites">${emptySitesWords(waitingSites().length)}</p>`;
  return html`<ul id="sites">
    ${sites.map(
      (site) => html`<li data-origin=${site.origin}>
        <div class="row">
          <strong>${site.origin}</strong>
          <span class="muted">${SITE_WORDS[site.site]}</span>
          <button
            class="revoke-site"
            aria-label="Revoke ${site.origin}"
            ?disabled=${busy}
            @click=${() => act(() => transport.admin('revokeSite', { origin: site.origin }))}
          >
            ${site.site === 'denied' ? 'Unblock' : 'Revoke'}
          </button>
        </div>
        ${
          site.rooms.length
            ? html`<ul>
              ${site.rooms.map(
                (room) => html`<li data-room=${room.roomId}>
                  <span><code>${room.roomId.slice(0, 12)}…</code> ${ROOM_WORDS[room.access]}</span>
                  <button
                    class="revoke-room"
                    aria-label="Revoke room ${room.roomId} for ${site.origin}"
                    ?disabled=${busy}
                    @click=${() => act(() => transport.admin('revokeRoom', { origin: site.origin, roomId: room.roomId }))}
                  >
                    Revoke
                  </button>
                </li>`,
              )}
            </ul>`
            : nothing
        }
      </li>`,
    )}
  </ul>`;
}

/** The sites with a question waiting (an older background reports only a count). */
function waitingSites(): string[] {
  return status?.pendingSites ?? (status?.pendingApprovals ? ['A site'] : []);
}

/** What waits for the user, with a button that brings its window forward. */
function pendingNote(): TemplateResult | typeof nothing {
  const words = pendingWords(waitingSites());
  if (!words) return nothing;
  return html`<p id="pending" class="row">
    <span>${words}</span>
    <button id="show-approval" ?disabled=${busy} @click=${() => act(() => transport.admin('focusApprovals', {}))}>
      Show
    </button>
  </p>`;
}

const day = (ms: number): string => new Date(ms).toLocaleDateString();

function deviceActions(d: DeviceView): TemplateResult | typeof nothing {
  if (d.current) return nothing; // "This device" is said beside its name

  if (d.revokedAtMs) return html`<span class="muted">revoked ${day(d.revokedAtMs)}</span>`;
  if (confirming !== d.deviceKey) {
    return html`<button
      class="revoke-device"
      aria-label="Revoke device ${d.name}"
      ?disabled=${busy}
      @click=${() => {
        confirming = d.deviceKey;
        draw();
        root.querySelector<HTMLButtonElement>('.confirm-revoke-device')?.focus();
      }}
    >
      Revoke
    </button>`;
  }
  return html`<span class="row" role="group" aria-label="Confirm revoking ${d.name}">
    <span>Sign it out for good?</span>
    <button
      class="confirm-revoke-device"
      aria-label="Yes, revoke device ${d.name}"
      ?disabled=${busy}
      @click=${() =>
        act(async () => {
          confirming = null;
          await transport.admin('revokeDevice', { deviceKey: d.deviceKey });
        })}
    >
      Revoke
    </button>
    <button
      class="cancel-revoke-device"
      aria-label="Keep device ${d.name}"
      ?disabled=${busy}
      @click=${() => {
        confirming = null;
        draw();
      }}
    >
      Cancel
    </button>
  </span>`;
}

const renameActions: RenameActions = {
  start: (d) => {
    renaming = d.deviceKey;
    confirming = null;
    draw();
    root.querySelector<HTMLInputElement>('.rename-device-input')?.select();
  },
  save: (d, name) =>
    act(async () => {
      await transport.admin('renameDevice', { deviceKey: d.deviceKey, name });
      renaming = null;
    }),
  cancel: () => {
    renaming = null;
    draw();
  },
};

function deviceList(): TemplateResult {
  if (devices.length === 0) return html`<p class="muted">Sign in to see your devices.</p>`;
  return html`<ul id="devices">
    ${devices.map(
      (d) => html`<li data-device=${d.deviceKey}>
        <div class="row">
          ${deviceNameCell(d, { renaming, busy }, renameActions)}
          ${d.issuedAtMs ? html`<span class="muted">since ${day(d.issuedAtMs)}</span>` : nothing}
          ${renaming === d.deviceKey ? nothing : deviceActions(d)}
        </div>
      </li>`,
    )}
  </ul>`;
}

function settingsForm(s: Settings): TemplateResult {
  return html`<label class="row">
      <input
        id="previews"
        type="checkbox"
        .checked=${s.previews}
        @change=${(e: Event) =>
          act(() => transport.admin('setSettings', { previews: (e.target as HTMLInputElement).checked }))}
      />
      Show message text in notifications
    </label>
    <label>
      Lock after the computer is idle for
      <select
        id="idle-lock"
        @change=${(e: Event) =>
          act(() =>
            transport.admin('setSettings', {
              idleLockMinutes: Number((e.target as HTMLSelectElement).value),
            }),
          )}
      >
        ${IDLE_CHOICES.map(
          (m) =>
            html`<option value=${m} ?selected=${m === s.idleLockMinutes}>${m === 0 ? 'never' : `${m} minutes`}</option>`,
        )}
      </select>
    </label>`;
}

function draw(): void {
  const s = status;
  render(
    html`<h1>RoomKey</h1>
      ${
        s
          ? html`<p class="muted" id="status" data-keys=${s.keys}>${accountWords({ ...s, username: s.session?.username })}${
              s.gateway ? html` · ${s.gateway}` : nothing
            }</p>
            ${dnsStatusLine(dnsStatus)}
            ${s.sdk ? nothing : html`<p class="muted">This build has no client SDK yet: sign-in is not possible.</p>`}
            ${pendingNote()}
            <section aria-labelledby="h-account"><h2 id="h-account">Account</h2>${account(s)}
              ${passkeySection({ keys: s.keys, view: passkeys, username: s.session?.username ?? null, busy, act: (a) => void act(a), transport })}
              ${newDeviceSection({
                signedOut: s.keys === 'signed-out',
                view: newDevice,
                gateway: s.gateway ?? settings?.gateway ?? null,
                busy,
                act: (action) => void act(action),
                start: (gateway, password) => transport.admin('pairNew', { gateway, password }),
                cancel: () => transport.admin('pairNewCancel', {}),
              })}
            </section>`
          : html`<p class="muted">Loading…</p>`
      }
      ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
      <section aria-labelledby="h-sites"><h2 id="h-sites">Sites</h2>${siteList()}</section>
      ${
        settings
          ? html`<section aria-labelledby="h-notify"><h2 id="h-notify">Privacy</h2>${settingsForm(settings)}</section>
            <section aria-labelledby="h-dns">
              <h2 id="h-dns">Private DNS</h2>
              ${dnsSettingsForm(settings, busy, (patch) => act(() => transport.admin('setSettings', patch)))}
            </section>`
          : nothing
      }
      <section aria-labelledby="h-devices">
        <h2 id="h-devices">Devices</h2>
        ${deviceList()}
        ${addDeviceSection({
          signedIn: s?.keys === 'ready',
          waiting: pairingWaiting,
          busy,
          act: (action) => void act(action),
          approve: (text) => transport.admin('pairApprove', { text }),
          confirm: () => transport.admin('pairConfirm', {}),
          cancel: () => transport.admin('pairCancel', {}),
          scan: () => void browser.tabs.create({ url: browser.runtime.getURL('/pair.html') }),
        })}
      </section>`,
    root,
  );
}

for (const type of ['keys', 'session', 'connection']) client.addEventListener(type, () => void refresh());
// While this device waits to be paired, follow it (the code, then signed in) without a click.
setInterval(() => {
  if (newDevice?.state === 'offer' || newDevice?.state === 'code') void refresh().catch(() => undefined);
}, 1000);
browser.storage.onChanged.addListener((changes: Record<string, unknown>) => {
  if (DNS_STATUS_KEY in changes) void refresh();
});
draw();
void client
  .connect()
  .then(refresh)
  .catch((e: unknown) => {
    error = e instanceof Error ? e.message : String(e);
    draw();
  });
