// What the fault tests (test/integration/fault-*.test.ts) send and count: one room with a sender
// and a receiver on their own devices, a sender that keeps sending through the fault (a send is
// acknowledged when JetStream confirmed storing it), and the receiver's live deliveries counted
// per message id, so "every acknowledged message delivered exactly once" is a plain check.
import assert from 'node:assert/strict';
import type { RoomKeySession } from '../../core/client/session.ts';
import type { ConnectionState } from '../../core/client/types.ts';
import { LockedError } from '../../core/errors.ts';
import type { TestStack } from './stack.ts';

export interface FaultRoom {
  sender: RoomKeySession;
  receiver: RoomKeySession;
  roomId: string;
}

/**
 * A room with a sender and a receiver (two users, each on a device of their own). `senderTimeoutMs`:
 * the sender's request timeout (short, so its sends fail inside an outage instead of outlasting it).
 * @example const { sender, receiver, roomId } = await faultRoom(stack, 'b');
 */
export async function faultRoom(stack: TestStack, tag: string, senderTimeoutMs?: number): Promise<FaultRoom> {
  const config = {
    ...stack.clientConfig(),
    ...(senderTimeoutMs ? { requestTimeoutMs: senderTimeoutMs } : {}),
  };
  const sender = await stack.signUpSession({ username: `sender-${tag}`, config });
  const receiver = await stack.signUpSession({ username: `receiver-${tag}` });
  const room = await sender.createRoom(`Faults ${tag}`);
  await sender.invite(room.roomId, `receiver-${tag}`);
  // The receiver follows the room once the membership notice reached it.
  for (let i = 0; i < 100 && !(await receiver.listRooms()).some((r) => r.roomId === room.roomId); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return { sender, receiver, roomId: room.roomId };
}

/** Live deliveries of one room, counted per message id. */
export class Deliveries {
  readonly counts = new Map<string, number>();
  readonly #off: () => void;

  constructor(receiver: RoomKeySession, roomId: string) {
    this.#off = receiver.on('message', (m) => {
      if (m.roomId !== roomId || !('messageId' in m) || !m.messageId) return;
      this.counts.set(m.messageId, (this.counts.get(m.messageId) ?? 0) + 1);
    });
  }

  /** Ids delivered more than once. */
  duplicates(): string[] {
    return [...this.counts].filter(([, n]) => n > 1).map(([id]) => id);
  }

  /** Of `ids`, those not delivered (yet). */
  missing(ids: Iterable<string>): string[] {
    return [...ids].filter((id) => !this.counts.has(id));
  }

  /** Waits (bounded) until every id of `ids` was delivered; returns those still missing. */
  async waitFor(ids: Iterable<string>, ms: number): Promise<string[]> {
    const until = Date.now() + ms;
    let missing = this.missing(ids);
    while (missing.length > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      missing = this.missing(missing);
    }
    return missing;
  }

  stop(): void {
    this.#off();
  }
}

/** Sends one message every `everyMs` until stopped; remembers what JetStream acknowledged. */
export class Sender {
  /** Acknowledged: message id → text. */
  readonly acked = new Map<string, string>();
  /** Sends that failed, with their error (the message may still have been stored). */
  readonly failures: Error[] = [];
  #running = true;
  readonly #done: Promise<void>;

  constructor(session: RoomKeySession, roomId: string, everyMs: number) {
    this.#done = (async () => {
      for (let n = 1; this.#running; n++) {
        const text = `m${n}`;
        const started = Date.now();
        try {
          const sent = await session.send(roomId, text);
          this.acked.set(sent.messageId, text);
        } catch (error) {
          if (error instanceof LockedError) break; // the session closed (the test ended)
          this.failures.push(error as Error);
        }
        const wait = everyMs - (Date.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })();
  }

  /** Stops after the send in flight; resolves once it settled. */
  stop(): Promise<void> {
    this.#running = false;
    return this.#done;
  }
}

/** Every connection state a session reports from now on, with the time it came. */
export function connectionLog(session: RoomKeySession): { states: { state: ConnectionState; at: number }[] } {
  const log = { states: [] as { state: ConnectionState; at: number }[] };
  session.on('connection', (state) => log.states.push({ state, at: Date.now() }));
  return log;
}

/** Resolves once `pred()` holds (checked every 50 ms); rejects after `ms` with `what`. */
export async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The end of a fault test: waits (bounded) for every acknowledged message, reports the counts,
 * and asserts each was delivered exactly once.
 * @example await assertExactlyOnce(t, sending, deliveries, 20_000);
 */
export async function assertExactlyOnce(
  t: { diagnostic(message: string): void },
  sending: Sender,
  deliveries: Deliveries,
  waitMs: number,
): Promise<void> {
  const missing = await deliveries.waitFor(sending.acked.keys(), waitMs);
  deliveries.stop();
  t.diagnostic(
    `${sending.acked.size} acknowledged, ${sending.failures.length} failed, ${deliveries.counts.size} delivered`,
  );
  assert.deepEqual(missing, [], 'every acknowledged message delivered');
  assert.deepEqual(deliveries.duplicates(), [], 'none delivered twice');
}
