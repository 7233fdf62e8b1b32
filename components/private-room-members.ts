/**
 * The members panel of `<roomkey-room>`: who is in the room and their role (owner, admin, member),
 * and — for those the gateway allows (its `may`: owners and admins by default, admin-API grants and rules included) — an invite form (by username,
 * with "let them read earlier messages") and a Remove button per member of a lower role; everyone
 * may leave. Remove and Leave ask in a modal dialog first (the room moves to a new key). Fires `roomkey-member-invited`, `roomkey-member-removed`
 * and `roomkey-error` on the host. Each other member shows how far their keys are trusted
 * (verified / not verified / key changed, core/client/contacts.ts) with Verify or Review, which
 * opens the safety-number dialog (verify-contact.ts); a member whose key changed also gets a
 * warning naming them above the history (`renderWarning`). Its state lives here; the host renders it. Internal.
 * @example readonly #members = new RoomMembers(this, { client: () => this.#clients.client, … });
 */
import { css, html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ContactView, MemberSummary, RoomKeyClient, RoomSummary } from './client/types.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';
import { VerifyContact, verifyStyles } from './verify-contact.ts';

export type MembersHost = ReactiveControllerHost &
  HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

/** What the panel reads from its room (always current). */
export interface RoomMembersSource {
  client(): RoomKeyClient | undefined;
  roomId(): string;
  /** The room's summary: undefined while unknown, null when the user's room list lacks it. */
  room(): RoomSummary | null | undefined;
  /** This user's id, to mark "(you)" and offer no Remove for oneself. */
  me(): string | undefined;
  /** Whether this user may change the room now (keys ready, a member). */
  canWrite(): boolean;
  /** An invite or a removal answered with the room's new summary. */
  roomChanged(room: RoomSummary): void;
}

export const membersStyles = [
  verifyStyles,
  css`
  .members {
    display: flex;
    flex-direction: column;
    gap: 0.5em;
    overflow-y: auto;
    padding: 0.5em;
    background: var(--roomkey-surface, #f4f5f7);
    border-radius: var(--roomkey-radius, 6px);
  }
  .members ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .members li {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.4em;
    padding: 0.15em 0;
  }
  .members li button {
    padding: 0.1em 0.5em;
    font-size: 0.85em;
    color: var(--roomkey-danger, #b3261e);
    border-color: var(--roomkey-danger, #b3261e);
    background: var(--roomkey-background, #ffffff);
  }
  .invite {
    display: flex;
    flex-direction: column;
    gap: 0.4em;
  }
  .members li .member-name {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.3em;
  }
  .members li button.verify-button {
    color: inherit;
    border-color: currentColor;
  }
  .role-badge {
    font-size: 0.8em;
    padding: 0 0.4em;
    border-radius: 999px;
    border: 1px solid currentColor;
    color: var(--roomkey-muted, #4a5160);
  }
  .members .leave {
    align-self: flex-start;
  }
`,
];

interface MembersState {
  inviteBusy: boolean;
  inviteError: string;
  /** The confirmation after an invite, and whom it names (it goes once they are no longer a member). */
  inviteNote: string;
  inviteNoteUser: string;
  /** The member the remove dialog asks about. */
  removeTarget: MemberSummary | undefined;
  removeBusy: boolean;
  removeError: string;
}

export class RoomMembers {
  readonly #host: MembersHost;
  readonly #source: RoomMembersSource;
  /** Trust per member (contacts.ts), for the client and members it was asked for. */
  #trust = new Map<string, ContactView>();
  #trustFor = '';
  #trustClient: RoomKeyClient | undefined;
  readonly #verify: VerifyContact;
  /** Rooms this user left from here (the room's notice says "You left", not "You were removed"). */
  readonly #left = new Set<string>();
  #state: MembersState = {
    inviteBusy: false,
    inviteError: '',
    inviteNote: '',
    inviteNoteUser: '',
    removeTarget: undefined,
    removeBusy: false,
    removeError: '',
  };

  constructor(host: MembersHost, source: RoomMembersSource) {
    this.#host = host;
    this.#source = source;
    this.#verify = new VerifyContact(host, {
      client: () => this.#source.client(),
      changed: (view) => {
        this.#trust.set(view.userId, view);
        this.#host.requestUpdate();
      },
    });
  }

  /** Asks the client for the members' trust when the client or the members changed. */
  #syncTrust(members: readonly MemberSummary[], me: string | undefined): void {
    const client = this.#source.client();
    if (client !== this.#trustClient) {
      this.#trustClient?.removeEventListener('contacts', this.#onContacts);
      client?.addEventListener('contacts', this.#onContacts);
      this.#trustClient = client;
      this.#trustFor = '';
    }
    const ids = members.map((m) => m.userId).filter((id) => id !== me);
    const key = `${this.#source.canWrite()}|${ids.join(',')}`;
    if (key === this.#trustFor || !client?.contacts || !this.#source.canWrite()) return;
    this.#trustFor = key;
    void this.#loadTrust(client, ids);
  }

  async #loadTrust(client: RoomKeyClient, ids: string[]): Promise<void> {
    if (!client.contacts || ids.length === 0) return;
    const views = await client.contacts(ids).catch(() => [] as ContactView[]);
    for (const view of views) {
      this.#trust.set(view.userId, view);
      this.#verify.update(view);
    }
    this.#host.requestUpdate();
  }

  #onContacts = (event: Event): void => {
    const client = this.#trustClient;
    const ids = (event as CustomEvent<{ userIds: string[] }>).detail?.userIds ?? [];
    if (client) void this.#loadTrust(client, ids);
  };

  /** A warning naming each member whose key changed (above the history, in the room). */
  renderWarning(): TemplateResult | typeof nothing {
    const members = this.#source.room()?.members ?? [];
    const changed = members
      .map((m) => this.#trust.get(m.userId))
      .filter((v): v is ContactView => v?.trust === 'key-changed');
    if (changed.length === 0) return nothing;
    return html`<div class="key-warning" part="key-warning" role="alert">
      ${changed.map(
        (v) => html`<p>
          <strong>${v.username}'s safety number changed.</strong> Their identity key is not the one this device knew.
          Messages from the new key are not accepted until you review the change.
          <button part="review-key-change" type="button" @click=${() => void this.#verify.open(v)}>
            Review<span class="visually-hidden"> ${v.username}'s key change</span>
          </button>
        </p>`,
      )}
    </div>`;
  }

  #renderTrust(member: MemberSummary): TemplateResult | typeof nothing {
    const view = this.#trust.get(member.userId);
    if (!view) return nothing;
    const [label, action] =
      view.trust === 'verified'
        ? ['Verified', 'Safety number']
        : view.trust === 'key-changed'
          ? ['Key changed', 'Review']
          : ['Not verified', 'Verify'];
    return html`<span class="trust-badge ${view.trust}" part="trust-badge" data-trust=${view.trust}>${label}</span>
      <button part="verify-button" class="verify-button" type="button" @click=${() => void this.#verify.open(view)}>
        ${action}<span class="visually-hidden"> ${member.username}</span>
      </button>`;
  }

  /** Whether this user left `roomId` from this panel (a removal by someone else reads otherwise). */
  left(roomId: string): boolean {
    return this.#left.has(roomId);
  }

  /** Another room: the invite form's message and confirmation go. */
  reset(): void {
    this.#patch({ inviteError: '', inviteNote: '', inviteNoteUser: '' });
  }

  /**
   * Whether this user may `act` here: as the gateway says (`may`, its rules and grants), else by
   * the default policy (owners and admins manage the room).
   */
  #allows(room: RoomSummary | null | undefined, act: 'invite' | 'remove', me: string | undefined): boolean {
    if (room?.may) return room.may[act];
    const role = room?.members.find((m) => m.userId === me)?.role;
    // A client that does not say roles: offer it, the gateway decides.
    return role === undefined || role === 'owner' || role === 'admin';
  }

  /** Whether `me` may remove `member`: nobody removes someone of a higher role (the gateway's rule). */
  #mayRemove(member: MemberSummary, myRole: MemberSummary['role']): boolean {
    return rank(member.role) <= rank(myRole);
  }

  render(): TemplateResult {
    const room = this.#source.room();
    const me = this.#source.me();
    const members = room?.members ?? [];
    const canWrite = this.#source.canWrite();
    const invites = canWrite && this.#allows(room, 'invite', me);
    const removes = canWrite && this.#allows(room, 'remove', me);
    const myRole = members.find((m) => m.userId === me)?.role;
    this.#syncTrust(members, me);
    return html`<section class="members" part="members" aria-labelledby="members-title">
      <h3 id="members-title" tabindex="-1">Members${room ? ` (${members.length})` : ''}</h3>
      ${
        members.length
          ? html`<ul part="member-list">
              ${repeat(
                members,
                (m) => m.userId,
                (m) => html`<li part="member">
                  <span class="member-name"
                    >${m.username}${m.userId === me ? ' (you)' : ''} ${
                      m.role
                        ? html`<span class="role-badge" part="member-role" data-role=${m.role}>${ROLE_WORDS[m.role]}</span>`
                        : nothing
                    } ${m.userId === me ? nothing : this.#renderTrust(m)}</span
                  >
                  ${
                    removes && m.userId !== me && this.#mayRemove(m, myRole)
                      ? html`<button part="remove-button" type="button" @click=${() => this.#askRemove(m)}>
                          Remove<span class="visually-hidden"> ${m.username}</span>
                        </button>`
                      : nothing
                  }
                </li>`,
              )}
            </ul>`
          : nothing
      }
      ${invites ? this.#renderInvite(members) : nothing}
      ${
        canWrite && me && members.length > 1 && members.some((m) => m.userId === me)
          ? html`<button part="leave-button" class="leave" type="button" @click=${() => this.#askLeave(members, me)}>
              Leave room
            </button>`
          : nothing
      }
    </section>`;
  }

  /** The remove confirmation and the verify dialog: outside the room's section, so the modal covers all of it. */
  renderDialog(): TemplateResult {
    return html`${this.#renderRemoveDialog()} ${this.#verify.render()}`;
  }

  #renderRemoveDialog(): TemplateResult {
    const { removeTarget, removeBusy, removeError } = this.#state;
    const name = removeTarget?.username ?? '';
    const leaving = removeTarget !== undefined && removeTarget.userId === this.#source.me();
    return html`<dialog part="dialog" aria-labelledby="remove-title" aria-describedby="remove-text" @close=${this.#onRemoveClosed}>
      <form @submit=${this.#onConfirmRemove}>
        <h3 id="remove-title">${leaving ? 'Leave this room?' : `Remove ${name}?`}</h3>
        <p id="remove-text">
          ${
            leaving
              ? 'You will not be able to read new messages in this room or write in it. Messages already on this device stay readable. To come back, an owner or admin of the room has to invite you again.'
              : `${name} will not be able to read new messages in this room. The room moves to a new key for the members who stay.`
          }
        </p>
        <p class="error" part="error" role="alert">${removeError}</p>
        <div class="actions">
          <button class="danger" type="submit" aria-disabled=${removeBusy ? 'true' : 'false'}>
            ${leaving ? (removeBusy ? 'Leaving…' : 'Leave') : removeBusy ? 'Removing…' : 'Remove'}
          </button>
          <button class="secondary" type="button" data-cancel @click=${() => this.#dialog?.close()}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }

  #renderInvite(members: readonly MemberSummary[]): TemplateResult {
    const { inviteBusy, inviteError, inviteNoteUser } = this.#state;
    // "bob was added" is no longer true once bob is not in the room.
    const inviteNote = members.some((m) => m.username === inviteNoteUser) ? this.#state.inviteNote : '';
    return html`<form class="invite" part="invite" novalidate @submit=${this.#onInvite}>
      <div class="field">
        <label for="invite-username">Invite by username</label>
        <input
          part="invite-input"
          id="invite-username"
          name="username"
          autocomplete="off"
          autocapitalize="none"
          spellcheck="false"
          ?readonly=${inviteBusy}
          aria-invalid=${inviteError ? 'true' : 'false'}
          aria-describedby="invite-error"
        />
      </div>
      <label class="check"
        ><input type="checkbox" name="shareHistory" id="invite-history" /> Let them read earlier
        messages</label
      >
      <div class="actions">
        <button part="invite-button" type="submit" aria-disabled=${inviteBusy ? 'true' : 'false'}>
          ${inviteBusy ? 'Inviting…' : 'Invite'}
        </button>
      </div>
      <p class="error" part="error" id="invite-error" role="alert">${inviteError}</p>
      <p class="hint" part="invite-status" role="status">${inviteNote}</p>
    </form>`;
  }

  #onInvite = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    if (this.#state.inviteBusy) return;
    const client = this.#source.client();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.querySelector<HTMLInputElement>('#invite-username')!;
    const shareHistory = form.querySelector<HTMLInputElement>('#invite-history')?.checked ?? false;
    const username = input.value.trim();
    this.#patch({ inviteNote: '', inviteNoteUser: '' });
    if (!username) {
      this.#patch({ inviteError: 'Enter the username of the person to invite.' });
      input.focus();
      return;
    }
    if (!client) return;
    this.#patch({ inviteError: '', inviteBusy: true });
    try {
      const room = await client.invite(this.#source.roomId(), username, { shareHistory });
      this.#source.roomChanged(room);
      input.value = '';
      this.#patch({
        inviteNote: `${username} was added. They can read new messages${shareHistory ? ' and earlier ones' : ''}.`,
        inviteNoteUser: username,
      });
      emit(this.#host, 'roomkey-member-invited', { room, username });
    } catch (error) {
      this.#patch({ inviteError: errorText(error) });
      emit(this.#host, 'roomkey-error', { action: 'invite', message: this.#state.inviteError, error });
      input.focus();
    } finally {
      this.#patch({ inviteBusy: false });
    }
  };

  get #dialog(): HTMLDialogElement | null {
    return this.#host.renderRoot.querySelector('dialog:not(.verify)');
  }

  async #askRemove(member: MemberSummary): Promise<void> {
    this.#patch({ removeTarget: member, removeError: '' });
    await this.#host.updateComplete;
    const dialog = this.#dialog;
    if (!dialog || dialog.open) return;
    dialog.showModal();
    dialog.querySelector<HTMLButtonElement>('[data-cancel]')?.focus();
  }

  /** Leaving is removing yourself: the same commit and dialog, in its own words. */
  #askLeave(members: readonly MemberSummary[], me: string): void {
    const self = members.find((m) => m.userId === me);
    if (self) void this.#askRemove(self);
  }

  #onRemoveClosed = (): void => {
    if (this.#state.removeBusy) return;
    this.#patch({ removeError: '' });
  };

  #onConfirmRemove = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const member = this.#state.removeTarget;
    const client = this.#source.client();
    if (this.#state.removeBusy || !member || !client) return;
    this.#patch({ removeBusy: true, removeError: '' });
    try {
      const room = await client.removeMember(this.#source.roomId(), member.userId);
      if (member.userId === this.#source.me()) this.#left.add(room.roomId);
      this.#source.roomChanged(room);
      this.#dialog?.close();
      this.#patch({ removeTarget: undefined });
      emit(this.#host, 'roomkey-member-removed', { room, userId: member.userId, username: member.username });
      await this.#host.updateComplete;
      // After leaving, the members panel is still there (read-only): its title keeps the focus.
      this.#host.renderRoot.querySelector<HTMLElement>('#members-title')?.focus();
    } catch (error) {
      this.#patch({ removeError: errorText(error) });
      emit(this.#host, 'roomkey-error', { action: 'remove-member', message: this.#state.removeError, error });
    } finally {
      this.#patch({ removeBusy: false });
    }
  };

  /** Changes state and asks the host to render it. */
  #patch(patch: Partial<MembersState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#host.requestUpdate();
  }
}

const ROLE_WORDS: Record<NonNullable<MemberSummary['role']>, string> = {
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
};

/** Orders roles as policy does; unknown counts as a member. */
function rank(role: MemberSummary['role']): number {
  return role === 'owner' ? 3 : role === 'admin' ? 2 : 1;
}
