/**
 * This device's own messages, kept from JetStream's ack until server facts say every receiver
 * takes them. A sender that had not seen a rotation (offline, or sending before its catch-up ran)
 * may have a message stored more than REPLAY_GRACE_MS after the commit that replaced its epoch:
 * every receiver refuses it by position (core/room/replay-guard.ts), so it must be sent again in
 * the current epoch. Judged with the receivers' own rule (Room.refusedByPosition) on the stored
 * time of the message's echo (this device's consumer delivers it back) and the stored time of the
 * closing commit, once both are known here; never by this device's clock.
 * @example own.sent(entry); own.echoed(seq, storedAtMs, syncs); for (const e of own.judge(room, syncs)) resend(e);
 */

/** One of this device's messages, stored by JetStream, not yet known to be taken by receivers. */
export interface OwnSend {
  /** Hex; a message sent again keeps it, so no receiver shows it twice. */
  messageId: string;
  text: string;
  epoch: number;
  /** The stream sequence the publish ack gave (its echo carries the same). */
  seq: number;
  sentAtMs: number;
  /** When JetStream stored it, from its echo. */
  storedAtMs?: number;
  /** Syncs of the chain started before its echo arrived (a later one can vouch for it). */
  echoSyncs?: number;
}

/**
 * Members of the room now who were not members in `epoch`: a message its author wrote for the room
 * as it was is not sent again to them without the author's say (they would read what was written
 * before they joined, which a room shares only when its members choose to).
 * @example if (joinedSince(room, sent.epoch).length > 0) tellTheAuthor();
 */
export function joinedSince(
  room: { readonly members: readonly string[]; view(epoch: number): { members: readonly string[] } },
  epoch: number,
): string[] {
  const then = new Set(room.view(epoch).members);
  return room.members.filter((userId) => !then.has(userId));
}

/** What a judgement needs of the room. */
export interface PositionRule {
  readonly epoch: number;
  refusedByPosition(epoch: number, storedAtMs: number): boolean | undefined;
}

/**
 * Most messages waiting for a verdict (their texts are kept). A room's chain is read again a few
 * seconds after an echo, so only a burst larger than this in that time could push one out.
 */
export const MAX_OWN_SENDS = 4096;

/**
 * This device's messages waiting for a verdict, by stream sequence (see the top of this file).
 * @example const own = new OwnSends(); own.sent({ messageId, text, epoch, seq, sentAtMs });
 */
export class OwnSends {
  readonly #bySeq = new Map<number, OwnSend>();

  /** A message JetStream acknowledged (a copy sent again replaces nothing: it has its own seq). */
  sent(entry: OwnSend): void {
    this.#bySeq.set(entry.seq, entry);
    if (this.#bySeq.size > MAX_OWN_SENDS) this.#bySeq.delete(this.#bySeq.keys().next().value!);
  }

  /** Its echo arrived: JetStream stored the message at `seq` at `storedAtMs`. */
  echoed(seq: number, storedAtMs: number, syncsStarted: number): void {
    const entry = this.#bySeq.get(seq);
    if (!entry || entry.storedAtMs !== undefined) return;
    entry.storedAtMs = storedAtMs;
    entry.echoSyncs = syncsStarted;
  }

  /**
   * Removes every message with a verdict and returns those every receiver refuses (to send
   * again). Taken: its epoch's closing commit was stored at most the grace before it, or a read of
   * the chain that started after its echo (`syncsDone`: how many had started when the last
   * finished one did) found its epoch still the latest, so any closing commit comes after it.
   */
  judge(room: PositionRule, syncsDone?: number): OwnSend[] {
    const again: OwnSend[] = [];
    for (const [seq, entry] of this.#bySeq) {
      if (entry.storedAtMs === undefined) continue;
      const refused = room.refusedByPosition(entry.epoch, entry.storedAtMs);
      const vouched =
        entry.epoch >= room.epoch && syncsDone !== undefined && (entry.echoSyncs ?? Infinity) < syncsDone;
      if (refused === undefined && !vouched) continue;
      this.#bySeq.delete(seq);
      if (refused) again.push(entry);
    }
    return again;
  }

  /**
   * The author deleted these messages (a message and its edits): they are never sent again, and
   * their text is no longer kept here.
   */
  forget(messageIds: ReadonlySet<string>): void {
    for (const [seq, entry] of this.#bySeq) if (messageIds.has(entry.messageId)) this.#bySeq.delete(seq);
  }

  /** Messages whose echo arrived and that still wait for a verdict. */
  get echoedWaiting(): number {
    let n = 0;
    for (const entry of this.#bySeq.values()) if (entry.storedAtMs !== undefined) n++;
    return n;
  }

  get size(): number {
    return this.#bySeq.size;
  }
}
