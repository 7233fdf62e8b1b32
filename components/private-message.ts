/**
 * One history row of `<roomkey-room>`: a day separator when the day changes, the "New since you
 * left" marker, sender and time (once for consecutive messages of one sender), the quote of the
 * message it replies to (a button that jumps there), the text with links and kept line breaks
 * (long ones collapsed with "Show more"), "edited" or "This message was deleted.", reactions and
 * the message's actions. Held and failed messages say why. Internal.
 * @example html`${messageRow(shown, { index, count, previous, onAction })}`
 */
import { html, nothing, type TemplateResult } from 'lit';
import { messageKey, messageTime } from '../core/client/chat-message.ts';
import type { ReplyQuote, ShownMessage } from '../core/client/message-events.ts';
import type { ChatMessage, MembershipRow } from './client/types.ts';
import { deliveryState } from './private-delivery-state.ts';
import {
  editForm,
  messageActions,
  type OnRowAction,
  type RowPanel,
  reactionChips,
} from './private-message-actions.ts';
import { isLongText, linkedText } from './private-message-text.ts';

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const fullDay = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
/** Messages of one sender this close together are grouped under one name. */
const GROUP_MS = 5 * 60_000;

/** "14:05" today, "3 Jan 2025, 14:05" otherwise. */
export function formatTime(ms: number, now = Date.now()): string {
  const date = new Date(ms);
  return date.toDateString() === new Date(now).toDateString()
    ? timeOnly.format(date)
    : dateAndTime.format(date);
}

/**
 * The words of a day separator: "Today", "Yesterday", else the full date.
 * @example dayLabel(Date.now()) === 'Today'
 */
export function dayLabel(ms: number, now = Date.now()): string {
  const day = new Date(ms).toDateString();
  if (day === new Date(now).toDateString()) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  return day === yesterday.toDateString() ? 'Yesterday' : fullDay.format(ms);
}

function senderOf(message: ChatMessage): string | undefined {
  return message.status === 'held' || message.status === 'failed' || message.status === 'membership'
    ? undefined
    : message.senderUserId;
}

/**
 * Whether `message` continues `previous`'s group: same readable sender, same day, a few minutes apart.
 * @example if (continuesGroup(m, prev)) hideName();
 */
export function continuesGroup(message: ChatMessage, previous: ChatMessage | undefined): boolean {
  if (!previous) return false;
  const sender = senderOf(message);
  if (!sender || sender !== senderOf(previous)) return false;
  const [a, b] = [messageTime(previous), messageTime(message)];
  return new Date(a).toDateString() === new Date(b).toDateString() && b - a < GROUP_MS;
}

function statusWords(message: ChatMessage): string {
  switch (message.status) {
    case 'sending':
      return 'Sending…';
    case 'failed':
      return 'Not sent';
    case 'held':
      return 'Waiting for key';
    default:
      return '';
  }
}

/** What a row needs besides its message. */
export interface RowContext {
  index: number;
  count: number;
  /** The row above (day separator and grouping). */
  previous: ChatMessage | undefined;
  /** This row is the first one the reader has not seen ("New since you left"). */
  firstUnread: boolean;
  /** "Show more" was pressed on this long message. */
  expanded: boolean;
  panel: RowPanel;
  /** The client can send replies, edits and reactions, and this user may write here. */
  canAct: boolean;
  onAction: OnRowAction;
}

function quoteLine(quote: ReplyQuote, message: ShownMessage, onAction: OnRowAction): TemplateResult {
  if (quote.missing) {
    return html`<p class="quote" part="quote">Replying to an earlier message</p>`;
  }
  const who = quote.own ? 'You' : quote.senderUsername;
  const line = quote.deleted ? 'This message was deleted.' : quote.firstLine;
  return html`<button
    type="button"
    class="quote"
    part="quote"
    aria-label=${`Replying to ${who}: ${line} (show that message)`}
    @click=${() => onAction(message, { kind: 'jump', messageId: quote.messageId })}
  >
    <span class="quote-sender">${who}</span> <span class="quote-text">${line}</span>
  </button>`;
}

function body(message: ShownMessage<Exclude<ChatMessage, MembershipRow>>, ctx: RowContext): TemplateResult {
  if (message.status === 'held') {
    return html`<p class="text held" part="text">
      This message can't be read yet.
      ${message.reason || `This device has no key for key version ${message.epoch} of the room yet.`}
    </p>`;
  }
  if (message.status === 'failed') return html`<p class="text" part="text"></p>`;
  if (message.deleted) return html`<p class="text deleted" part="text deleted">This message was deleted.</p>`;
  if (ctx.panel === 'edit') return editForm(message, ctx.onAction);
  const long = isLongText(message.text);
  const collapsed = long && !ctx.expanded;
  const id = `text-${messageKey(message)}`;
  return html`<p class="text" part="text" id=${id} ?data-collapsed=${collapsed}>${linkedText(message.text)}</p>
    ${message.edited ? html`<span class="edited" part="edited">(edited)</span>` : nothing}
    ${
      long
        ? html`<button
            type="button"
            class="link more"
            part="show-more"
            aria-expanded=${ctx.expanded ? 'true' : 'false'}
            aria-controls=${id}
            @click=${() => ctx.onAction(message, { kind: 'expand' })}
          >
            ${ctx.expanded ? 'Show less' : 'Show more'}
          </button>`
        : nothing
    }`;
}

export function messageRow(
  message: ShownMessage<Exclude<ChatMessage, MembershipRow>>,
  ctx: RowContext,
): TemplateResult {
  const parts = ['message', message.own ? 'own-message' : '', `${message.status}-message`].filter(Boolean);
  const words = statusWords(message);
  const time = messageTime(message);
  const newDay =
    !ctx.previous || new Date(messageTime(ctx.previous)).toDateString() !== new Date(time).toDateString();
  const grouped = !newDay && !ctx.firstUnread && continuesGroup(message, ctx.previous);
  const sender = message.own ? 'You' : message.status === 'received' ? message.senderUsername : '';
  return html`<li
    class="message"
    part=${parts.join(' ')}
    data-key=${messageKey(message)}
    data-status=${message.status}
    ?data-own=${message.own}
    ?data-grouped=${grouped}
    aria-posinset=${ctx.index + 1}
    aria-setsize=${ctx.count}
  >
    ${newDay ? html`<p class="day" part="day-separator"><span>${dayLabel(time)}</span></p>` : nothing}
    ${ctx.firstUnread ? html`<p class="unread-marker" part="unread-marker"><span>New since you left</span></p>` : nothing}
    <div class=${grouped ? 'meta visually-hidden' : 'meta'}>
      <span class="sender" part="sender">${sender}</span>
      <time part="time" datetime=${new Date(time).toISOString()}>${formatTime(time)}</time>
      ${words ? html`<span class="message-status" part="message-status">${words}</span>` : nothing}
    </div>
    ${message.quote ? quoteLine(message.quote, message, ctx.onAction) : nothing}
    ${body(message, ctx)} ${deliveryState(message)}
    ${
      message.status === 'failed'
        ? html`<p class="reason" part="reason">${message.reason || 'The message could not be sent.'}</p>`
        : nothing
    }
    ${reactionChips(message, ctx.canAct, ctx.onAction)}
    ${ctx.canAct ? messageActions(message, ctx.panel, ctx.onAction) : nothing}
  </li>`;
}
