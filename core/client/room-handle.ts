/**
 * One room as this device lives it: core/room's state machine fed from three places — the signed
 * chain from the gateway (room.commits, verified here link by link, with the time JetStream stored
 * each link), the room's live commit subject, and the room's envelopes as JetStream stored them
 * (live-reader.ts: through this device's consumer, each with its stored time and sequence, so
 * the sender's device is judged by the server's time and delivery resumes by sequence) — plus
 * sending (envelopes go straight to `.msg`; JetStream stores them) and membership changes (built
 * here, signed by this device, stored by the gateway; a lost race is rebuilt on the winner and
 * sent again). Everything that changes the room is serialized; the snapshot is saved after changes.
 * @example const handle = new RoomHandle(roomId, deps); await handle.sync(); await handle.startLive();
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import { fromHex, toHex } from '../bytes.ts';
import { decodeSigned, type MessageActionName, type SignedProps } from '../crypto/index.ts';
import {
  BadSignatureError,
  ConflictError,
  NotMemberError,
  RoomKeyError,
  TooLargeError,
  UnavailableError,
} from '../errors.ts';
import { liveMark } from '../live-marks.ts';
import {
  type LocalMember,
  messageIdOf,
  REPLAY_GRACE_MS,
  type ReceivedEnvelope,
  type ReceiveResult,
  Room,
} from '../room/index.ts';
import { coalesce, SerialQueue } from '../serial.ts';
import { natsFailure } from '../transport/request.ts';
import { roomSubject } from '../transport/subjects.ts';
import { heldMessage, readableMessage, sentMessage } from './chat-message.ts';
import { commitRequest, roomCommits } from './gateway-api.ts';
import type { GatewayDirectory } from './gateway-directory.ts';
import { LiveReader } from './live-reader.ts';
import { membershipRows } from './membership-rows.ts';
import { messageSizeProblem } from './message-size.ts';
import { deletedBy, type Readable, RecentMessages } from './recent-messages.ts';
import { joinedSince, type OwnSend, OwnSends } from './resend.ts';
import { SentIds } from './sent-ids.ts';
import type {
  HeldMessage,
  MemberRole,
  MemberSummary,
  MembershipRow,
  MessageEventFields,
  RoomPermissions,
  RoomSummary,
  SentMessage,
  StoredMessage,
} from './types.ts';

/** What a message does besides its text (core/room's encrypt options): a reply or an event. */
export interface SendOptions {
  replyTo?: Uint8Array;
  action?: MessageActionName;
  target?: Uint8Array;
  reaction?: string;
  /** A message kept in the outbox (outbox-sender.ts): every attempt of it uses this one id. */
  messageId?: Uint8Array;
}

export interface RoomDeps {
  me: LocalMember;
  directory: GatewayDirectory;
  nc: () => NatsConnection;
  /** Resolves when no JWT refresh/reconnect is in flight (DeviceLink.ready). */
  ready: () => Promise<void>;
  timeoutMs?: number;
  /** A message arrived live (or a held one became readable). */
  onMessage: (message: StoredMessage) => void;
  /** Membership, epoch or name changed. */
  onChange: () => void;
  /** Saves the room's snapshot (LocalState.setRoom: only what changed since the last save). */
  save: (roomId: string, room: Room) => Promise<void>;
  onError?: (error: Error) => void;
  /** Resolves when no catch-up after a reconnect is running (sends wait for it, bounded). */
  caughtUp?: () => Promise<void> | undefined;
}

/** Ids of messages sent from here that are remembered, 4,096 to twice that (live echoes are skipped). */
const SENT = 4096;
const COMMIT_ATTEMPTS = 4;
/** Sends of one commit through outages (backoff 0.25, 0.5, 1, 2 s between them). */
const COMMIT_SENDS = 5;
const SAVE_DELAY_MS = 250;
/**
 * How long a send waits for a running catch-up: long enough for the usual one (the message then
 * goes out in the epoch the catch-up found), well under the replay grace; past it the message goes
 * out anyway and, if receivers refuse it by position, is sent again (resend.ts).
 */
const CATCH_UP_WAIT_MS = 10_000;
/** After an echo, the chain is read again this much later to learn whether the epoch still holds. */
const VOUCH_AFTER_MS = 10_000;
/** A failed resend is tried again this much later (until it is stored or the room is closed). */
const RESEND_RETRY_MS = 3000;

/**
 * One room on this device (see the top of this file).
 * @example const handle = new RoomHandle(roomId, deps); await handle.sync(); await handle.send('hi');
 */
export class RoomHandle {
  readonly roomId: string;
  room: Room | undefined;
  /** Set from the gateway's room list when no chain is loaded yet. */
  listedStatus: 'member' | 'removed' | 'outside' = 'member';
  unread = 0;
  focused = false;
  readonly #deps: RoomDeps;
  readonly #recent = new RecentMessages();
  readonly #sent = new SentIds(SENT);
  /** The reply or event of own messages that may be sent again (same bounds as #sent). */
  readonly #sentOptions = new Map<string, SendOptions>();
  readonly #reader: LiveReader;
  /** Everything that changes the room, in order (commits and batches of messages). */
  readonly #queue = new SerialQueue();
  /** One reader of the device's consumer at a time (the live reader pauses meanwhile). */
  readonly #readers = new SerialQueue();
  #sub: Subscription | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Own messages until receivers are known to take them (resend.ts). */
  readonly #own = new OwnSends();
  /** Reads of the chain started so far (a read started after an echo vouches for it). */
  #syncsStarted = 0;
  #vouchTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /**
   * Membership rows up to this epoch are the history's (read with it); later ones are announced
   * live once their stored place is known (undefined: the chain was not loaded yet).
   */
  #announced: number | undefined;
  /** The roles the gateway enforces here, from its last answer (undefined: not asked yet). */
  #roles: GatewayRoles | undefined;

  constructor(roomId: string, deps: RoomDeps, room?: Room) {
    this.roomId = roomId;
    this.#deps = deps;
    this.room = room;
    this.#announced = room?.epoch;
    this.#reader = new LiveReader(roomId, {
      nc: deps.nc,
      ready: deps.ready,
      timeoutMs: deps.timeoutMs,
      lastSeq: () => this.room?.lastSeq ?? 0,
      lastSeqLegacy: () => this.room?.lastSeqLegacy ?? false,
      deliver: (envelope) => this.#enqueueMessage(envelope),
      placed: (seq) => {
        this.room?.markDelivered(seq);
        this.#scheduleSave();
      },
      onError: deps.onError,
    });
  }

  get status(): 'member' | 'removed' | 'outside' {
    return this.room?.status ?? this.listedStatus;
  }

  /** Runs `fn` after everything queued before it (commits and messages apply in order). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.#queue.run(fn);
  }

  /**
   * Brings the chain up to date from the gateway (verifying every link). Network waits happen
   * outside the serial queue, so live messages keep flowing while the gateway is slow or away;
   * concurrent calls share one run.
   */
  readonly sync: () => Promise<void> = coalesce(() => this.#sync());

  async #sync(): Promise<void> {
    const started = ++this.#syncsStarted;
    for (let guard = 0; guard < 1000; guard++) {
      // From the first link whose stored time is not known yet (applied live, or made here).
      const from = this.room ? this.#firstUntimedEpoch(this.room) : 0;
      await this.#deps.ready();
      const res = await roomCommits(
        this.#deps.nc(),
        { roomId: this.roomId, fromEpoch: from },
        { timeoutMs: this.#deps.timeoutMs },
      );
      this.#roles = gatewayRoles(res);
      const facts = (i: number) => {
        const storedAtMs = Number(res.storedAtMs[i] ?? 0);
        return storedAtMs > 0 ? { storedAtMs, seq: Number(res.seqs[i] ?? 0) } : undefined;
      };
      const done = await this.serial(async () => {
        const chain = res.chain;
        for (const [i, signed] of chain.entries()) {
          const stored = facts(i);
          if (from + i === 0 && !this.room) {
            this.room = await Room.fromGenesis(signed, this.#deps.me, this.#deps.directory, stored);
          } else if (from + i === 0) {
            if (stored) await this.room!.learnGenesisStored(signed, stored);
          } else {
            // Entries the live subscription applied meanwhile are no-ops here (that learn their time).
            await this.#apply(signed, stored);
          }
        }
        return !this.room || chain.length === 0 || this.room.epoch >= Number(res.latestEpoch);
      });
      if (done) break;
    }
    this.#changed();
    this.#judgeOwn(started);
    await this.#announceChanges();
  }

  /**
   * The history's membership rows (core/room Room.changes) of changes stored at or after `fromSeq`
   * that opened `fromEpoch` or later, oldest first.
   * @example const rows = await handle.membershipRows(cursor.startSeq, firstReadableEpoch);
   */
  membershipRows(fromSeq: number, fromEpoch = 1): Promise<MembershipRow[]> {
    const changes = (this.room?.changes(fromEpoch) ?? []).filter(
      (c) => c.seq !== undefined && c.seq >= fromSeq,
    );
    return membershipRows(changes, {
      roomId: this.roomId,
      myUserId: this.#deps.me.userId,
      username: (userId) => this.#username(userId),
    });
  }

  /** Changes newer than those announced, as rows, once their stored place is known (in order). */
  async #announceChanges(): Promise<void> {
    const room = this.room;
    if (!room) return;
    if (this.#announced === undefined) {
      this.#announced = room.epoch; // the first load: the history read shows what came before
      return;
    }
    const ready = [];
    for (const change of room.changes(this.#announced + 1)) {
      if (change.seq === undefined) break;
      ready.push(change);
    }
    if (ready.length === 0) return;
    this.#announced = ready.at(-1)!.epoch;
    const rows = await membershipRows(ready, {
      roomId: this.roomId,
      myUserId: this.#deps.me.userId,
      username: (userId) => this.#username(userId),
    });
    for (const row of rows) this.#deps.onMessage(row);
  }

  #firstUntimedEpoch(room: Room): number {
    for (let epoch = 0; epoch <= room.epoch; epoch++)
      if (room.openedAtMs(epoch) === undefined || room.seqOf(epoch) === undefined) return epoch;
    return room.epoch + 1;
  }

  async #apply(signed: roomkey.v1.ISigned, facts?: { storedAtMs: number; seq: number }): Promise<void> {
    const { released } = await this.room!.applyCommit(signed, facts);
    for (const result of released) await this.#deliver(result, false);
  }

  /**
   * Follows the room live (the JWT must allow it: refresh first after joining): commits on the
   * commit subject, envelopes through the live reader. Resolves once the reader is placed, so
   * whatever is stored from then on is delivered.
   */
  startLive(): Promise<void> {
    if (this.status !== 'member' || !this.room) return Promise.resolve();
    if (!this.#sub) {
      const sub = this.#deps.nc().subscribe(roomSubject(this.roomId, 'commit'));
      this.#sub = sub;
      void (async () => {
        try {
          for await (const msg of sub) {
            const data = msg.data;
            void this.serial(() => this.#liveCommit(data)).catch((error: Error) =>
              this.#deps.onError?.(error),
            );
          }
        } catch (error) {
          this.#deps.onError?.(error as Error);
        } finally {
          if (this.#sub === sub) this.#sub = undefined;
        }
      })();
    }
    return this.#reader.start();
  }

  stopLive(): Promise<void> {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    return this.#reader.stop();
  }

  /**
   * After a reconnect: the reader resumes after the last delivered sequence. Resolves once it is
   * placed again (the catch-up waits for this), or not following.
   */
  resumeLive(): Promise<void> {
    return this.#reader.resume();
  }

  async #liveCommit(data: Uint8Array): Promise<void> {
    if (!this.room) {
      void this.sync().catch((e: Error) => this.#deps.onError?.(e));
      return;
    }
    try {
      await this.#apply(decodeSigned(data, 'epoch commit'));
      this.#changed();
    } catch (error) {
      // A gap (or a commit this device cannot place yet): fetch the chain (outside this queue).
      if (!(error instanceof ConflictError)) throw error;
    }
    // Also learns the stored time of the commit just applied (the live subject has none).
    void this.sync().catch((e: Error) => this.#deps.onError?.(e));
    if (this.room.status !== 'member') void this.stopLive();
  }

  /**
   * Live envelopes are verified in batches: those that arrive while the queue is busy are taken
   * together by one queue turn (receiveMany: one batch of signature checks). A commit arriving in
   * between is queued after the batch, so order between commits and messages is kept.
   */
  #enqueueMessage(envelope: ReceivedEnvelope): void {
    this.#pending.push(envelope);
    if (this.#pending.length > 1) return; // a queued turn will take it
    void this.serial(() => this.#liveMessages()).catch((error: Error) => this.#deps.onError?.(error));
  }

  #pending: ReceivedEnvelope[] = [];

  async #liveMessages(): Promise<void> {
    liveMark('queued');
    await this.#receive(this.#pending.splice(0, this.#pending.length));
  }

  /**
   * One reader of the device's consumer at a time: a history read places the consumer the live
   * reader uses, so the live reader stops meanwhile and resumes after its last sequence.
   */
  reading<T>(fn: () => Promise<T>): Promise<T> {
    return this.#readers.run(() => this.#reader.paused(fn));
  }

  async #receive(batch: ReceivedEnvelope[]): Promise<void> {
    if (!this.room) {
      // Not loaded yet (the reader starts only with a room): load it; history has the messages.
      void this.sync().catch((e: Error) => this.#deps.onError?.(e));
      return;
    }
    // Echoes of messages this device sent are already shown: not verified again. Bytes that are
    // not an envelope show nothing either (parsed once, where the reader received them).
    const fresh = batch.filter((received) => {
      const id = messageIdOf(received);
      if (id !== undefined && this.#sent.has(id)) {
        // The echo tells when JetStream stored it: the fact receivers judge it by.
        if (received.facts)
          this.#own.echoed(received.facts.seq, received.facts.storedAtMs, this.#syncsStarted);
        return false;
      }
      return id !== undefined;
    });
    const results = fresh.length ? await this.room.receiveMany(fresh) : [];
    liveMark('opened');
    // Replays, forgeries and other refusals show nothing.
    for (const result of results) await this.#deliver(result, true);
    for (const { facts } of batch) if (facts) this.room.markDelivered(facts.seq);
    this.#scheduleSave();
    this.#judgeOwn();
  }

  async #deliver(result: ReceiveResult | RoomKeyError, live: boolean): Promise<void> {
    if (result instanceof RoomKeyError) {
      // Nothing of a refused message is shown; a forgery (or a revoked device's message) is news
      // for the host's log. Replays and unreadable epochs are routine and stay quiet.
      if (result instanceof BadSignatureError) this.#deps.onError?.(result);
      return;
    }
    const message = await this.toChat(result);
    if (!message) {
      // Only an envelope held by a snapshot from before stored facts were kept (issue 11) has
      // none: it stays in the room's history, where history() reads it with its facts.
      this.#deps.onError?.(
        new UnavailableError('A message held from before this version is shown when the history is read.'),
      );
      return;
    }
    if (message.status === 'held') {
      this.#deps.onMessage(message);
      return;
    }
    const own = this.#sent.has(message.messageId);
    this.#remember(message);
    if (own) return; // send() already returned it
    // Edits, deletes and reactions change messages already counted; they are not news of their own.
    if (live && !message.own && !this.focused && !message.action) this.unread++;
    liveMark('delivered');
    this.#deps.onMessage(message);
  }

  /**
   * The ChatMessage for a receive result (usernames from the verified directory); undefined for a
   * result without the stream's stored facts (never for envelopes read from the stream).
   */
  async toChat(result: ReceiveResult): Promise<Readable | HeldMessage | undefined> {
    const { storedAtMs, seq } = result.status === 'held' ? result : result.message;
    if (storedAtMs === undefined || seq === undefined) return undefined;
    if (result.status === 'held') {
      return heldMessage({
        roomId: this.roomId,
        messageId: toHex(result.messageId),
        epoch: result.epoch,
        reason: result.reason,
        seq,
        storedAtMs,
      });
    }
    const m = result.message;
    return readableMessage(
      this.roomId,
      m,
      { storedAtMs, seq },
      { senderUsername: await this.#username(m.senderUserId), myUserId: this.#deps.me.userId },
    );
  }

  async #username(userId: string): Promise<string> {
    try {
      return (await this.#deps.directory.identity(userId)).username;
    } catch {
      return '';
    }
  }

  /** A message seen recently (live or sent), waiting up to `ms` for it to arrive. */
  recent(messageIdHex: string, ms: number): Promise<Readable | undefined> {
    return this.#recent.get(messageIdHex, ms);
  }

  /**
   * Encrypts, signs and publishes one text message; resolves once JetStream stored it. Waits
   * (bounded) for a running catch-up first, so the message goes out in the epoch it found; the
   * message is then followed until receivers are known to take it, and sent again if they refuse
   * it by position (resend.ts).
   */
  async send(text: string, nowMs = Date.now(), options: SendOptions = {}): Promise<SentMessage> {
    const tooLarge = messageSizeProblem(text);
    if (tooLarge) throw new TooLargeError(tooLarge);
    liveMark('send');
    this.#requireRoom();
    await this.#afterCatchUp();
    const room = this.#requireRoom();
    // Not queued behind receives: encrypting reads the room's state and changes none of it.
    const { envelope, messageId, epoch } = await room.encrypt(text, { nowMs, ...options });
    liveMark('encrypted');
    const id = toHex(messageId);
    this.#rememberSent(id);
    if (Object.keys(options).length > 0) this.#sentOptions.set(id, options);
    const seq = await this.#publish(envelope, id);
    liveMark('acked');
    this.#own.sent({ messageId: id, text, epoch, seq, sentAtMs: nowMs });
    const message = sentMessage({
      roomId: this.roomId,
      messageId: id,
      senderUserId: this.#deps.me.userId,
      senderUsername: await this.#username(this.#deps.me.userId),
      sentAtMs: nowMs,
      seq,
      text,
      epoch,
      ...eventFieldsOf(options),
    });
    this.#remember(message);
    return message;
  }

  /**
   * A readable message of this room, kept a while (recent-messages.ts). A delete by this user also
   * stops its target and the target's edits from being sent again (resend.ts): their text goes.
   */
  #remember(message: Readable): void {
    this.#recent.remember(message);
    const target = deletedBy(message);
    if (!target || message.senderUserId !== this.#deps.me.userId) return;
    const gone = new Set([target]);
    for (const [id, options] of this.#sentOptions)
      if (options.action === 'edit' && options.target && toHex(options.target) === target) gone.add(id);
    this.#own.forget(gone);
  }

  #rememberSent(id: string): void {
    if (!this.#sent.remember(id)) return;
    for (const kept of this.#sentOptions.keys()) if (!this.#sent.has(kept)) this.#sentOptions.delete(kept);
  }

  /** Waits for a running catch-up, at most CATCH_UP_WAIT_MS. */
  async #afterCatchUp(): Promise<void> {
    const caughtUp = this.#deps.caughtUp?.();
    if (!caughtUp) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CATCH_UP_WAIT_MS);
    });
    try {
      await Promise.race([caughtUp, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Publishes to the room's `.msg`; resolves with the stream sequence. JetStream drops a second
   * copy with the same Nats-Msg-Id, so a publish whose ack was lost (a reconnect in between) is
   * simply sent again.
   */
  async #publish(envelope: Uint8Array, natsMsgId: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      await this.#deps.ready();
      const js = jetstream(this.#deps.nc(), { timeout: this.#deps.timeoutMs ?? 5000 });
      try {
        return (await js.publish(roomSubject(this.roomId, 'msg'), envelope, { msgID: natsMsgId })).seq;
      } catch (error) {
        const failure = natsFailure(error, roomSubject(this.roomId, 'msg'));
        if (attempt >= 3 || !(failure instanceof UnavailableError)) throw failure;
      }
    }
  }

  /**
   * Judges own messages whose stored time is known (`syncStarted`: the read of the chain that
   * just finished); sends again those every receiver refuses; reads the chain again later while
   * some still wait for a verdict.
   */
  #judgeOwn(syncStarted?: number): void {
    if (!this.room || this.#closed) return;
    for (const entry of this.#own.judge(this.room, syncStarted)) void this.#sendAgain(entry);
    this.#vouchLater();
  }

  /**
   * Reads the chain again in a while if own messages wait for a verdict (a read that finishes
   * judges them); a read that fails (no gateway) is tried again the same way, quietly: the
   * catch-up already reports the outage.
   */
  #vouchLater(): void {
    if (this.#own.echoedWaiting === 0 || this.#vouchTimer !== undefined || this.#closed) return;
    this.#vouchTimer = setTimeout(() => {
      this.#vouchTimer = undefined;
      if (this.#closed) return;
      void this.sync().catch((e: Error) => {
        if (!(e instanceof UnavailableError)) this.#deps.onError?.(e);
        this.#vouchLater();
      });
    }, VOUCH_AFTER_MS);
  }

  /**
   * The same text and message id in the current epoch (receivers refused the first copy, and a
   * receiver that took it refuses this one as already received: shown once either way). Its own
   * Nats-Msg-Id, so JetStream does not drop it as the first copy's duplicate. Announced as `sent`
   * again with its new sequence once stored; tried again until stored or the room is closed. Not
   * when someone joined since its epoch: the author is told instead (resend.ts joinedSince).
   */
  async #sendAgain(entry: OwnSend): Promise<void> {
    if (this.#closed) return;
    try {
      const room = this.#requireRoom();
      if (joinedSince(room, entry.epoch).length > 0) {
        this.#deps.onError?.(
          new ConflictError(
            `Your message ${entry.messageId} was not delivered: the room's key had changed more than ${REPLAY_GRACE_MS / 1000} s before it was stored, and someone joined the room since you wrote it. It was not sent again on its own, so they do not read it unasked: send it again if everyone in the room now should read it.`,
          ),
        );
        return;
      }
      const messageId = fromHex(entry.messageId);
      const options = this.#sentOptions.get(entry.messageId) ?? {};
      const { envelope, epoch } = await room.encrypt(entry.text, {
        nowMs: entry.sentAtMs,
        messageId,
        ...options,
      });
      this.#rememberSent(entry.messageId);
      const seq = await this.#publish(envelope, `${entry.messageId}.${epoch}`);
      this.#own.sent({ ...entry, epoch, seq, storedAtMs: undefined, echoSyncs: undefined });
      const message = sentMessage({
        roomId: this.roomId,
        messageId: entry.messageId,
        senderUserId: this.#deps.me.userId,
        senderUsername: await this.#username(this.#deps.me.userId),
        sentAtMs: entry.sentAtMs,
        seq,
        text: entry.text,
        epoch,
        ...eventFieldsOf(options),
      });
      this.#remember(message);
      this.#deps.onMessage(message);
    } catch (error) {
      if (error instanceof NotMemberError) return; // removed meanwhile: no longer ours to send
      // An outage is the link's and the catch-up's news; anything else is this message's.
      if (!(error instanceof UnavailableError)) this.#deps.onError?.(error as Error);
      setTimeout(() => void this.#sendAgain(entry), RESEND_RETRY_MS);
    }
  }

  /**
   * Builds a commit on the latest epoch, has the gateway store it, applies it. On a lost race
   * (ConflictError) the chain is fetched again and the change rebuilt on the winner.
   */
  async commit(build: (room: Room) => Promise<SignedProps>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const signed = await this.serial(() => build(this.#requireRoom()));
        await this.#sendCommit(signed);
        await this.serial(() => this.#apply(signed));
        this.#changed();
        // Learns when JetStream stored it (the commit reply does not say).
        void this.sync().catch((e: Error) => this.#deps.onError?.(e));
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= COMMIT_ATTEMPTS) throw error;
        await this.sync();
      }
    }
  }

  /**
   * Sends one commit until the gateway answers, through reconnects: the gateway answers the same
   * commit sent again as it did the first time, so a reply lost with a node or a link costs a
   * retry, not a rebuild on top of our own stored change. No gateway at all is said at once.
   */
  async #sendCommit(signed: SignedProps): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.#deps.ready();
      try {
        await commitRequest(this.#deps.nc(), this.roomId, signed, { timeoutMs: this.#deps.timeoutMs });
        return;
      } catch (error) {
        const outage = error instanceof UnavailableError && !error.notRunning;
        if (!outage || attempt >= COMMIT_SENDS || this.#deps.nc().isClosed()) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  async summary(): Promise<RoomSummary> {
    const members: MemberSummary[] = await Promise.all(
      (this.room?.members ?? []).map(async (userId) => ({
        userId,
        username: await this.#username(userId),
        role: this.#roles?.members.get(userId) ?? defaultRole(userId, this.room),
      })),
    );
    return {
      roomId: this.roomId,
      name: this.room?.info.name ?? '',
      epoch: this.room?.epoch ?? 0,
      members,
      status: this.status,
      unread: this.unread,
      ...(this.#roles ? { may: this.#roles.may } : {}),
    };
  }

  #requireRoom(): Room {
    if (!this.room) throw new UnavailableError('This room is not loaded yet: try again in a moment.');
    if (this.room.status !== 'member') throw new NotMemberError('You are not a member of this room.');
    return this.room;
  }

  #changed(): void {
    this.#scheduleSave();
    this.#deps.onChange();
  }

  #scheduleSave(): void {
    if (this.#saveTimer !== undefined || !this.room) return;
    this.#saveTimer = setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  /** Writes the snapshot now (if anything changed since the last write). */
  async flush(): Promise<void> {
    if (this.#saveTimer !== undefined) clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    if (!this.room) return;
    try {
      await this.#deps.save(this.roomId, this.room);
    } catch (error) {
      this.#deps.onError?.(error as Error);
    }
  }

  /** Stops following the room and writes its snapshot. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#vouchTimer);
    await this.stopLive();
    await this.flush();
  }
}

/** The hex fields a SentMessage carries for its reply or event (as readableMessage gives receivers). */
function eventFieldsOf(options: SendOptions): MessageEventFields {
  const fields: MessageEventFields = {};
  if (options.replyTo?.length) fields.replyTo = toHex(options.replyTo);
  if (options.action && options.action !== 'post' && options.target) {
    fields.action = options.action;
    fields.target = toHex(options.target);
    if (options.reaction) fields.reaction = options.reaction;
  }
  return fields;
}

interface GatewayRoles {
  members: Map<string, MemberRole>;
  may: RoomPermissions;
}

/** The roles of a commits answer (the gateway's, grants of every level included). */
function gatewayRoles(res: roomkey.v1.CommitsResponse): GatewayRoles {
  const members = new Map<string, MemberRole>();
  for (const grant of res.memberRoles ?? []) {
    const role = memberRoleOf(grant.role ?? 0);
    if (grant.userId && role) members.set(grant.userId, role);
  }
  return {
    members,
    may: { invite: res.mayInvite === true, remove: res.mayRemove === true, rename: res.mayRename === true },
  };
}

/** owner 4, admin 3, member 2 (guest 1 shows as a member: it reads and writes); no role: unknown. */
function memberRoleOf(role: number): MemberRole | undefined {
  return role >= 4 ? 'owner' : role === 3 ? 'admin' : role >= 1 ? 'member' : undefined;
}

/** Before the gateway said: the default policy's (the creator owns the room). */
function defaultRole(userId: string, room: Room | undefined): MemberRole {
  return userId === room?.genesis.creatorUserId ? 'owner' : 'member';
}
