/**
 * Passkey unlock in the extension's own pages (popup, sign-in window): the browser's passkey
 * prompt runs here (extension origin, rp id = the extension's id) and only the PRF output goes to
 * the background, which holds the store (account.ts). A site's page never sees any of it: these
 * are admin commands, which only the extension's own pages may send. Signed in: add or remove a
 * passkey; locked: "Unlock with a passkey" beside the password form; no PRF: said plainly.
 * @example html`${passkeySection({ keys, view, username, busy, act, transport })}`
 */
import { html, nothing, type TemplateResult } from 'lit';
import { fromBase64Url, toBase64Url } from '../../core/bytes.ts';
import {
  createPasskey,
  type KeyState,
  NO_PRF_MESSAGE,
  passkeyUnlockSecret,
} from '../../core/client/index.ts';
import type { AdminCommands } from './messages.ts';

/** What the section needs of the page's port (PortTransport's `admin`). */
export interface PasskeyTransport {
  admin<C extends 'passkeys' | 'passkeyUnlock' | 'passkeyAdd' | 'passkeyRemove'>(
    command: C,
    args: AdminCommands[C]['args'],
  ): Promise<AdminCommands[C]['result']>;
}

/** The store's passkeys as the page loaded them (undefined: not loaded yet). */
export type PasskeyView = AdminCommands['passkeys']['result'] | undefined;

const hasWebAuthn = () => typeof PublicKeyCredential !== 'undefined' && !!navigator.credentials;

/**
 * Loads the store's passkeys (an empty list when signed out or on failure).
 * @example view = await loadPasskeys(transport);
 */
export function loadPasskeys(transport: PasskeyTransport): Promise<PasskeyView> {
  return transport.admin('passkeys', {}).catch(() => []);
}

/**
 * The passkey part of the account section.
 * @example passkeySection({ keys: 'locked', view, username, busy, act: (a) => void act(a), transport })
 */
export function passkeySection(options: {
  keys: KeyState;
  view: PasskeyView;
  username: string | null;
  busy: boolean;
  act: (action: () => Promise<unknown>) => void;
  transport: PasskeyTransport;
}): TemplateResult | typeof nothing {
  const { keys, view, busy, act, transport } = options;
  if (!view || keys === 'signed-out') return nothing;
  if (!hasWebAuthn()) {
    return keys === 'ready' ? html`<p class="muted" id="passkey-status">${NO_PRF_MESSAGE}</p>` : nothing;
  }
  const credentials = view.map((c) => ({
    credentialId: fromBase64Url(c.credentialId),
    prfSalt: fromBase64Url(c.prfSalt),
  }));
  if (keys === 'locked') {
    if (credentials.length === 0) return nothing;
    return html`<div class="row">
      <button id="unlock-passkey" ?disabled=${busy} @click=${() =>
        act(async () => {
          const unlock = await passkeyUnlockSecret(credentials);
          await transport.admin('passkeyUnlock', {
            credentialId: toBase64Url(unlock.credentialId),
            secret: toBase64Url(unlock.secret),
          });
        })}>Unlock with a passkey</button>
    </div>`;
  }
  if (credentials.length > 0) {
    return html`<p class="muted" id="passkey-status">A passkey unlocks RoomKey here; your password still does too.</p>
      <div class="row">
        <button id="remove-passkey" ?disabled=${busy} @click=${() => act(() => transport.admin('passkeyRemove', {}))}>
          Remove passkey
        </button>
      </div>`;
  }
  return html`<p class="muted" id="passkey-status">Add a passkey to unlock RoomKey without typing your password.</p>
    <div class="row">
      <button id="add-passkey" ?disabled=${busy} @click=${() =>
        act(async () => {
          const enrolment = await createPasskey({ username: options.username ?? 'RoomKey' });
          await transport.admin('passkeyAdd', {
            credentialId: toBase64Url(enrolment.credentialId),
            prfSalt: toBase64Url(enrolment.prfSalt),
            secret: toBase64Url(enrolment.secret),
          });
        })}>Add a passkey</button>
    </div>`;
}
