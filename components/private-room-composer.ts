/**
 * The composer of `<roomkey-room>`: a textarea where Enter sends and Shift+Enter starts a new line.
 * A message shows at once as a "Sending…" row in the history (the client may first wait for a
 * reconnect) and becomes the stored message when the client answers; a failed send removes the
 * row, puts the text back and says why. A message over the size limit (core/client message-size.ts)
 * is refused before anything is sent, with the limit in words. With a client that keeps an outbox,
 * a send that failed for want of a connection stays as a "Not sent yet" row with Retry and Discard
 * (private-delivery-state.ts) and goes out once online. Fires `roomkey-message-sent` and `roomkey-error` on the
 * host. Its state lives here; the host renders it. Internal.
 * @example readonly #composer = new RoomComposer(this, { client: () => this.#clients.client, … });
 */
import { css, html, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { messageSizeProblem, sendingMessage } from '../core/client/chat-message.ts';
import { TooLargeError } from '../core/errors.ts';
import type { ChatMessage, KeyState, RoomKeyClient, SendingMessage, Session } from './client/types.ts';
import { deliveryStyles, OutboxRows } from './private-delivery-state.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';
import type { ReplyTarget } from './private-room-history.ts';

/** Said (role="alert") when a send failed for want of a connection and the outbox kept it. */
export const KEPT_WORDS =
  "Not sent yet: you're offline. It is kept on this device and sent when you're back online.";

/** A send that failed for want of a connection, on a client that keeps such messages (its outbox). */
function keptInOutbox(client: RoomKeyClient, error: unknown): boolean {
  return client.unsent !== undefined && (error as { code?: unknown } | null)?.code === 'unavailable';
}

export type ComposerHost = ReactiveControllerHost &
  HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

/** Where the composer's rows go: the room's history. */
export interface ComposerRows {
  upsert(message: ChatMessage): unknown;
  /** Removes the row with this key (a draft's `draftId`). */
  drop(key: string): void;
  /** Scrolls to the newest message (one's own message is always shown). */
  follow(): void;
  /** The rows shown, oldest first (the outbox's rows are told apart by status). */
  readonly messages: readonly ChatMessage[];
}

/** What the composer reads from its room (always current). */
export interface RoomComposerSource {
  client(): RoomKeyClient | undefined;
  roomId(): string;
  session(): Session | null;
  keys(): KeyState | undefined;
  /** The room's current key version, for the "Sending…" row. */
  epoch(): number;
  /** Whether this user may write in the room now. */
  canWrite(): boolean;
  rows: ComposerRows;
}

export const composerStyles = css`
  ${deliveryStyles}
  .composer {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto;
    gap: 0.25em 0.5em;
    align-items: end;
  }
  .composer textarea {
    resize: vertical;
    min-height: 2.6em;
  }
  .composer textarea::placeholder {
    color: var(--roomkey-muted, #4a4f57);
  }
  .composer .hint,
  .composer .error,
  .composer .replying {
    grid-column: 1 / -1;
  }
  .composer .replying {
    font-size: 0.875em;
    color: var(--roomkey-muted, #4a4f57);
    border-left: 3px solid var(--roomkey-accent, #0b57d0);
    padding-left: 0.5em;
  }
`;

export class RoomComposer {
  readonly #host: ComposerHost;
  readonly #source: RoomComposerSource;
  #error = '';
  /** Numbers the "Sending…" rows, which have no message id until the client answers. */
  #drafts = 0;
  /** The message the next one answers ("Replying to …"), chosen in the history. */
  #reply: ReplyTarget | undefined;

  constructor(host: ComposerHost, source: RoomComposerSource) {
    this.#host = host;
    this.#source = source;
    new OutboxRows(host, {
      client: source.client,
      roomId: source.roomId,
      rows: source.rows,
      onError: (error) => {
        this.#setError(errorText(error));
        emit(this.#host, 'roomkey-error', { action: 'send', message: this.#error, error });
      },
    });
  }

  /** Another room: the last send error goes. */
  reset(): void {
    this.#setError('');
    this.#reply = undefined;
  }

  /** The next message answers `target` (or none): says so above the field and focuses it. */
  replyTo(target: ReplyTarget | undefined): void {
    this.#reply = target;
    this.#host.requestUpdate();
    void this.#host.updateComplete.then(() =>
      this.#host.renderRoot.querySelector<HTMLTextAreaElement>('#composer-input')?.focus(),
    );
  }

  render(): TemplateResult {
    const canWrite = this.#source.canWrite();
    const hint = canWrite
      ? 'Enter sends, Shift+Enter starts a new line.'
      : this.#source.keys() === 'signed-out'
        ? 'Sign in to RoomKey to write.'
        : this.#source.keys() !== 'ready'
          ? 'Unlock RoomKey to write.'
          : "You can't write in this room.";
    const reply = this.#reply;
    return html`<form class="composer" part="composer" @submit=${this.#onSend}>
      ${
        reply && canWrite
          ? html`<p class="replying" part="replying-to">
              Replying to <strong>${reply.senderUsername}</strong>: ${reply.firstLine}
              <button type="button" class="link" aria-label="Cancel the reply" @click=${() => this.replyTo(undefined)}>
                Cancel
              </button>
            </p>`
          : ''
      }
      <label for="composer-input" class="visually-hidden">Message</label>
      <textarea
        part="composer-input"
        id="composer-input"
        name="text"
        rows="2"
        placeholder="Write a message…"
        ?disabled=${!canWrite}
        aria-describedby="composer-hint composer-error"
        @keydown=${this.#onKey}
      ></textarea>
      <button part="send" type="submit" ?disabled=${!canWrite}>Send</button>
      <p class="hint" id="composer-hint">${hint}</p>
      <p class="error" part="error" id="composer-error" role="alert">${this.#error}</p>
    </form>`;
  }

  #onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.isComposing) return;
    event.preventDefault();
    (event.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
  };

  #onSend = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const client = this.#source.client();
    const textarea = this.#host.renderRoot.querySelector<HTMLTextAreaElement>('#composer-input');
    if (!client || !textarea || !this.#source.canWrite()) return;
    const text = textarea.value;
    if (!text.trim()) return;
    // Refused here, before a "Sending…" row or any network: the text stays to be shortened.
    const tooLarge = messageSizeProblem(text);
    if (tooLarge) {
      this.#setError(tooLarge);
      emit(this.#host, 'roomkey-error', {
        action: 'send',
        message: tooLarge,
        error: new TooLargeError(tooLarge),
      });
      return;
    }
    const roomId = this.#source.roomId();
    const { rows } = this.#source;
    textarea.value = '';
    const reply = this.#reply;
    this.#reply = undefined;
    this.#setError('');
    rows.follow();
    // On screen at once as "Sending…": the client may first wait for a reconnect.
    const draft = this.#draft(roomId, text);
    rows.upsert(draft);
    try {
      const message =
        reply && client.sendEvent
          ? await client.sendEvent(roomId, { action: 'reply', replyTo: reply.messageId, text })
          : await client.send(roomId, text);
      if (roomId === this.#source.roomId()) {
        rows.drop(draft.draftId);
        rows.upsert(message);
      }
      emit(this.#host, 'roomkey-message-sent', { message });
    } catch (error) {
      if (roomId === this.#source.roomId()) rows.drop(draft.draftId);
      if (!(reply && client.sendEvent) && keptInOutbox(client, error)) {
        // Its "Not sent yet" row came with the client's outbox event; it goes out once online.
        this.#setError(KEPT_WORDS);
        return;
      }
      // Nothing is lost: the text goes back into the composer (unless a new one was started).
      if (!textarea.value) textarea.value = text;
      if (!this.#reply) this.#reply = reply;
      this.#setError(errorText(error));
      emit(this.#host, 'roomkey-error', { action: 'send', message: this.#error, error });
    }
  };

  /** The "Sending…" row for `text`: this user's, now, at the room's current key version. */
  #draft(roomId: string, text: string): SendingMessage {
    const session = this.#source.session();
    return sendingMessage({
      roomId,
      draftId: `draft-${++this.#drafts}`,
      senderUserId: session?.userId ?? '',
      senderUsername: session?.username ?? '',
      text,
      epoch: this.#source.epoch(),
    });
  }

  #setError(error: string): void {
    if (error === this.#error) return;
    this.#error = error;
    this.#host.requestUpdate();
  }
}
