/**
 * The members panel of `<roomkey-room>`: who is in the room, an invite form (by username, with
 * "let them read earlier messages"), and a Remove button per member that asks in a modal dialog
 * first (the room moves to a new key). Fires `roomkey-member-invited`, `roomkey-member-removed`
 * and `roomkey-error` on the host. Its state lives here; the host renders it. Internal.
 * @example readonly #members = new RoomMembers(this, { client: () => this.#clients.client, … });
 */
import { css, html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { MemberSummary, RoomKeyClient, RoomSummary } from './client/types.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';

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

export const membersStyles = css`
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
`;

interface MembersState {
  inviteBusy: boolean;
  inviteError: string;
  /** The confirmation after an invite. */
  inviteNote: string;
  /** The member the remove dialog asks about. */
  removeTarget: MemberSummary | undefined;
  removeBusy: boolean;
  removeError: string;
}

export class RoomMembers {
  readonly #host: MembersHost;
  readonly #source: RoomMembersSource;
  #state: MembersState = {
    inviteBusy: false,
    inviteError: '',
    inviteNote: '',
    removeTarget: undefined,
    removeBusy: false,
    removeError: '',
  };

  constructor(host: MembersHost, source: RoomMembersSource) {
    this.#host = host;
    this.#source = source;
  }

  /** Another room: the invite form's message and confirmation go. */
  reset(): void {
    this.#patch({ inviteError: '', inviteNote: '' });
  }

  render(): TemplateResult {
    const room = this.#source.room();
    const me = this.#source.me();
    const members = room?.members ?? [];
    const canWrite = this.#source.canWrite();
    return html`<section class="members" part="members" aria-labelledby="members-title">
      <h3 id="members-title" tabindex="-1">Members${room ? ` (${members.length})` : ''}</h3>
      ${
        members.length
          ? html`<ul part="member-list">
              ${repeat(
                members,
                (m) => m.userId,
                (m) => html`<li part="member">
                  <span>${m.username}${m.userId === me ? ' (you)' : ''}</span>
                  ${
                    canWrite && m.userId !== me
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
      ${canWrite ? this.#renderInvite() : nothing}
    </section>`;
  }

  /** The remove confirmation: outside the room's section, so the modal covers all of it. */
  renderDialog(): TemplateResult {
    const { removeTarget, removeBusy, removeError } = this.#state;
    const name = removeTarget?.username ?? '';
    return html`<dialog part="dialog" aria-labelledby="remove-title" aria-describedby="remove-text" @close=${this.#onRemoveClosed}>
      <form @submit=${this.#onConfirmRemove}>
        <h3 id="remove-title">Remove ${name}?</h3>
        <p id="remove-text">
          ${name} will not be able to read new messages in this room. The room moves to a new key for the members
          who stay.
        </p>
        <p class="error" part="error" role="alert">${removeError}</p>
        <div class="actions">
          <button class="danger" type="submit" aria-disabled=${removeBusy ? 'true' : 'false'}>
            ${removeBusy ? 'Removing…' : 'Remove'}
          </button>
          <button class="secondary" type="button" data-cancel @click=${() => this.#dialog?.close()}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }

  #renderInvite(): TemplateResult {
    const { inviteBusy, inviteError, inviteNote } = this.#state;
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
    this.#patch({ inviteNote: '' });
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
    return this.#host.renderRoot.querySelector('dialog');
  }

  async #askRemove(member: MemberSummary): Promise<void> {
    this.#patch({ removeTarget: member, removeError: '' });
    await this.#host.updateComplete;
    const dialog = this.#dialog;
    if (!dialog || dialog.open) return;
    dialog.showModal();
    dialog.querySelector<HTMLButtonElement>('[data-cancel]')?.focus();
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
      this.#source.roomChanged(room);
      this.#dialog?.close();
      this.#patch({ removeTarget: undefined });
      emit(this.#host, 'roomkey-member-removed', { room, userId: member.userId, username: member.username });
      await this.#host.updateComplete;
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
