/**
 * One history row of `<roomkey-room>`: sender, time, status and text; held and failed messages
 * say why. Internal.
 * @example html`${messageRow(message, index, count)}`
 */
import { html, nothing, type TemplateResult } from 'lit';
import { messageKey, messageTime } from '../core/client/chat-message.ts';
import type { ChatMessage } from './client/types.ts';
import { deliveryState } from './private-delivery-state.ts';

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "14:05" today, "3 Jan 2025, 14:05" otherwise. */
export function formatTime(ms: number, now = Date.now()): string {
  const date = new Date(ms);
  return date.toDateString() === new Date(now).toDateString()
    ? timeOnly.format(date)
    : dateAndTime.format(date);
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

export function messageRow(message: ChatMessage, index: number, count: number): TemplateResult {
  const parts = ['message', message.own ? 'own-message' : '', `${message.status}-message`].filter(Boolean);
  const words = statusWords(message);
  return html`<li
    class="message"
    part=${parts.join(' ')}
    data-key=${messageKey(message)}
    data-status=${message.status}
    ?data-own=${message.own}
    aria-posinset=${index + 1}
    aria-setsize=${count}
  >
    <div class="meta">
      <span class="sender" part="sender">${message.own ? 'You' : message.status === 'received' ? message.senderUsername : ''}</span>
      <time part="time" datetime=${new Date(messageTime(message)).toISOString()}>${formatTime(messageTime(message))}</time>
      ${words ? html`<span class="message-status" part="message-status">${words}</span>` : nothing}
    </div>
    ${
      message.status === 'held'
        ? html`<p class="text held" part="text">
            This message can't be read yet.
            ${message.reason || `This device has no key for key version ${message.epoch} of the room yet.`}
          </p>`
        : html`<p class="text" part="text">${message.status === 'failed' ? '' : message.text}</p>`
    }
    ${deliveryState(message)}
    ${
      message.status === 'failed'
        ? html`<p class="reason" part="reason">${message.reason || 'The message could not be sent.'}</p>`
        : nothing
    }
  </li>`;
}
