/**
 * An envelope parsed once, where it arrives (the live reader, a history page, a snapshot): the
 * parsed form travels with its bytes and the stream's stored facts through `receiveMany`, so
 * nothing between the stream and the room decodes it again. Only objects made here are taken as
 * parsed: anything else handed to a Room is parsed again, so the checks stay as strong.
 * @example const batch = msgs.map((m) => parseReceived({ bytes: m.data, storedAtMs: m.time.getTime(), seq: m.seq }));
 */
import { type ParsedEnvelope, parseEnvelope } from '../crypto/index.ts';
import { MalformedError, RoomKeyError } from '../errors.ts';
import type { StoredEnvelope, StoredFacts } from './types.ts';

/** The output of parseReceived. Frozen. */
export interface ReceivedEnvelope {
  readonly bytes: Uint8Array;
  /** When JetStream stored it and its sequence; undefined when it was not read from a stream. */
  readonly facts: StoredFacts | undefined;
  /** The parsed envelope (shape checked, signature not yet), or why these bytes are not one. */
  readonly parsed: ParsedEnvelope | RoomKeyError;
}

const made = new WeakSet<ReceivedEnvelope>();

/**
 * Parses an envelope as it arrives, keeping its stored facts (hostile input: numbers only, and a
 * parse failure is kept as its typed error, reported in place by receiveMany).
 * @example const received = parseReceived({ bytes, storedAtMs, seq });
 */
export function parseReceived(input: Uint8Array | StoredEnvelope): ReceivedEnvelope {
  const { bytes, facts } = split(input);
  let parsed: ParsedEnvelope | RoomKeyError;
  try {
    parsed = parseEnvelope(bytes);
  } catch (error) {
    parsed = asRoomKeyError(error);
  }
  const received: ReceivedEnvelope = Object.freeze({ bytes, facts, parsed });
  made.add(received);
  return received;
}

/**
 * `input` as a ReceivedEnvelope: itself when parseReceived made it, else parsed now.
 * @example const { parsed, facts } = asReceived(input);
 */
export function asReceived(input: Uint8Array | StoredEnvelope | ReceivedEnvelope): ReceivedEnvelope {
  if (!(input instanceof Uint8Array) && made.has(input as ReceivedEnvelope)) return input as ReceivedEnvelope;
  return parseReceived(input as Uint8Array | StoredEnvelope);
}

/**
 * The message id of a received envelope (undefined when it did not parse).
 * @example const id = messageIdOf(received); if (id && sent.has(toHex(id))) skip();
 */
export function messageIdOf(received: ReceivedEnvelope): Uint8Array | undefined {
  return received.parsed instanceof RoomKeyError ? undefined : received.parsed.header.messageId;
}

/** Bytes and stored facts of an incoming envelope (facts are hostile input too: numbers only). */
function split(input: Uint8Array | StoredEnvelope): { bytes: Uint8Array; facts: StoredFacts | undefined } {
  if (input instanceof Uint8Array) return { bytes: input, facts: undefined };
  if (input === null || typeof input !== 'object') return { bytes: input as never, facts: undefined };
  const { bytes, storedAtMs, seq } = input;
  const known = Number.isSafeInteger(storedAtMs) && storedAtMs > 0;
  return { bytes, facts: known ? { storedAtMs, seq: Number.isSafeInteger(seq) ? seq : 0 } : undefined };
}

/** Any failure as a typed error (a decoder bug must not escape as a crash). */
export function asRoomKeyError(error: unknown): RoomKeyError {
  if (error instanceof RoomKeyError) return error;
  return new MalformedError(`unexpected failure: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}
