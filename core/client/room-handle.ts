/**
 * One room as this device lives it: core/room's state machine fed from two places — the signed
 * chain from the gateway (room.commits, verified here link by link) and the room's live subjects
 * (commits and envelopes as they are published) — plus sending (envelopes go straight to
 * `.msg`; JetStream stores them) and membership changes (built here, signed by this device,
 * stored by the gateway; a lost race is rebuilt on the winner and sent again).
 * Everything that changes the room is serialized; the snapshot is saved after changes.
 * @example const handle = new RoomHandle(roomId, deps); await handle.sync(); handle.startLive();
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import { toHex } from '../bytes.ts';
import { decodeSigned, parseEnvelope, type SignedProps } from '../crypto/index.ts';
import { ConflictError, NotMemberError, RoomKeyError, UnavailableError } from '../errors.ts';
import { type LocalMember, type ReceiveResult, Room, type RoomMessage } from '../room/index.ts';
import { natsFailure } from '../transport/request.ts';
import { roomSubject } from '../transport/subjects.ts';
import { commitRequest, roomCommits } from './gateway-api.ts';
import type { GatewayDirectory } from './gateway-directory.ts';
import type { ChatMessage, MemberSummary, RoomSummary } from './types.ts';

export interface RoomDeps {
  me: LocalMember;
  directory: GatewayDirectory;
  nc: () => NatsConnection;
  /** Resolves when no JWT refresh/reconnect is in flight (DeviceLink.ready). */
  ready: () => Promise<void>;
  timeoutMs?: number;
  /** A message arrived live (or a held one became readable). */
  onMessage: (message: ChatMessage) => void;
  /** Membership, epoch or name changed. */
  onChange: () => void;
  save: (roomId: string, snapshot: Uint8Array) => Promise<void>;
  onError?: (error: Error) => void;
}

const RECENT = 256;
/** Ids of messages sent from here that are remembered (their live echoes are skipped). */
const SENT = 4096;
const COMMIT_ATTEMPTS = 4;
const SAVE_DELAY_MS = 250;

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
  readonly #recent = new Map<string, ChatMessage>();
  readonly #sent = new Set<string>();
  readonly #waiting = new Map<string, Array<(m: ChatMessage) => void>>();
  #sub: Subscription | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(roomId: string, deps: RoomDeps, room?: Room) {
    this.roomId = roomId;
    this.#deps = deps;
    this.room = room;
  }

  get status(): 'member' | 'removed' | 'outside' {
    return this.room?.status ?? this.listedStatus;
  }

  /** Runs `fn` after everything queued before it (commits and messages apply in order). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Brings the chain up to date from the gateway (verifying every link). Network waits happen
   * outside the serial queue, so live messages keep flowing while the gateway is slow or away;
   * concurrent calls share one run.
   */
  sync(): Promise<void> {
    if (this.#syncing) {
      this.#syncAgain = true;
      return this.#syncing;
    }
    this.#syncing = (async () => {
      do {
        this.#syncAgain = false;
        await this.#sync();
      } while (this.#syncAgain);
    })().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  #syncing: Promise<void> | undefined;
  #syncAgain = false;

  async #sync(): Promise<void> {
    for (let guard = 0; guard < 1000; guard++) {
      const from = this.room ? this.room.epoch + 1 : 0;
      await this.#deps.ready();
      const res = await roomCommits(
        this.#deps.nc(),
        { roomId: this.roomId, fromEpoch: from },
        { timeoutMs: this.#deps.timeoutMs },
      );
      const done = await this.serial(async () => {
        let chain = res.chain;
        if (!this.room) {
          if (chain.length === 0) return true;
          this.room = await Room.fromGenesis(chain[0]!, this.#deps.me, this.#deps.directory);
          chain = chain.slice(1);
        }
        // Entries the live subscription applied meanwhile are no-ops here.
        for (const signed of chain) await this.#apply(signed);
        return chain.length === 0 || this.room.epoch >= Number(res.latestEpoch);
      });
      if (done) break;
    }
    this.#changed();
  }

  async #apply(signed: roomkey.v1.ISigned): Promise<void> {
    const { released } = await this.room!.applyCommit(signed);
    for (const result of released) await this.#deliver(result, false);
  }

  /** Follows the room's live subjects (the JWT must allow them: refresh first after joining). */
  startLive(): void {
    if (this.#sub || this.status !== 'member') return;
    const sub = this.#deps.nc().subscribe(roomSubject(this.roomId, '>'));
    this.#sub = sub;
    void (async () => {
      try {
        for await (const msg of sub) {
          if (msg.subject.endsWith('.commit')) {
            const data = msg.data;
            void this.serial(() => this.#liveCommit(data)).catch((error: Error) =>
              this.#deps.onError?.(error),
            );
          } else {
            this.#enqueueMessage(msg.data);
          }
        }
      } catch (error) {
        this.#deps.onError?.(error as Error);
      } finally {
        if (this.#sub === sub) this.#sub = undefined;
      }
    })();
  }

  stopLive(): void {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
  }

  get live(): boolean {
    return this.#sub !== undefined;
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
      if (error instanceof ConflictError) void this.sync().catch((e: Error) => this.#deps.onError?.(e));
      else throw error;
    }
    if (this.room.status !== 'member') this.stopLive();
  }

  /**
   * Live envelopes are verified in batches: those that arrive while the queue is busy are taken
   * together by one queue turn (receiveMany: one batch of signature checks). A commit arriving in
   * between is queued after the batch, so order between commits and messages is kept.
   */
  #enqueueMessage(data: Uint8Array): void {
    this.#pending.push(data);
    if (this.#pending.length > 1) return; // a queued turn will take it
    void this.serial(() => this.#liveMessages()).catch((error: Error) => this.#deps.onError?.(error));
  }

  #pending: Uint8Array[] = [];

  async #liveMessages(): Promise<void> {
    await this.#receive(this.#pending.splice(0, this.#pending.length));
  }

  /** Hands envelopes read elsewhere (a catch-up after a reconnect) to the live path, in order. */
  receiveLive(envelopes: Uint8Array[]): Promise<void> {
    return this.serial(() => this.#receive(envelopes));
  }

  /** One reader of the device's consumer at a time (history and catch-up both place it). */
  reading<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#reader.then(fn);
    this.#reader = run.catch(() => undefined);
    return run;
  }

  #reader: Promise<unknown> = Promise.resolve();

  async #receive(batch: Uint8Array[]): Promise<void> {
    if (!this.room) {
      // Not loaded yet: load it; the messages stay in the room history for the next read.
      void this.sync().catch((e: Error) => this.#deps.onError?.(e));
      return;
    }
    // Echoes of messages this device sent are already shown: not verified again.
    const fresh = batch.filter((data) => {
      try {
        return !this.#sent.has(toHex(parseEnvelope(data).header.messageId));
      } catch {
        return false; // not an envelope: nothing to show
      }
    });
    if (fresh.length === 0) return;
    const results = await this.room.receiveMany(fresh);
    // Replays, forgeries and other refusals show nothing.
    for (const result of results) await this.#deliver(result, true);
    this.#scheduleSave();
  }

  async #deliver(result: ReceiveResult | RoomKeyError, live: boolean): Promise<void> {
    if (result instanceof RoomKeyError) return;
    const message = await this.toChat(result);
    const own = result.status === 'ok' && this.#sent.has(message.messageId);
    this.#remember(message);
    if (own) return; // send() already returned it
    if (live && result.status === 'ok' && !message.own && !this.focused) this.unread++;
    this.#deps.onMessage(message);
  }

  /** A ChatMessage for a receive result (usernames from the verified directory). */
  async toChat(result: ReceiveResult): Promise<ChatMessage> {
    if (result.status === 'held') {
      return {
        roomId: this.roomId,
        messageId: toHex(result.messageId),
        senderUserId: '',
        senderUsername: '',
        sentAtMs: 0,
        text: '',
        epoch: result.epoch,
        own: false,
        status: 'held',
        reason: result.reason,
      };
    }
    return this.#chat(result.message, 'received');
  }

  async #chat(m: RoomMessage, status: ChatMessage['status']): Promise<ChatMessage> {
    const own = m.senderUserId === this.#deps.me.userId;
    return {
      roomId: this.roomId,
      messageId: toHex(m.messageId),
      senderUserId: m.senderUserId,
      senderUsername: await this.#username(m.senderUserId),
      sentAtMs: m.sentAtMs,
      text: m.text,
      epoch: m.epoch,
      own,
      status: own && status === 'received' ? 'sent' : status,
    };
  }

  async #username(userId: string): Promise<string> {
    try {
      return (await this.#deps.directory.identity(userId)).username;
    } catch {
      return '';
    }
  }

  #remember(message: ChatMessage): void {
    if (message.status === 'held') return;
    this.#recent.set(message.messageId, message);
    if (this.#recent.size > RECENT) this.#recent.delete(this.#recent.keys().next().value!);
    const waiting = this.#waiting.get(message.messageId);
    if (waiting) {
      this.#waiting.delete(message.messageId);
      for (const resolve of waiting) resolve(message);
    }
  }

  /** A message seen recently (live or sent), waiting up to `ms` for it to arrive. */
  recent(messageIdHex: string, ms: number): Promise<ChatMessage | undefined> {
    const hit = this.#recent.get(messageIdHex);
    if (hit || ms <= 0) return Promise.resolve(hit);
    return new Promise((resolve) => {
      const list = this.#waiting.get(messageIdHex) ?? [];
      const timer = setTimeout(() => {
        const rest = (this.#waiting.get(messageIdHex) ?? []).filter((r) => r !== done);
        if (rest.length) this.#waiting.set(messageIdHex, rest);
        else this.#waiting.delete(messageIdHex);
        resolve(undefined);
      }, ms);
      const done = (m: ChatMessage) => {
        clearTimeout(timer);
        resolve(m);
      };
      list.push(done);
      this.#waiting.set(messageIdHex, list);
    });
  }

  /** Encrypts, signs and publishes one text message; resolves once JetStream stored it. */
  async send(text: string, nowMs = Date.now()): Promise<ChatMessage> {
    const room = this.#requireRoom();
    // Not queued behind receives: encrypting reads the room's state and changes none of it.
    const { envelope, messageId } = await room.encrypt(text, { nowMs });
    const id = toHex(messageId);
    this.#sent.add(id);
    if (this.#sent.size > SENT) this.#sent.delete(this.#sent.values().next().value!);
    // JetStream drops a second copy with the same Nats-Msg-Id, so a publish whose ack was lost
    // (a reconnect in between) is simply sent again.
    for (let attempt = 1; ; attempt++) {
      await this.#deps.ready();
      const js = jetstream(this.#deps.nc(), { timeout: this.#deps.timeoutMs ?? 5000 });
      try {
        await js.publish(roomSubject(this.roomId, 'msg'), envelope, { msgID: id });
        break;
      } catch (error) {
        const failure = natsFailure(error, roomSubject(this.roomId, 'msg'));
        if (attempt >= 3 || !(failure instanceof UnavailableError)) throw failure;
      }
    }
    const message: ChatMessage = {
      roomId: this.roomId,
      messageId: id,
      senderUserId: this.#deps.me.userId,
      senderUsername: await this.#username(this.#deps.me.userId),
      sentAtMs: nowMs,
      text,
      epoch: room.epoch,
      own: true,
      status: 'sent',
    };
    this.#remember(message);
    return message;
  }

  /**
   * Builds a commit on the latest epoch, has the gateway store it, applies it. On a lost race
   * (ConflictError) the chain is fetched again and the change rebuilt on the winner.
   */
  async commit(build: (room: Room) => Promise<SignedProps>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const signed = await this.serial(() => build(this.#requireRoom()));
        await this.#deps.ready();
        await commitRequest(this.#deps.nc(), this.roomId, signed, { timeoutMs: this.#deps.timeoutMs });
        await this.serial(() => this.#apply(signed));
        this.#changed();
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= COMMIT_ATTEMPTS) throw error;
        await this.sync();
      }
    }
  }

  async summary(): Promise<RoomSummary> {
    const members: MemberSummary[] = await Promise.all(
      (this.room?.members ?? []).map(async (userId) => ({ userId, username: await this.#username(userId) })),
    );
    return {
      roomId: this.roomId,
      name: this.room?.info.name ?? '',
      epoch: this.room?.epoch ?? 0,
      members,
      status: this.status,
      unread: this.unread,
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
      await this.#deps.save(this.roomId, this.room.encodeSnapshot());
    } catch (error) {
      this.#deps.onError?.(error as Error);
    }
  }

  /** Stops following the room and writes its snapshot. */
  async close(): Promise<void> {
    this.stopLive();
    await this.flush();
  }
}
