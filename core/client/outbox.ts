/**
 * The outbox: this device's messages that are written but not stored by JetStream yet, kept in
 * the encrypted store (core/store: every value and name sealed under the store key, the store key
 * wrapped by the password), so a message written offline survives a reload and goes out later.
 * Each entry gets its 16-byte message id when written: every attempt to send it uses that id
 * (and so the same Nats-Msg-Id, and receivers' replay guard sees the same id), which makes
 * sending it again after an attempt whose answer was lost harmless — it is stored and shown once.
 * The record is read as hostile input (a damaged one is a MalformedError, never a guess).
 * @example const outbox = await Outbox.open(store); const entry = await outbox.add(roomId, text);
 */
import { fromUtf8, toHex, utf8 } from '../bytes.ts';
import { randomBytes } from '../crypto/random.ts';
import { MalformedError, TooLargeError } from '../errors.ts';
import { SerialQueue } from '../serial.ts';
import { MAX_MESSAGE_BYTES, messageBytes, messageSizeProblem } from './message-size.ts';

/** The store record that holds the outbox. */
export const OUTBOX_RECORD = 'outbox';

/** Most messages waiting at once (with the size limit, the record stays far under the store's 4 MiB). */
export const MAX_OUTBOX = 100;

const MAX_ROOM_ID_CHARS = 200;
const MAX_REASON_CHARS = 1000;

/** One message waiting to be sent. */
export interface OutboxEntry {
  /** Hex of the 16-byte message id every attempt uses. */
  messageId: string;
  roomId: string;
  text: string;
  /** When the person wrote it (the message's own time when it goes out). */
  writtenAtMs: number;
  /** Why the last attempt failed, for a person to read; absent while none failed. */
  reason?: string;
}

/**
 * The outbox of one unlocked store (see the top of this file). Changes are written in order.
 * @example for (const entry of outbox.list(roomId)) show(entry);
 */
export class Outbox {
  readonly #store: OutboxStore;
  readonly #entries: Map<string, OutboxEntry>;
  readonly #writes = new SerialQueue();

  private constructor(store: OutboxStore, entries: OutboxEntry[]) {
    this.#store = store;
    this.#entries = new Map(entries.map((e) => [e.messageId, e]));
  }

  /** Reads the outbox of an unlocked store (empty when it has none); MalformedError when damaged. */
  static async open(store: OutboxStore): Promise<Outbox> {
    const bytes = await store.get(OUTBOX_RECORD);
    return new Outbox(store, bytes ? parseOutbox(bytes) : []);
  }

  /** Waiting messages, oldest first; of one room when `roomId` is given. */
  list(roomId?: string): OutboxEntry[] {
    const all = [...this.#entries.values()];
    return (roomId === undefined ? all : all.filter((e) => e.roomId === roomId)).map((e) => ({ ...e }));
  }

  get(messageId: string): OutboxEntry | undefined {
    const entry = this.#entries.get(messageId);
    return entry && { ...entry };
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Keeps a new message (with a fresh message id) before any attempt to send it. TooLargeError
   * for a message over the size limit, or when MAX_OUTBOX messages already wait.
   */
  async add(roomId: string, text: string, writtenAtMs = Date.now()): Promise<OutboxEntry> {
    const tooLarge = messageSizeProblem(text);
    if (tooLarge) throw new TooLargeError(tooLarge);
    if (this.#entries.size >= MAX_OUTBOX)
      throw new TooLargeError(
        `${MAX_OUTBOX} messages are already waiting to be sent from this device. Send or discard some of them first.`,
      );
    const entry: OutboxEntry = { messageId: toHex(randomBytes(16)), roomId, text, writtenAtMs };
    this.#entries.set(entry.messageId, entry);
    await this.#save();
    return { ...entry };
  }

  /** The last attempt failed: the entry stays, with the reason a person reads. */
  async failed(messageId: string, reason: string): Promise<void> {
    const entry = this.#entries.get(messageId);
    if (!entry) return;
    entry.reason = reason.slice(0, MAX_REASON_CHARS);
    await this.#save();
  }

  /** Sent (stored by JetStream) or discarded: gone from the outbox. */
  async remove(messageId: string): Promise<boolean> {
    if (!this.#entries.delete(messageId)) return false;
    await this.#save();
    return true;
  }

  /** Writes the whole outbox (a few KB at most), after the writes before it. */
  #save(): Promise<void> {
    const snapshot = [...this.#entries.values()].map((e) => ({ ...e }));
    return this.#writes.run(() =>
      snapshot.length === 0
        ? this.#store.delete(OUTBOX_RECORD)
        : this.#store.set(OUTBOX_RECORD, utf8(JSON.stringify({ v: 1, entries: snapshot }))),
    );
  }
}

/** What the outbox needs of core/store's EncryptedStore (unlocked). */
export interface OutboxStore {
  get(name: string): Promise<Uint8Array | undefined>;
  set(name: string, value: Uint8Array): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * The stored outbox, checked field by field: MalformedError for anything else.
 * @example const entries = parseOutbox(await store.get(OUTBOX_RECORD));
 */
export function parseOutbox(bytes: Uint8Array): OutboxEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes, 'outbox'));
  } catch (cause) {
    throw new MalformedError(
      "This device's outbox (messages not sent yet) is damaged and could not be read.",
      {
        cause,
      },
    );
  }
  const record = parsed as { v?: unknown; entries?: unknown } | null;
  if (typeof record !== 'object' || record === null || record.v !== 1 || !Array.isArray(record.entries))
    throw damaged('not an outbox record');
  if (record.entries.length > MAX_OUTBOX) throw damaged('too many entries');
  const seen = new Set<string>();
  return record.entries.map((raw: unknown) => {
    const entry = checkEntry(raw);
    if (seen.has(entry.messageId)) throw damaged('an id twice');
    seen.add(entry.messageId);
    return entry;
  });
}

function checkEntry(raw: unknown): OutboxEntry {
  const e = raw as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null) throw damaged('an entry is not an object');
  const { messageId, roomId, text, writtenAtMs, reason } = e;
  if (typeof messageId !== 'string' || !/^[0-9a-f]{32}$/.test(messageId)) throw damaged('a message id');
  if (typeof roomId !== 'string' || roomId.length === 0 || roomId.length > MAX_ROOM_ID_CHARS)
    throw damaged('a room id');
  if (typeof text !== 'string' || messageBytes(text) > MAX_MESSAGE_BYTES) throw damaged('a text');
  if (typeof writtenAtMs !== 'number' || !Number.isSafeInteger(writtenAtMs) || writtenAtMs < 0)
    throw damaged('a time');
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_CHARS))
    throw damaged('a reason');
  return { messageId, roomId, text, writtenAtMs, ...(reason === undefined ? {} : { reason }) };
}

function damaged(what: string): MalformedError {
  return new MalformedError(
    `This device's outbox (messages not sent yet) is damaged (${what}) and could not be read.`,
  );
}
