/**
 * The delivery state of one's own message in `<roomkey-room>`'s history: "Sending…" (the row's
 * status, private-message.ts), then stored (a check mark, "Stored" for screen readers), or "Not
 * sent yet" with why and Retry / Discard while it waits in the device's outbox (core/client
 * outbox-sender.ts). The buttons fire `roomkey-outbox-action` (bubbling inside the element's
 * shadow root only); the composer answers it. Internal.
 * @example html`${body(message)} ${deliveryState(message)}`
 */
import {
  css,
  html,
  nothing,
  type ReactiveController,
  type ReactiveControllerHost,
  type TemplateResult,
} from 'lit';
import type { ChatMessage, RoomKeyClient, RoomKeyClientEvents, UnsentMessage } from './client/types.ts';

/** What Retry and Discard ask of the composer. */
export interface OutboxActionDetail {
  action: 'retry' | 'discard';
  roomId: string;
  messageId: string;
}

export const OUTBOX_ACTION_EVENT = 'roomkey-outbox-action';

export const deliveryStyles = css`
  .delivery {
    font-size: 0.8em;
    color: var(--roomkey-muted, #4a4f57);
  }
  .delivery[data-state='unsent'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25em 0.5em;
    color: var(--roomkey-danger, #b3261e);
  }
  .delivery[data-state='unsent'] strong {
    font-weight: 600;
  }
`;

function ask(event: Event, detail: OutboxActionDetail): void {
  (event.currentTarget as HTMLElement).dispatchEvent(
    new CustomEvent<OutboxActionDetail>(OUTBOX_ACTION_EVENT, { detail, bubbles: true }),
  );
}

/**
 * The state line of an own message: stored, or not sent yet with Retry and Discard; nothing for
 * others' messages and for rows whose status already says it ("Sending…").
 * @example html`<li>${text} ${deliveryState(message)}</li>`
 */
export function deliveryState(message: ChatMessage): TemplateResult | typeof nothing {
  if (message.status === 'sent') {
    return html`<span class="delivery" part="delivery-state" data-state="stored"
      ><span aria-hidden="true">✓</span><span class="visually-hidden">Stored</span></span
    >`;
  }
  if (message.status !== 'unsent') return nothing;
  const { roomId, messageId } = message;
  return html`<p class="delivery" part="delivery-state" data-state="unsent">
    <strong>Not sent yet.</strong>
    <span class="delivery-reason">${message.reason}</span>
    <button type="button" part="retry-send" @click=${(e: Event) => ask(e, { action: 'retry', roomId, messageId })}>
      Retry
    </button>
    <button
      type="button"
      part="discard-send"
      class="secondary"
      @click=${(e: Event) => ask(e, { action: 'discard', roomId, messageId })}
    >
      Discard
    </button>
  </p>`;
}

/** What the outbox rows need of the room (the composer's source). */
export interface OutboxRowsSource {
  client(): RoomKeyClient | undefined;
  roomId(): string;
  rows: {
    readonly messages: readonly ChatMessage[];
    upsert(message: ChatMessage): unknown;
    drop(key: string): void;
  };
  /** A Retry or Discard failed: the composer says why. */
  onError(error: unknown, action: 'retry' | 'discard'): void;
}

/**
 * The room's messages waiting in the client's outbox, as rows: read after each history load and
 * kept current from the client's `outbox` events; Retry and Discard answered here. Clients
 * without an outbox (no `unsent`) show none.
 * @example new OutboxRows(host, { client, roomId, rows: history, onError });
 */
export class OutboxRows implements ReactiveController {
  readonly #host: ReactiveControllerHost &
    HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };
  readonly #source: OutboxRowsSource;
  #client: RoomKeyClient | undefined;
  /** Ids of the unsent rows placed here (dropped when they leave the outbox unsent). */
  readonly #placed = new Set<string>();

  constructor(
    host: ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment },
    source: OutboxRowsSource,
  ) {
    this.#host = host;
    this.#source = source;
    host.addController(this);
    host.addEventListener('roomkey-history-loaded', this.#onLoaded);
  }

  hostConnected(): void {
    this.#host.renderRoot.addEventListener(OUTBOX_ACTION_EVENT, this.#onAction);
  }

  hostUpdate(): void {
    this.#follow(this.#source.client());
  }

  hostDisconnected(): void {
    this.#host.renderRoot.removeEventListener(OUTBOX_ACTION_EVENT, this.#onAction);
    this.#follow(undefined);
  }

  #follow(client: RoomKeyClient | undefined): void {
    if (client === this.#client) return;
    this.#client?.removeEventListener('outbox', this.#onOutbox);
    this.#client = client;
    this.#placed.clear();
    client?.addEventListener('outbox', this.#onOutbox);
  }

  #onLoaded = async (event: Event): Promise<void> => {
    const { roomId } = (event as CustomEvent<{ roomId: string }>).detail;
    const client = this.#source.client();
    if (!client?.unsent || roomId !== this.#source.roomId()) return;
    this.#placed.clear();
    const unsent = await client.unsent(roomId).catch(() => undefined);
    if (unsent && roomId === this.#source.roomId() && client === this.#source.client()) this.#show(unsent);
  };

  #onOutbox = (event: Event): void => {
    const { roomId, unsent } = (event as CustomEvent<RoomKeyClientEvents['outbox']>).detail;
    if (roomId === this.#source.roomId()) this.#show(unsent);
  };

  /** Shows the room's whole outbox; a row that left it unsent (sent rows stay) goes. */
  #show(unsent: readonly UnsentMessage[]): void {
    const { rows } = this.#source;
    const waiting = new Set(unsent.map((m) => m.messageId));
    for (const id of this.#placed) {
      if (waiting.has(id)) continue;
      this.#placed.delete(id);
      if (rows.messages.some((m) => m.status === 'unsent' && m.messageId === id)) rows.drop(id);
    }
    for (const message of unsent) {
      this.#placed.add(message.messageId);
      rows.upsert(message);
    }
  }

  #onAction = async (event: Event): Promise<void> => {
    const { action, roomId, messageId } = (event as CustomEvent<OutboxActionDetail>).detail;
    const client = this.#source.client();
    try {
      if (action === 'retry' && client?.retrySend) {
        const sent = await client.retrySend(roomId, messageId);
        if (roomId === this.#source.roomId()) this.#source.rows.upsert(sent);
      } else if (action === 'discard' && client?.discardSend) {
        await client.discardSend(roomId, messageId);
        if (roomId === this.#source.roomId()) this.#source.rows.drop(messageId);
      }
    } catch (error) {
      this.#source.onError(error, action);
    }
  };
}
