/**
 * Live delivery of one room's envelopes through this device's consumer on the room stream (the
 * one the gateway places for it). Each envelope comes with JetStream's facts — when the server
 * stored it and its stream sequence — so core/room judges the sender's device by the server's
 * time, never by the sender's clock. The reader resumes after the last sequence it delivered:
 * after a reconnect, a lost consumer or a history read (which places the same consumer), what
 * was stored meanwhile is delivered, whatever time its sender wrote into it — at most CATCH_UP of
 * the newest; older ones are in the room's history. A consumer that vanished under a pull (its
 * node died or restarted: consumers are R1 and in memory) is placed again at once, after the last
 * delivered sequence, so nothing is lost or repeated.
 * @example const reader = new LiveReader(roomId, deps); await reader.start(); await reader.paused(readHistory); await reader.stop();
 */
import { type ConsumerMessages, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { NotFoundError, NotMemberError, RevokedError, RoomKeyError } from '../errors.ts';
import { liveMark } from '../live-marks.ts';
import { parseReceived, type ReceivedEnvelope } from '../room/index.ts';
import { storedTimeOf } from '../transport/legacy-time.ts';
import { natsFailure } from '../transport/request.ts';
import { roomCursor } from './gateway-api.ts';

export interface LiveReaderDeps {
  nc: () => NatsConnection;
  /** Resolves when no JWT refresh/reconnect is in flight (DeviceLink.ready). */
  ready: () => Promise<void>;
  timeoutMs?: number;
  /** Where delivery stood when this device last saved the room (0: no position yet). */
  lastSeq: () => number;
  /** lastSeq() counts in the room's stream of before shard streams (the gateway translates it). */
  lastSeqLegacy?: () => boolean;
  /** One envelope, in stream order, parsed here once (core/room's parseReceived). */
  deliver: (envelope: ReceivedEnvelope) => void;
  /** The consumer was placed: delivery goes on after `seq` (keep it as the room's position). */
  placed?: (seq: number) => void;
  onError?: (error: Error) => void;
}

/** Envelopes read back at most when resuming (the newest). */
export const CATCH_UP = 200;
const BATCH = 256;
/** How long one pull waits for new envelopes before it is renewed. */
const WAIT_MS = 30_000;
/**
 * The server says "still here" this often while a pull waits with nothing to send; two missed end
 * the pull. A consumer that vanished with its node (a cluster node killed while this client stays
 * connected to another) sends nothing more, so this bounds how long delivery stalls: ~10 s, where
 * nats.js's default (half the wait) took 30 s.
 */
const HEARTBEAT_MS = 5000;
/**
 * Waits before placing the consumer again after a failure. The first is long enough for another
 * reader of this device (a service worker's short read) to finish with the consumer.
 */
const RETRY_MS = [1000, 2000, 5000, 10_000];

/**
 * Follows one room's stream for this device (see the top of this file).
 * @example const reader = new LiveReader(roomId, { nc, ready, lastSeq: () => 0, deliver: (e) => queue.push(e) });
 */
export class LiveReader {
  readonly #roomId: string;
  readonly #deps: LiveReaderDeps;
  #running: Promise<void> | undefined;
  #positioned: Promise<void> = Promise.resolve();
  /** The owner wants the room followed (start() until stop()). */
  #wanted = false;
  /** Reads of the same consumer in progress (paused()): the loop stays down meanwhile. */
  #pauses = 0;
  #stopping = false;
  #replace = false;
  #batch: ConsumerMessages | undefined;
  #wake: (() => void) | undefined;
  /** The highest sequence handed to `deliver` (it may not be saved yet). */
  #delivered = 0;
  /** Up to here the room's messages are the gateway's copies (legacy-time.ts). */
  #legacyUntil = 0;
  /** Callers of resume() waiting for the consumer to be placed again. */
  #placedWaiters: (() => void)[] = [];
  /** Where the current placement starts (only later sequences are delivered from it). */
  #startsAfter = 0;

  constructor(roomId: string, deps: LiveReaderDeps) {
    this.#roomId = roomId;
    this.#deps = deps;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Starts following; resolves once the consumer is placed (or placing it failed once). While a
   * read holds the consumer (paused()), it starts when the read is done.
   */
  start(): Promise<void> {
    this.#wanted = true;
    if (this.#pauses > 0) return Promise.resolve();
    return this.#run();
  }

  /** Stops following; resolves once nothing more will be delivered. */
  async stop(): Promise<void> {
    this.#wanted = false;
    await this.#halt();
  }

  /**
   * Runs `fn` (a history read, which places this device's consumer elsewhere) with the loop down,
   * then resumes after the last delivered sequence if following was wanted.
   */
  async paused<T>(fn: () => Promise<T>): Promise<T> {
    this.#pauses++;
    try {
      await this.#halt();
      return await fn();
    } finally {
      this.#pauses--;
      if (this.#pauses === 0 && this.#wanted) void this.#run();
    }
  }

  #run(): Promise<void> {
    // A loop on its way out (stopped a moment ago) is followed by a new one.
    if (this.#running && this.#stopping)
      return this.#running.then(() => (this.#wanted && this.#pauses === 0 ? this.#run() : undefined));
    if (this.#running) return this.#positioned;
    this.#stopping = false;
    let placed!: () => void;
    this.#positioned = new Promise<void>((resolve) => {
      placed = resolve;
    });
    this.#running = this.#loop(placed).finally(() => {
      placed();
      this.#running = undefined;
      this.#placedAgain();
    });
    return this.#positioned;
  }

  async #halt(): Promise<void> {
    this.#stopping = true;
    this.#interrupt();
    await this.#running;
  }

  /**
   * Places the consumer again after the last delivered sequence: after a reconnect, envelopes
   * the server sent while the connection was down are lost to the old pull (no acks). Resolves
   * once it is placed again (retried until it is: a catch-up waits for this), or the reader stopped.
   */
  resume(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    const placed = new Promise<void>((resolve) => this.#placedWaiters.push(resolve));
    this.#interrupt();
    return placed;
  }

  #placedAgain(): void {
    for (const resolve of this.#placedWaiters.splice(0)) resolve();
  }

  #interrupt(): void {
    this.#replace = true;
    this.#batch?.stop();
    this.#wake?.();
  }

  async #loop(placed: () => void): Promise<void> {
    let failures = 0;
    /** The consumer was found gone since the last pull that worked (placed again once at once). */
    let gone = false;
    while (!this.#stopping) {
      this.#replace = false;
      try {
        await this.#deps.ready();
        const nc = this.#deps.nc();
        if (this.#stopping || nc.isClosed()) return;
        const consumer = await this.#place(nc);
        placed();
        if (!this.#replace) this.#placedAgain();
        while (!this.#stopping && !this.#replace) {
          const batch = await consumer.fetch({
            max_messages: BATCH,
            expires: WAIT_MS,
            idle_heartbeat: HEARTBEAT_MS,
          });
          this.#batch = batch;
          if (this.#stopping || this.#replace) batch.stop();
          for await (const m of batch) {
            liveMark('in');
            // Never twice: a placement only delivers what comes after where it starts.
            if (m.seq <= this.#startsAfter) continue;
            this.#startsAfter = m.seq;
            this.#delivered = Math.max(this.#delivered, m.seq);
            this.#deps.deliver(
              parseReceived({ bytes: m.data, storedAtMs: storedTimeOf(m, this.#legacyUntil), seq: m.seq }),
            );
          }
          this.#batch = undefined;
          failures = 0;
          gone = false;
        }
      } catch (error) {
        this.#batch = undefined;
        placed();
        if (this.#stopping) return;
        // No longer a member (or revoked): the session stops or restarts this reader.
        if (
          error instanceof NotMemberError ||
          error instanceof RevokedError ||
          error instanceof NotFoundError
        )
          return;
        if (this.#replace) continue;
        // The consumer vanished with its node: placed again at once (once; then as any failure).
        if (!gone && consumerGone(error)) {
          gone = true;
          continue;
        }
        failures++;
        // One failure is routine (a reconnect, the consumer placed by another read); more is news.
        if (failures > 1)
          this.#deps.onError?.(
            error instanceof RoomKeyError
              ? error
              : natsFailure(error, `the stream of room ${this.#roomId}`, 'jetstream'),
          );
        await this.#pause(RETRY_MS[Math.min(failures, RETRY_MS.length) - 1]!);
      }
    }
  }

  async #place(nc: NatsConnection) {
    // A saved position of before shard streams (until a placement replaces it, through placed()):
    // sent as such, the gateway resumes after the same message in the shard stream.
    const legacy = this.#deps.lastSeqLegacy?.() ?? false;
    const from = Math.max(this.#delivered, this.#deps.lastSeq());
    this.#delivered = from;
    const query =
      from > 0
        ? {
            roomId: this.#roomId,
            startSeq: from + 1,
            last: CATCH_UP,
            ...(legacy ? { startSeqLegacy: true } : {}),
          }
        : { roomId: this.#roomId, fromEnd: true };
    const cursor = await roomCursor(nc, query, { timeoutMs: this.#deps.timeoutMs });
    this.#legacyUntil = Number(cursor.legacyUntilSeq ?? 0);
    // From the end or capped: where it starts is where the next resume goes on from.
    this.#delivered = Math.max(from, Number(cursor.startSeq) - 1);
    this.#startsAfter = Number(cursor.startSeq) - 1;
    this.#deps.placed?.(this.#delivered);
    const js = jetstream(nc, { timeout: this.#deps.timeoutMs ?? 5000 });
    return js.consumers.get(cursor.stream, cursor.consumer);
  }

  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = wake;
    }).finally(() => {
      this.#wake = undefined;
    });
  }
}

/**
 * Whether a pull failed because its consumer vanished with its node: unknown to the server (no
 * responders, "consumer not found") or silent (heartbeats missed). A consumer *deleted* under the
 * pull (409) is not one: another reader of this device (a service worker, a history read) placed
 * it again, and gets the polite first wait (RETRY_MS) to finish with it.
 * @example if (consumerGone(error)) placeAgainNow();
 */
export function consumerGone(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (/consumer not found|heartbeats missed|no responders/i.test(e.message)) return true;
    if (/^(ConsumerNotFound|NoResponders)/.test(e.name)) return true;
  }
  return false;
}
