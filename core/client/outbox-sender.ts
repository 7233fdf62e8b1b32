/**
 * Sending through the outbox (outbox.ts), the one way every host sends: a message is kept in the
 * encrypted store before the first attempt, removed once JetStream stored it, and kept as
 * "not sent yet" when the attempt failed for want of a connection — sent again, with the same
 * message id, when the session is back online, or when the person retries; discarded on request.
 * A failure that a connection does not cure (removed from the room, too large) ends a first
 * attempt as before (the caller gets the error and nothing is kept); the same failure of a kept
 * message keeps it with the reason, for the person to discard.
 * @example const sender = await OutboxSender.open(session, { me, onChange, onSent }); await sender.send(roomId, 'hi');
 */
import { fromHex } from '../bytes.ts';
import { LockedError, NotFoundError, RoomKeyError, UnavailableError, userErrorText } from '../errors.ts';
import { unsentMessage } from './chat-message.ts';
import { Outbox, type OutboxEntry, type OutboxStore } from './outbox.ts';
import type { ConnectionState, SentMessage, UnsentMessage } from './types.ts';

/** Why a message waits while the device is offline, for a person. */
export const OFFLINE_REASON =
  "RoomKey's server can't be reached from here right now. It is sent on its own when you're back online.";

/** What sending needs of a running session (core/client's RoomKeySession). */
export interface OutboxSession {
  readonly store: OutboxStore;
  readonly connection: ConnectionState;
  send(
    roomId: string,
    text: string,
    options: { messageId: Uint8Array; sentAtMs: number },
  ): Promise<SentMessage>;
}

export interface OutboxHooks {
  /** Who writes (the rows' sender). */
  me: { userId: string; username: string };
  /** The room's waiting messages changed (kept, failed again, sent, discarded). */
  onChange(roomId: string): void;
  /** A kept message was stored at last: the host hands it on as a `message` event. */
  onSent(message: SentMessage): void;
}

/**
 * Whether a failure is the connection's, which coming back online cures: the message is kept.
 * @example if (keptOnFailure(error)) showNotSentYet();
 */
export function keptOnFailure(error: unknown): boolean {
  return error instanceof UnavailableError || (error instanceof RoomKeyError && error.code === 'unavailable');
}

/**
 * The outbox of one running session (see the top of this file).
 * @example sender.flush(); const rows = sender.unsent(roomId);
 */
export class OutboxSender {
  readonly #session: OutboxSession;
  readonly #outbox: Outbox;
  readonly #hooks: OutboxHooks;
  /** Messages with an attempt under way: never two attempts of one message at once. */
  readonly #inFlight = new Map<string, Promise<SentMessage>>();
  #flushing: Promise<void> | undefined;
  #closed = false;

  private constructor(session: OutboxSession, outbox: Outbox, hooks: OutboxHooks) {
    this.#session = session;
    this.#outbox = outbox;
    this.#hooks = hooks;
  }

  /** Reads the session's outbox; MalformedError when the stored record is damaged. */
  static async open(session: OutboxSession, hooks: OutboxHooks): Promise<OutboxSender> {
    return new OutboxSender(session, await Outbox.open(session.store), hooks);
  }

  /**
   * Keeps the message, then sends it. Resolves with it once stored. Rejects with the attempt's
   * error; when that is a connection failure (`keptOnFailure`) the message stays in the outbox
   * ("not sent yet") and goes out when the session is online again.
   */
  async send(roomId: string, text: string): Promise<SentMessage> {
    this.#requireOpen();
    const entry = await this.#outbox.add(roomId, text);
    try {
      const sent = await this.#attempt(entry);
      void this.flush();
      return sent;
    } catch (error) {
      if (!keptOnFailure(error)) await this.#outbox.remove(entry.messageId);
      this.#hooks.onChange(roomId);
      throw error;
    }
  }

  /** The room's messages not sent yet, oldest first, as rows. */
  unsent(roomId: string): UnsentMessage[] {
    return this.#outbox.list(roomId).map((entry) => this.#row(entry));
  }

  /** Sends a kept message now (the person pressed Retry); it stays kept when this fails too. */
  async retry(roomId: string, messageId: string): Promise<SentMessage> {
    this.#requireOpen();
    const entry = this.#find(roomId, messageId);
    const sent = await this.#attempt(entry);
    this.#hooks.onSent(sent);
    return sent;
  }

  /** Drops a kept message unsent (NotFoundError when it is not waiting, e.g. sent meanwhile). */
  async discard(roomId: string, messageId: string): Promise<void> {
    this.#requireOpen();
    this.#find(roomId, messageId);
    if (this.#inFlight.has(messageId))
      throw new LockedError('This message is being sent right now. Wait a moment, then look again.');
    await this.#outbox.remove(messageId);
    this.#hooks.onChange(roomId);
  }

  /**
   * Sends every kept message, oldest first, while the session is online; one run at a time. A
   * connection failure stops the run (the next `online` starts another).
   */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushAll().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops (lock, sign-out): nothing more is sent; what is kept stays in the store. */
  close(): void {
    this.#closed = true;
  }

  async #flushAll(): Promise<void> {
    for (const entry of this.#outbox.list()) {
      if (this.#closed || this.#session.connection !== 'online') return;
      if (this.#inFlight.has(entry.messageId)) continue;
      try {
        this.#hooks.onSent(await this.#attempt(entry));
      } catch (error) {
        if (keptOnFailure(error)) return;
      }
    }
  }

  /**
   * One attempt with the entry's own message id and time: removed when stored, else kept with
   * the reason (the caller decides whether a first attempt's failure keeps it).
   */
  #attempt(entry: OutboxEntry): Promise<SentMessage> {
    const running = this.#inFlight.get(entry.messageId);
    if (running) return running;
    const attempt = (async () => {
      try {
        const sent = await this.#session.send(entry.roomId, entry.text, {
          messageId: fromHex(entry.messageId),
          sentAtMs: entry.writtenAtMs,
        });
        await this.#outbox.remove(entry.messageId);
        this.#hooks.onChange(entry.roomId);
        return sent;
      } catch (error) {
        await this.#outbox.failed(
          entry.messageId,
          keptOnFailure(error) ? OFFLINE_REASON : userErrorText(error),
        );
        this.#hooks.onChange(entry.roomId);
        throw error;
      }
    })();
    this.#inFlight.set(entry.messageId, attempt);
    void attempt.then(
      () => this.#inFlight.delete(entry.messageId),
      () => this.#inFlight.delete(entry.messageId),
    );
    return attempt;
  }

  #find(roomId: string, messageId: string): OutboxEntry {
    const entry = this.#outbox.get(messageId);
    if (!entry || entry.roomId !== roomId)
      throw new NotFoundError('This message is no longer waiting to be sent: it was sent or discarded.');
    return entry;
  }

  #row(entry: OutboxEntry): UnsentMessage {
    return unsentMessage({
      roomId: entry.roomId,
      messageId: entry.messageId,
      senderUserId: this.#hooks.me.userId,
      senderUsername: this.#hooks.me.username,
      sentAtMs: entry.writtenAtMs,
      text: entry.text,
      reason: entry.reason ?? 'Not sent yet.',
    });
  }

  #requireOpen(): void {
    if (this.#closed) throw new LockedError('RoomKey is locked. Unlock it to send.');
  }
}
