/**
 * The sign-in / sign-up and unlock forms of the extension's own pages (the popup and the sign-in
 * window): with the extension installed, the only places a RoomKey password is typed. The server
 * field starts with the gateway the extension used last (settings); a site's gateway is only
 * offered, next to the site's origin, for the user to take with one click.
 * @example render(accountForm({ keys: 'signed-out', ...actions }), root);
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { BridgeClient } from '../../core/bridge/index.ts';
import type { KeyState } from '../../core/client/index.ts';
import type { PortTransport } from './port-transport.ts';

/** What a sign-in or sign-up sends to the background. */
export interface Credentials {
  gateway: string;
  username: string;
  password: string;
}

export interface AccountFormOptions {
  keys: Exclude<KeyState, 'ready'>;
  /** Who is signed in (locked state), if known. */
  username: string | null;
  /** The server the form starts with: the extension's own (its account, else the one used last). */
  gateway: string | null;
  /** A site's suggestion, shown with its origin; never filled in without the user's click. */
  suggestion: { site: string; gateway: string } | null;
  /**
   * Whether "Use this server" takes clicks yet: the window a site made appear must have been in
   * front for a moment (focus-arm.ts), so a click already on its way cannot pick the site's server.
   */
  suggestionArmed?: boolean;
  busy: boolean;
  enter(how: 'signIn' | 'signUp', credentials: Credentials): void;
  unlock(password: string): void;
  /** Locked state: a way out (the popup has it; the sign-in window leaves sign-out to the popup). */
  signOut?: () => void;
}

function field(form: HTMLFormElement, name: string): string {
  return (form.elements.namedItem(name) as HTMLInputElement).value;
}

/**
 * The form for a signed-out (`#sign-in`) or locked (`#unlock`) extension.
 * @example render(accountForm(options), root);
 */
export function accountForm(o: AccountFormOptions): TemplateResult {
  return o.keys === 'locked' ? unlockForm(o) : signInForm(o);
}

function unlockForm(o: AccountFormOptions): TemplateResult {
  return html`<form
    id="unlock"
    @submit=${(e: SubmitEvent) => {
      e.preventDefault();
      o.unlock(field(e.target as HTMLFormElement, 'password'));
    }}
  >
    ${
      o.username
        ? html`<p>Signed in as <strong>${o.username}</strong>${o.gateway ? html` at <code>${o.gateway}</code>` : nothing}.</p>`
        : nothing
    }
    <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
    <div class="row">
      <button type="submit" ?disabled=${o.busy}>Unlock</button>
      ${
        o.signOut
          ? html`<button type="button" id="sign-out" ?disabled=${o.busy} @click=${o.signOut}>Sign out</button>`
          : nothing
      }
    </div>
  </form>`;
}

function signInForm(o: AccountFormOptions): TemplateResult {
  const { suggestion } = o;
  const offered = suggestion && suggestion.gateway !== o.gateway ? suggestion : null;
  return html`<form
    id="sign-in"
    @submit=${(e: SubmitEvent) => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const how = (e.submitter as HTMLButtonElement | null)?.value === 'signUp' ? 'signUp' : 'signIn';
      o.enter(how, {
        gateway: field(form, 'gateway'),
        username: field(form, 'username'),
        password: field(form, 'password'),
      });
    }}
  >
    <label
      >Server
      <input
        name="gateway"
        type="url"
        placeholder="https://rooms.example.com/"
        value=${o.gateway ?? ''}
        required
        aria-describedby=${offered ? 'suggestion' : nothing}
    /></label>
    ${
      offered
        ? html`<p id="suggestion" class="muted">
            <strong>${offered.site}</strong> uses the RoomKey server <code>${offered.gateway}</code>.
            <button
              type="button"
              id="use-suggestion"
              ?disabled=${o.suggestionArmed === false}
              @click=${(e: Event) => {
                const form = (e.target as HTMLElement).closest('form')!;
                (form.elements.namedItem('gateway') as HTMLInputElement).value = offered.gateway;
              }}
            >
              Use this server
            </button>
          </p>`
        : nothing
    }
    <label>Username <input name="username" autocomplete="username" required /></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
    <div class="row">
      <button name="how" value="signIn" ?disabled=${o.busy}>Sign in</button>
      <button name="how" value="signUp" ?disabled=${o.busy}>Create account</button>
    </div>
  </form>`;
}

/**
 * Signs in or up through the background, then remembers the server for the next sign-in form
 * (a setting only the extension's own pages can change).
 * @example await enterAccount(client, transport, 'signIn', credentials);
 */
export async function enterAccount(
  client: BridgeClient,
  transport: PortTransport,
  how: 'signIn' | 'signUp',
  credentials: Credentials,
): Promise<void> {
  await client.request(how, credentials);
  // Best effort: the account works either way; the form is merely empty next time.
  await transport.admin('setSettings', { gateway: credentials.gateway }).catch(() => undefined);
}
