/**
 * A membership row of `<roomkey-room>`'s history: "alice added bob", "You removed carol", "bob
 * left", "alice renamed the room to “Launch”" — a line between the messages, in stream order, with
 * a day separator when the day changes and the time JetStream stored the change. Internal.
 * @example html`${membershipRow(row, { index, count, previous })}`
 */
import { html, nothing, type TemplateResult } from 'lit';
import { messageTime } from '../core/client/chat-message.ts';
import type { ChatMessage, MembershipRow } from './client/types.ts';
import { dayLabel, formatTime } from './private-message.ts';

/** "bob", "bob and carol", "bob, carol and dave"; this user is "you". */
function names(users: MembershipRow['users'], me: string | undefined): string {
  const list = users.map((u) => (u.userId === me ? 'you' : u.username || 'someone'));
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}

/**
 * The row's sentence, for the page and for screen readers.
 * @example membershipWords(row, myUserId) // 'alice added bob'
 */
export function membershipWords(row: MembershipRow, me: string | undefined): string {
  const by = row.own ? 'You' : row.byUsername || 'Someone';
  switch (row.change) {
    case 'added':
      return `${by} added ${names(row.users, me)}`;
    case 'removed':
      return `${by} removed ${names(row.users, me)}`;
    case 'left':
      return `${by} left`;
    case 'renamed':
      return `${by} renamed the room to “${row.name ?? ''}”`;
  }
}

export function membershipRow(
  row: MembershipRow,
  ctx: { index: number; count: number; previous: ChatMessage | undefined; me: string | undefined },
): TemplateResult {
  const time = row.storedAtMs;
  const newDay =
    !ctx.previous || new Date(messageTime(ctx.previous)).toDateString() !== new Date(time).toDateString();
  return html`<li
    class="message membership"
    part="membership-row"
    data-key=${row.messageId}
    data-status="membership"
    data-change=${row.change}
    aria-posinset=${ctx.index + 1}
    aria-setsize=${ctx.count}
  >
    ${newDay ? html`<p class="day" part="day-separator"><span>${dayLabel(time)}</span></p>` : nothing}
    <p class="membership-text" part="membership-text">
      <span part="membership-words">${membershipWords(row, ctx.me)}</span>
      <time part="time" datetime=${new Date(time).toISOString()}>${formatTime(time)}</time>
    </p>
  </li>`;
}
