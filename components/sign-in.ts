import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { EXTENSION_MARKER } from '../core/bridge/marker.ts';
import { normalizeUsername } from '../core/transport/username.ts';
import { ClientController } from './client/client-controller.ts';
import type { KeyState, RoomKeyClient } from './client/types.ts';
import type { ErrorDetail } from './events.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';
import { couldNotStart, StatusOwner } from './private-status.ts';
import { base } from './private-styles.ts';
import './passkey-define.ts';

/** Shortest password accepted at sign-up. */
export const PASSWORD_MIN = 8;
/** How long a submit waits for the page's client to arrive (it loads after the elements). */
const CLIENT_WAIT_MS = 20_000;

type View = 'sign-in' | 'sign-up' | 'unlock' | 'ready';
type Field = 'username' | 'password' | 'confirm';
type FieldErrors = Partial<Record<Field, string>>;

const TITLES: Record<View, string> = {
  'sign-in': 'Sign in to RoomKey',
  'sign-up': 'Create a RoomKey account',
  unlock: 'Unlock RoomKey',
  ready: 'RoomKey',
};
const SUBMIT: Record<Exclude<View, 'ready'>, [idle: string, busy: string]> = {
  'sign-in': ['Sign in', 'Signing in…'],
  'sign-up': ['Create account', 'Creating account…'],
  unlock: ['Unlock', 'Unlocking…'],
};
/** Extension mode: the button that asks the extension for its own window. */
const OPEN_EXTENSION: Record<Exclude<View, 'ready'>, string> = {
  'sign-in': 'Sign in with the RoomKey extension',
  'sign-up': 'Create an account with the RoomKey extension',
  unlock: 'Unlock in RoomKey',
};

/**
 * Sign up, sign in, lock and unlock. A signed-out user sees the sign-in form (or the sign-up form,
 * see `mode`); a user whose keys are locked on this device sees the unlock form; a user who is
 * ready sees who is signed in, with Lock and Sign out. Validation messages sit under each field;
 * errors from the client (wrong password, rate limits…) are shown and announced.
 *
 * With the RoomKey extension (its client has `openSignIn`, or, before the client arrives, the
 * extension has marked the document) the element has no password field at all: passwords are
 * typed only in the extension's own window, and only the extension signs in or out. It shows the
 * state and a button that asks the extension to open that window ("Sign in with the RoomKey
 * extension", "Unlock in RoomKey"); when signed in, Lock (sign-out is in the extension). The
 * events then follow the extension's state (`roomkey-signed-in` has `created: false`).
 *
 * @tagname roomkey-sign-in
 * @summary Sign up / sign in / lock / unlock.
 *
 * @attr {'sign-in' | 'sign-up'} mode - Which form a signed-out user sees. Default `sign-in`; the user can switch.
 * @attr {boolean} busy - Present while a request is in flight (read-only, for styling).
 *
 * @fires {CustomEvent<SignedInDetail>} roomkey-signed-in - Sign-in or sign-up succeeded; `detail.created` is true for a new account.
 * @fires {CustomEvent<null>} roomkey-signed-out - The user signed out.
 * @fires {CustomEvent<null>} roomkey-locked - The user locked their keys.
 * @fires {CustomEvent<null>} roomkey-unlocked - The user unlocked their keys.
 * @fires {CustomEvent<ErrorDetail>} roomkey-error - An action failed; `detail.message` is the text shown.
 *
 * @csspart container - The outer section.
 * @csspart heading - The heading.
 * @csspart status - The connection/key status line (`connection-status`, `key-status` inside).
 * @csspart connection-status - Connection state in words.
 * @csspart key-status - Key state in words.
 * @csspart dns-status - With the extension: how the server's name was looked up ("DNS: private", "DNS: not private — …"; `data-private`).
 * @csspart form - The form.
 * @csspart field - A label + input + message group.
 * @csspart label - A field's label.
 * @csspart input - A text or password input.
 * @csspart field-error - A validation message under a field.
 * @csspart error - The message of a failed request (role="alert").
 * @csspart submit - The submit button.
 * @csspart switch - The button that switches between sign-in and sign-up.
 * @csspart lock - The Lock button.
 * @csspart sign-out - The Sign out button.
 * @csspart open-extension - Extension mode: the button that opens the extension's sign-in window.
 * @csspart hint - Extension mode: where the password is typed, or where to sign out.
 *
 * @cssprop --roomkey-font - Font family.
 * @cssprop --roomkey-font-size - Base font size.
 * @cssprop --roomkey-color - Text color.
 * @cssprop --roomkey-background - Background color.
 * @cssprop --roomkey-muted - Secondary text color.
 * @cssprop --roomkey-accent - Buttons and links.
 * @cssprop --roomkey-accent-contrast - Text on accent buttons.
 * @cssprop --roomkey-danger - Errors.
 * @cssprop --roomkey-border-color - Input borders.
 * @cssprop --roomkey-radius - Corner radius.
 * @cssprop --roomkey-focus-ring - Focus outline color.
 */
export class RoomKeySignIn extends LitElement {
  static override properties = {
    client: { attribute: false },
    mode: { reflect: true },
    busy: { type: Boolean, reflect: true },
    _error: { state: true },
    _fieldErrors: { state: true },
  };

  static override styles = [
    base,
    css`
      :host {
        display: block;
        max-width: var(--roomkey-sign-in-width, 24rem);
      }
      section {
        display: flex;
        flex-direction: column;
        gap: 0.75em;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: 0.75em;
      }
    `,
  ];

  /** The client to use; when unset, the default set by `setDefaultClient()`. */
  declare client: RoomKeyClient | undefined;
  /** Which form a signed-out user sees: `sign-in` (default) or `sign-up`. */
  declare mode: 'sign-in' | 'sign-up';
  /** True while a request is in flight (read-only). */
  declare busy: boolean;
  declare private _error: string;
  declare private _fieldErrors: FieldErrors;

  /** Shows connection and key state unless another element of the page does. */
  readonly #status = new StatusOwner(this);
  readonly #clients = new ClientController(this);
  #lastView: View | undefined;
  #focusHeading = false;
  /** The key state last rendered, and for which client (extension mode reports changes as events). */
  #seen: { client: RoomKeyClient | undefined; keys: KeyState | undefined } = {
    client: undefined,
    keys: undefined,
  };

  constructor() {
    super();
    this.client = undefined;
    this.mode = 'sign-in';
    this.busy = false;
    this._error = '';
    this._fieldErrors = {};
  }

  get #view(): View {
    const keys = this.#clients.keys;
    if (keys === 'locked') return 'unlock';
    if (keys === 'ready') return 'ready';
    return this.mode === 'sign-up' ? 'sign-up' : 'sign-in';
  }

  /**
   * Whether the account is the extension's: its client can open the extension's window, or, with
   * no client yet, the extension's content script marked this document (a page could fake the
   * mark, but it only hides this page's own password fields).
   */
  get #extensionMode(): boolean {
    const client = this.#clients.client;
    if (client) return typeof client.openSignIn === 'function';
    return document.documentElement?.hasAttribute(EXTENSION_MARKER) ?? false;
  }

  protected override willUpdate(_changed: PropertyValues): void {
    this.#clients.sync();
    this.#reportExtensionChange();
    const view = this.#view;
    if (this.#lastView !== undefined && view !== this.#lastView) {
      this._error = '';
      this._fieldErrors = {};
      // The control that had focus is about to go: keep keyboard users in place.
      this.#focusHeading = this.matches(':focus-within');
    }
    this.#lastView = view;
  }

  protected override updated(): void {
    if (!this.#focusHeading) return;
    this.#focusHeading = false;
    this.renderRoot.querySelector<HTMLElement>('#heading')?.focus();
  }

  protected override render(): TemplateResult {
    const view = this.#view;
    return html`<section part="container" aria-labelledby="heading">
      <h2 id="heading" part="heading" tabindex="-1">${TITLES[view]}</h2>
      ${this.#status.line(this.#clients.connection, this.#clients.keys, this.#clients.failure, this.#clients.dns)}
      ${
        view === 'ready'
          ? this.#renderReady()
          : this.#extensionMode
            ? this.#renderExtension(view)
            : this.#renderForm(view)
      }
    </section>`;
  }

  /** Extension mode: no password field, a button that asks the extension for its window. */
  #renderExtension(view: Exclude<View, 'ready'>): TemplateResult {
    const username = this.#clients.session?.username;
    return html`${
      view === 'unlock'
        ? html`<p>
            ${username ? html`Signed in as <strong>${username}</strong>. ` : nothing}Your messages are locked on
            this device.
          </p>`
        : nothing
    }
      <p class="hint" part="hint">
        Your password is typed only in the RoomKey extension's own window, never on this page.
      </p>
      <p class="error" part="error" role="alert">${this._error}</p>
      <div class="actions">
        <button
          part="open-extension"
          type="button"
          aria-disabled=${this.busy ? 'true' : 'false'}
          @click=${() => this.#onOpenExtension(view)}
        >
          ${OPEN_EXTENSION[view]}
        </button>
      </div>`;
  }

  #renderReady(): TemplateResult {
    const name = this.#clients.session?.username ?? '';
    const extension = this.#extensionMode;
    return html`<p>Signed in as <strong>${name}</strong>.</p>
      ${
        extension
          ? html`<p class="hint" part="hint">To sign out, use the RoomKey extension's toolbar button.</p>`
          : nothing
      }
      <p class="error" part="error" role="alert">${this._error}</p>
      <div class="actions">
        <button part="lock" type="button" aria-disabled=${this.busy ? 'true' : 'false'} @click=${this.#onLock}>
          Lock
        </button>
        ${
          extension
            ? nothing
            : html`<button
              part="sign-out"
              class="secondary"
              type="button"
              aria-disabled=${this.busy ? 'true' : 'false'}
              @click=${this.#onSignOut}
            >
              Sign out
            </button>`
        }
      </div>
      ${extension ? nothing : html`<roomkey-passkey .client=${this.client}></roomkey-passkey>`}`;
  }

  #renderForm(view: Exclude<View, 'ready'>): TemplateResult {
    const [idle, busy] = SUBMIT[view];
    const username = this.#clients.session?.username;
    return html`<form part="form" novalidate aria-busy=${this.busy ? 'true' : 'false'} @submit=${this.#onSubmit}>
      ${
        view === 'unlock'
          ? html`<p>
              ${username ? html`Signed in as <strong>${username}</strong>. ` : nothing}Your messages are locked
              on this device.
            </p>`
          : this.#field('username', 'Username', 'text', 'username')
      }
      ${this.#field(
        'password',
        'Password',
        'password',
        view === 'sign-up' ? 'new-password' : 'current-password',
        view === 'sign-up' ? `At least ${PASSWORD_MIN} characters.` : '',
      )}
      ${view === 'sign-up' ? this.#field('confirm', 'Repeat password', 'password', 'new-password') : nothing}
      <p class="error" part="error" role="alert">${this._error}</p>
      <div class="actions">
        <button part="submit" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
          ${this.busy ? busy : idle}
        </button>
        ${
          view === 'unlock'
            ? html`<button part="sign-out" class="secondary" type="button" @click=${this.#onSignOut}>Sign out</button>`
            : html`<button part="switch" class="link" type="button" @click=${this.#onSwitch}>
                ${view === 'sign-in' ? 'New here? Create an account' : 'Already have an account? Sign in'}
              </button>`
        }
      </div>
    </form>
    ${view === 'unlock' ? html`<roomkey-passkey .client=${this.client}></roomkey-passkey>` : nothing}`;
  }

  #field(name: Field, label: string, type: string, autocomplete: string, hint = ''): TemplateResult {
    const error = this._fieldErrors[name] ?? '';
    const described = [hint ? `${name}-hint` : '', `${name}-error`].filter(Boolean).join(' ');
    return html`<div class="field" part="field">
      <label part="label" for=${name}>${label}</label>
      <input
        part="input"
        id=${name}
        name=${name}
        type=${type}
        autocomplete=${autocomplete}
        autocapitalize="none"
        spellcheck="false"
        required
        ?readonly=${this.busy}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${described}
        @input=${() => this.#clearFieldError(name)}
      />
      ${hint ? html`<p class="hint" id=${`${name}-hint`}>${hint}</p>` : nothing}
      <p class="field-error" part="field-error" id=${`${name}-error`}>${error}</p>
    </div>`;
  }

  #clearFieldError(name: Field): void {
    if (!this._fieldErrors[name]) return;
    const { [name]: _gone, ...rest } = this._fieldErrors;
    this._fieldErrors = rest;
  }

  #onOpenExtension = (view: Exclude<View, 'ready'>): Promise<void> =>
    this.#run(view, async (client) => {
      // The client that arrived may be the in-page one after all: then its form shows instead.
      await client.openSignIn?.();
    });

  /** Extension mode: the user acted in the extension's window; say so with the element's events. */
  #reportExtensionChange(): void {
    const client = this.#clients.client;
    const keys = this.#clients.keys;
    const before = this.#seen;
    this.#seen = { client, keys };
    if (!client || client !== before.client || before.keys === undefined || keys === before.keys) return;
    if (!this.#extensionMode) return;
    if (keys === 'ready') {
      const session = this.#clients.session;
      if (before.keys === 'locked') emit(this, 'roomkey-unlocked', null);
      else if (session) emit(this, 'roomkey-signed-in', { session, created: false });
    } else if (keys === 'locked' && before.keys === 'ready') {
      emit(this, 'roomkey-locked', null);
    } else if (keys === 'signed-out') {
      emit(this, 'roomkey-signed-out', null);
    }
  }

  #onSwitch = (): void => {
    this.mode = this.mode === 'sign-up' ? 'sign-in' : 'sign-up';
  };

  #onSubmit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    if (this.busy) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const value = (name: Field): string => String(data.get(name) ?? '');
    // Until a client says what this device holds, the form shown is a guess (sign-in). Judge the
    // submit by the form it turns out to be: a store held here asks for the password only.
    if (!(await this.#awaitClientForSubmit())) return;
    const view = this.#view;
    if (view === 'ready') return;
    const errors = validate(view, value('username'), value('password'), value('confirm'));
    this._fieldErrors = errors;
    this._error = '';
    const firstInvalid = (['username', 'password', 'confirm'] as const).find((f) => errors[f]);
    if (firstInvalid) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>(`#${firstInvalid}`)?.focus();
      return;
    }
    if (view === 'unlock') {
      await this.#run('unlock', async (client) => {
        await client.unlock(value('password'));
        emit(this, 'roomkey-unlocked', null);
      });
    } else {
      const created = view === 'sign-up';
      await this.#run(created ? 'sign-up' : 'sign-in', async (client) => {
        const username = value('username').trim();
        const session = created
          ? await client.signUp(username, value('password'))
          : await client.signIn(username, value('password'));
        emit(this, 'roomkey-signed-in', { session, created });
      });
    }
  };

  /**
   * With no client yet, waits for one (busy meanwhile, as the submit will be). False when none
   * came, after saying why.
   */
  async #awaitClientForSubmit(): Promise<boolean> {
    if (this.#clients.client) return true;
    this._error = '';
    this.busy = true;
    try {
      if (await this.#clients.whenClient(CLIENT_WAIT_MS)) return true;
      this.#fail('sign-in', new Error(this.#noClientText()));
      return false;
    } finally {
      this.busy = false;
      await this.updateComplete;
    }
  }

  #noClientText(): string {
    const why = this.#clients.failure;
    return why
      ? couldNotStart(why)
      : 'RoomKey did not start on this page: check your connection, then reload the page.';
  }

  #onLock = (): Promise<void> =>
    this.#run('lock', async (client) => {
      await client.lock();
      // With the extension, the state change itself is reported (#reportExtensionChange).
      if (!this.#extensionMode) emit(this, 'roomkey-locked', null);
    });

  #onSignOut = (): Promise<void> =>
    this.#run('sign-out', async (client) => {
      await client.signOut();
      emit(this, 'roomkey-signed-out', null);
    });

  /** Runs one client call with the busy state, showing and announcing its error if it fails. */
  async #run(action: ErrorDetail['action'], fn: (client: RoomKeyClient) => Promise<void>): Promise<void> {
    if (this.busy) return;
    this._error = '';
    this.busy = true;
    try {
      const client = await this.#clients.whenClient(CLIENT_WAIT_MS);
      if (!client) throw new Error(this.#noClientText());
      await fn(client);
    } catch (error) {
      this.#fail(action, error);
    } finally {
      this.busy = false;
    }
  }

  #fail(action: ErrorDetail['action'], error: unknown): void {
    const message = errorText(error);
    this._error = message;
    emit(this, 'roomkey-error', { action, message, error });
  }
}

function validate(
  view: Exclude<View, 'ready'>,
  username: string,
  password: string,
  confirm: string,
): FieldErrors {
  const errors: FieldErrors = {};
  if (view !== 'unlock') {
    if (!username.trim()) errors.username = 'Enter your username.';
    else if (view === 'sign-up') {
      try {
        normalizeUsername(username);
      } catch (error) {
        errors.username = `Username: ${errorText(error).replace(/^username:\s*/, '')}.`;
      }
    }
  }
  if (!password) errors.password = 'Enter your password.';
  else if (view === 'sign-up' && password.length < PASSWORD_MIN) {
    errors.password = `Choose a password of at least ${PASSWORD_MIN} characters.`;
  }
  if (view === 'sign-up' && !errors.password && confirm !== password) {
    errors.confirm = "The two passwords don't match.";
  }
  return errors;
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-sign-in': RoomKeySignIn;
  }
}
