/**
 * The OS notifications the background shows, closed when their room is read elsewhere: another of
 * the user's devices (or a tab here) advanced the room's shared read marker past the message a
 * notification tells of (core/client's `read` event). A notification's id names its room and
 * message (`roomkey:<room>:<message>`); the message's stream sequence is learned from the messages
 * the session delivers. A notification whose sequence is unknown closes with any marker of its room.
 * A notification also closes when its message is deleted by its author (its text must not stay on
 * screen): `deleted` gives its id.
 * Bounded: the oldest entries go first.
 * @example const shown = new ShownNotifications(); shown.seen(message); shown.shown(id); for (const id of shown.read(roomId, seq)) clear(id);
 */
import { notificationId, roomOfNotification } from './notification-router.ts';

/** Messages (id → sequence) and notifications remembered. */
const MAX_MESSAGES = 2000;
const MAX_SHOWN = 500;

/**
 * Which OS notifications to close when a room is read (see the top of this file).
 * @example shown.read(roomId, 42) // → ['roomkey:<room>:<message>']
 */
export class ShownNotifications {
  readonly #seqs = new Map<string, number>();
  /** `room:message` → its author, to honour only the author's delete. */
  readonly #authors = new Map<string, string>();
  /** Notification id → its room and the sequence of its message (0: unknown). */
  readonly #shown = new Map<string, { roomId: string; seq: number }>();

  /** A message the session delivered: its sequence, for the notification about it. */
  seen(message: { roomId: string; messageId: string; seq: number; senderUserId?: string }): void {
    if (!message.messageId || !(message.seq > 0)) return;
    const key = `${message.roomId}:${message.messageId}`;
    this.#seqs.set(key, message.seq);
    if (message.senderUserId) this.#authors.set(key, message.senderUserId);
    while (this.#seqs.size > MAX_MESSAGES) this.#seqs.delete(this.#seqs.keys().next().value!);
    while (this.#authors.size > MAX_MESSAGES) this.#authors.delete(this.#authors.keys().next().value!);
  }

  /**
   * `author` deleted `messageId`: the id of the notification showing it, to close now (forgotten
   * here); undefined when none is shown or the delete is not its author's.
   */
  deleted(roomId: string, messageId: string, author: string): string | undefined {
    const id = notificationId(roomId, messageId);
    if (!this.#shown.has(id) || this.#authors.get(`${roomId}:${messageId}`) !== author) return undefined;
    this.#shown.delete(id);
    return id;
  }

  /** An OS notification was shown under `id` (notificationId's form; others are ignored). */
  shown(id: string): void {
    const roomId = roomOfNotification(id);
    if (!roomId) return;
    const messageId = id.slice(`roomkey:${roomId}:`.length);
    this.#shown.set(id, { roomId, seq: this.#seqs.get(`${roomId}:${messageId}`) ?? 0 });
    while (this.#shown.size > MAX_SHOWN) this.#shown.delete(this.#shown.keys().next().value!);
  }

  /** A notification is gone (clicked, closed by the user): nothing to close later. */
  gone(id: string): void {
    this.#shown.delete(id);
  }

  /** The room was read up to `seq`: the ids of its notifications to close now (forgotten here). */
  read(roomId: string, seq: number): string[] {
    const out: string[] = [];
    for (const [id, note] of this.#shown)
      if (note.roomId === roomId && note.seq <= seq) {
        out.push(id);
        this.#shown.delete(id);
      }
    return out;
  }
}
