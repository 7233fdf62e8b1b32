/**
 * Message events applied to a room's history, the same way on every client: an edit or delete
 * counts only when its sender wrote the target (anyone else's is ignored); edits and reactions are
 * ordered by stream sequence, never by a sender's clock; an event whose target has not arrived yet
 * waits for it. A delete is final: the target's text is dropped from here and shown as deleted.
 * Reactions add up per emoji (who, how many, whether one is mine). Pure: no transport, no UI.
 * @example const events = new MessageEvents(myUserId); events.add(message); render(events.shown(row));
 */
import type { ChatMessage, MessageEventAction, ReceivedMessage, SentMessage } from './types.ts';

/** A readable message that acts on another (an edit, delete, react or unreact). */
export type EventMessage = (SentMessage | ReceivedMessage) & {
  action: MessageEventAction;
  target: string;
};

/** One emoji under a message: how many people chose it, who, and whether this user did. */
export interface ReactionSummary {
  reaction: string;
  count: number;
  usernames: string[];
  mine: boolean;
}

/** What a reply shows of the message it answers (`missing`: not loaded here). */
export type ReplyQuote =
  | { messageId: string; missing: true }
  | {
      messageId: string;
      missing: false;
      senderUsername: string;
      own: boolean;
      firstLine: string;
      deleted: boolean;
    };

/** What the events add to a row. */
export interface Applied {
  edited?: true;
  deleted?: true;
  reactions?: ReactionSummary[];
  quote?: ReplyQuote;
}

/** A row as shown: the message with its events applied. */
export type ShownMessage<M extends ChatMessage = ChatMessage> = M & Applied;

/** Events kept for targets not loaded yet; beyond this the oldest are forgotten (bounded memory). */
export const MAX_WAITING_EVENTS = 5000;

interface Post {
  senderUserId: string;
  senderUsername: string;
  own: boolean;
  text: string;
}

interface Reaction {
  seq: number;
  on: boolean;
  userId: string;
  username: string;
  reaction: string;
  mine: boolean;
}

/**
 * True when `message` acts on another message (it is applied, not shown as a row).
 * @example if (isEventMessage(message)) events.add(message); else list.upsert(message);
 */
export function isEventMessage(message: ChatMessage): message is EventMessage {
  return (
    (message.status === 'sent' || message.status === 'received') &&
    message.action !== undefined &&
    message.target !== undefined
  );
}

/**
 * The first line of a text, shortened for a quote.
 * @example firstLine('hi\nthere') === 'hi'
 */
export function firstLine(text: string, max = 120): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * The events of one room's history (see the top of this file).
 * @example const events = new MessageEvents(me); const { changed } = events.add(message);
 */
export class MessageEvents {
  readonly #me: string;
  readonly #posts = new Map<string, Post>();
  readonly #edits = new Map<string, { seq: number; text: string }>();
  readonly #deleted = new Set<string>();
  /** Target → (user, emoji) → the latest react or unreact by sequence. */
  readonly #reactions = new Map<string, Map<string, Reaction>>();
  /** Edits and deletes whose target is not loaded yet, oldest first. */
  readonly #waiting = new Map<string, EventMessage[]>();
  #waitingCount = 0;

  constructor(myUserId = '') {
    this.#me = myUserId;
  }

  /**
   * Takes any message of the room, in any order. Returns whether it was an event (not a row) and
   * the ids of the messages whose shown state changed (re-render them).
   */
  add(message: ChatMessage): { event: boolean; changed: string[] } {
    if (isEventMessage(message))
      return { event: true, changed: this.#apply(message) ? [message.target] : [] };
    if (message.status !== 'sent' && message.status !== 'received') return { event: false, changed: [] };
    const id = message.messageId;
    this.#posts.set(id, {
      senderUserId: message.senderUserId,
      senderUsername: message.senderUsername,
      own: message.own,
      text: this.#deleted.has(id) ? '' : message.text,
    });
    const waiting = this.#waiting.get(id) ?? [];
    this.#waiting.delete(id);
    this.#waitingCount -= waiting.length;
    for (const event of waiting.sort((a, b) => a.seq - b.seq)) this.#apply(event);
    return { event: false, changed: [id] };
  }

  /** True once a valid delete of `messageId` was applied. */
  isDeleted(messageId: string): boolean {
    return this.#deleted.has(messageId);
  }

  /** `message` with its edits, delete, reactions and reply quote applied. */
  shown<M extends ChatMessage>(message: M): ShownMessage<M> {
    if (message.status !== 'sent' && message.status !== 'received') return message;
    const id = message.messageId;
    const out: ShownMessage<M> = { ...message };
    if (this.#deleted.has(id)) {
      Object.assign(out, { text: '', deleted: true });
    } else {
      const edit = this.#edits.get(id);
      if (edit) Object.assign(out, { text: edit.text, edited: true });
    }
    const reactions = this.reactions(id);
    if (reactions.length > 0 && !this.#deleted.has(id)) out.reactions = reactions;
    const replyTo = (message as { replyTo?: string }).replyTo;
    if (replyTo) out.quote = this.quote(replyTo);
    return out;
  }

  /** The reactions on a message, one entry per emoji, in the order first chosen. */
  reactions(messageId: string): ReactionSummary[] {
    const byEmoji = new Map<string, ReactionSummary>();
    const chosen = [...(this.#reactions.get(messageId)?.values() ?? [])].filter((r) => r.on);
    for (const r of chosen.sort((a, b) => a.seq - b.seq)) {
      const summary = byEmoji.get(r.reaction) ?? {
        reaction: r.reaction,
        count: 0,
        usernames: [],
        mine: false,
      };
      summary.count++;
      summary.usernames.push(r.mine ? 'You' : r.username);
      summary.mine ||= r.mine;
      byEmoji.set(r.reaction, summary);
    }
    return [...byEmoji.values()];
  }

  /** Whether this user's `reaction` is on the message (the next click takes it back). */
  reactedWith(messageId: string, reaction: string): boolean {
    return this.#reactions.get(messageId)?.get(`${this.#me}\u0000${reaction}`)?.on === true;
  }

  /** What a reply to `messageId` shows of it. */
  quote(messageId: string): ReplyQuote {
    const post = this.#posts.get(messageId);
    if (!post) return { messageId, missing: true };
    const deleted = this.#deleted.has(messageId);
    const text = deleted ? '' : (this.#edits.get(messageId)?.text ?? post.text);
    return {
      messageId,
      missing: false,
      senderUsername: post.senderUsername,
      own: post.own,
      firstLine: firstLine(text),
      deleted,
    };
  }

  /** Applies one event; true when the target's shown state may have changed. */
  #apply(event: EventMessage): boolean {
    const { target } = event;
    if (event.action === 'react' || event.action === 'unreact') return this.#react(event);
    const post = this.#posts.get(target);
    if (!post) {
      this.#wait(event);
      return false;
    }
    // Only the author edits or deletes a message: anyone else's event is ignored.
    if (event.senderUserId !== post.senderUserId || this.#deleted.has(target)) return false;
    if (event.action === 'delete') {
      this.#deleted.add(target);
      post.text = '';
      this.#edits.delete(target);
      return true;
    }
    const edit = this.#edits.get(target);
    if (edit && edit.seq >= event.seq) return false;
    this.#edits.set(target, { seq: event.seq, text: event.text });
    return true;
  }

  #react(event: EventMessage): boolean {
    const reaction = event.reaction;
    if (!reaction) return false;
    const key = `${event.senderUserId}\u0000${reaction}`;
    const byUser = this.#reactions.get(event.target) ?? new Map<string, Reaction>();
    const current = byUser.get(key);
    if (current && current.seq >= event.seq) return false;
    byUser.set(key, {
      seq: event.seq,
      on: event.action === 'react',
      userId: event.senderUserId,
      username: event.senderUsername,
      reaction,
      mine: event.senderUserId === this.#me,
    });
    this.#reactions.set(event.target, byUser);
    return true;
  }

  #wait(event: EventMessage): void {
    const list = this.#waiting.get(event.target) ?? [];
    list.push(event);
    this.#waiting.set(event.target, list);
    this.#waitingCount++;
    if (this.#waitingCount <= MAX_WAITING_EVENTS) return;
    // The oldest target's events go first: its message is the least likely to still arrive.
    const [oldest, dropped] = this.#waiting.entries().next().value as [string, EventMessage[]];
    this.#waiting.delete(oldest);
    this.#waitingCount -= dropped.length;
  }
}
