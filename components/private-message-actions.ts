/**
 * What a person can do with one message in `<roomkey-room>`: reply, react (a few emoji), and on
 * their own messages edit and delete (asked again first). Each row has one "Message actions"
 * button (one Tab stop per message, a small DOM for long histories) that opens them; every control
 * is a real button with a name that says which message it acts on, clear to a screen reader;
 * the row's history (private-room-history.ts) runs the action. Also the reaction chips under a
 * message (each toggles this user's reaction) and the inline edit form. Internal.
 * @example html`${messageActions(shown, state, onAction)}`
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import type { ShownMessage } from '../core/client/message-events.ts';
import type { ChatMessage } from './client/types.ts';

/** The reactions offered in the picker (any single emoji is accepted from other clients). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

/** Something the person asked of a message. */
export type RowAction =
  | { kind: 'menu' }
  | { kind: 'reply' }
  | { kind: 'picker' }
  | { kind: 'react'; reaction: string }
  | { kind: 'edit' }
  | { kind: 'save-edit'; text: string }
  | { kind: 'delete' }
  | { kind: 'confirm-delete' }
  | { kind: 'cancel' }
  | { kind: 'expand' }
  | { kind: 'jump'; messageId: string };

export type OnRowAction = (message: ShownMessage, action: RowAction) => void;

/** Which of the row's panels is open (at most one row has one). */
export type RowPanel = 'menu' | 'picker' | 'edit' | 'confirm-delete' | undefined;

export const actionStyles = css`
  .message-actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em;
    margin-top: 0.2em;
    opacity: 0;
  }
  .message:hover .message-actions,
  .message:focus-within .message-actions,
  .message-actions[data-open] {
    opacity: 1;
  }
  .message-actions button,
  .reactions button,
  .picker button {
    font-size: 0.8em;
    padding: 0.1em 0.5em;
    background: transparent;
    color: var(--roomkey-accent, #0b57d0);
  }
  .reactions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em;
    margin-top: 0.2em;
  }
  .reactions button[aria-pressed='true'] {
    background: var(--roomkey-own-message-background, #e8effc);
    font-weight: 600;
  }
  .picker {
    display: flex;
    gap: 0.25em;
  }
  .edit-form {
    display: grid;
    gap: 0.25em;
  }
  .edit-form textarea {
    min-height: 3em;
    resize: vertical;
  }
`;

const whose = (m: ChatMessage): string =>
  m.own ? 'your message' : m.status === 'received' ? `${m.senderUsername}'s message` : 'this message';

/** A reaction chip's name: "👍 2: bob, You" (who, not just how many). */
function chipLabel(reaction: string, usernames: readonly string[]): string {
  return `${reaction} ${usernames.length}: ${usernames.join(', ')}`;
}

/**
 * The reaction chips under a message; each toggles this user's reaction.
 * @example html`${reactionChips(shown, canAct, onAction)}`
 */
export function reactionChips(
  message: ShownMessage,
  canAct: boolean,
  onAction: OnRowAction,
): TemplateResult | typeof nothing {
  const reactions = message.reactions;
  if (!reactions?.length) return nothing;
  return html`<div class="reactions" part="reactions" role="group" aria-label="Reactions">
    ${reactions.map(
      (r) => html`<button
        type="button"
        part="reaction"
        aria-pressed=${r.mine ? 'true' : 'false'}
        aria-label=${chipLabel(r.reaction, r.usernames)}
        title=${r.usernames.join(', ')}
        ?disabled=${!canAct}
        @click=${() => onAction(message, { kind: 'react', reaction: r.reaction })}
      >
        ${r.reaction} ${r.count}
      </button>`,
    )}
  </div>`;
}

/**
 * The row's buttons (Reply, React, and Edit / Delete on one's own), or its open panel.
 * @example html`${messageActions(shown, 'picker', onAction)}`
 */
export function messageActions(
  message: ShownMessage,
  panel: RowPanel,
  onAction: OnRowAction,
): TemplateResult | typeof nothing {
  if ((message.status !== 'sent' && message.status !== 'received') || message.deleted) return nothing;
  const act = (action: RowAction) => () => onAction(message, action);
  const onEscape = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    onAction(message, { kind: 'cancel' });
  };
  if (panel === 'confirm-delete') {
    return html`<div class="message-actions" data-open role="group" aria-label="Delete your message?" @keydown=${onEscape}>
      <span>Delete this message for everyone?</span>
      <button type="button" part="confirm-delete" class="danger" @click=${act({ kind: 'confirm-delete' })}>
        Delete
      </button>
      <button type="button" class="secondary" @click=${act({ kind: 'cancel' })}>Cancel</button>
    </div>`;
  }
  const toggle = html`<button
    type="button"
    part="actions-button"
    aria-label=${`Actions for ${whose(message)}`}
    aria-expanded=${panel === 'menu' || panel === 'picker' ? 'true' : 'false'}
    @click=${act(panel === 'menu' || panel === 'picker' ? { kind: 'cancel' } : { kind: 'menu' })}
  >
    …
  </button>`;
  const open = panel === 'menu' || panel === 'picker';
  const picker =
    panel === 'picker'
      ? html`<div class="picker" part="reaction-picker" role="group" aria-label="Choose a reaction">
          ${QUICK_REACTIONS.map(
            (reaction) => html`<button
              type="button"
              aria-label=${`React with ${reaction}`}
              @click=${act({ kind: 'react', reaction })}
            >
              ${reaction}
            </button>`,
          )}
        </div>`
      : nothing;
  const buttons = html`<div class="message-actions" part="message-actions" role="group" aria-label=${`Actions for ${whose(message)}`}>
      <button type="button" part="reply-button" aria-label=${`Reply to ${whose(message)}`} @click=${act({ kind: 'reply' })}>
        Reply
      </button>
      <button
        type="button"
        part="react-button"
        aria-label=${`React to ${whose(message)}`}
        aria-expanded=${panel === 'picker' ? 'true' : 'false'}
        @click=${act({ kind: 'picker' })}
      >
        React
      </button>
      ${
        message.own
          ? html`<button type="button" part="edit-button" aria-label="Edit your message" @click=${act({ kind: 'edit' })}>
                Edit
              </button>
              <button type="button" part="delete-button" aria-label="Delete your message" @click=${act({ kind: 'delete' })}>
                Delete
              </button>`
          : nothing
      }
    </div>
    ${picker}`;
  // One template whatever is open, so the toggle stays the same element (and keeps focus).
  return html`<div class="message-actions" ?data-open=${open} @keydown=${onEscape}>
    ${toggle} ${open ? buttons : nothing}
  </div>`;
}

/**
 * The inline form that edits one's own message: Enter or Save sends the edit, Escape or Cancel
 * leaves it as it was.
 * @example html`${editForm(shown, onAction)}`
 */
export function editForm(message: ShownMessage & { text: string }, onAction: OnRowAction): TemplateResult {
  const save = (form: HTMLFormElement) => {
    const text = (form.elements.namedItem('edit') as HTMLTextAreaElement).value;
    if (text.trim()) onAction(message, { kind: 'save-edit', text });
  };
  return html`<form
    class="edit-form"
    part="edit-form"
    @submit=${(e: SubmitEvent) => {
      e.preventDefault();
      save(e.currentTarget as HTMLFormElement);
    }}
  >
    <label class="visually-hidden" for="edit-input">Edit your message</label>
    <textarea
      id="edit-input"
      name="edit"
      part="edit-input"
      .value=${message.text}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onAction(message, { kind: 'cancel' });
        } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          save((e.currentTarget as HTMLTextAreaElement).form!);
        }
      }}
    ></textarea>
    <div class="actions">
      <button type="submit" part="save-edit">Save</button>
      <button type="button" class="secondary" @click=${() => onAction(message, { kind: 'cancel' })}>Cancel</button>
    </div>
  </form>`;
}
