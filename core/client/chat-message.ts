/**
 * The one place a ChatMessage is made: each builder returns one variant of the union in
 * types.ts with exactly its fields, so no host writes `''` or `0` for a field that is not true of
 * a message. Also the two questions every view asks of any variant: its row key and its time.
 * @example const row = readableMessage(roomId, message, { senderUsername: 'bob', myUserId });
 */
import { toHex } from '../bytes.ts';
import { isPersonText } from '../errors.ts';
import type { RoomMessage, StoredFacts } from '../room/index.ts';
import type {
  ChatMessage,
  FailedMessage,
  HeldMessage,
  MessageEventFields,
  ReceivedMessage,
  SendingMessage,
  SentMessage,
  UnsentMessage,
} from './types.ts';

/** The size limit, for the composer (which imports this light file, not the client's index). */
export { MAX_MESSAGE_BYTES, messageSizeProblem } from './message-size.ts';

/**
 * A sender's own time is shown while it is this close to when JetStream stored the message; a
 * claim further off (a wrong clock, or a backdated message) shows the stored time instead.
 */
export const SENT_AT_TOLERANCE_MS = 10 * 60_000;

/**
 * A message core/room accepted, read from the stream: `sent` when this user wrote it, else
 * `received`. The time shown is the sender's unless it is far from the stored time.
 * @example const m = readableMessage(roomId, result.message, facts, { senderUsername, myUserId });
 */
export function readableMessage(
  roomId: string,
  message: RoomMessage,
  facts: StoredFacts,
  who: { senderUsername: string; myUserId: string },
): SentMessage | ReceivedMessage {
  const common = {
    roomId,
    messageId: toHex(message.messageId),
    senderUserId: message.senderUserId,
    senderUsername: who.senderUsername,
    sentAtMs: shownTime(message.sentAtMs, facts.storedAtMs),
    seq: facts.seq,
    storedAtMs: facts.storedAtMs,
    text: message.text,
    epoch: message.epoch,
    ...eventFields(message),
  };
  return message.senderUserId === who.myUserId
    ? { ...common, status: 'sent', own: true }
    : { ...common, status: 'received', own: false };
}

/**
 * Another user's message as a host already holds it (a test double, a kept copy).
 * @example const m = receivedMessage({ roomId, messageId, senderUserId, senderUsername, sentAtMs, seq, storedAtMs, text, epoch });
 */
export function receivedMessage(input: Omit<ReceivedMessage, 'status' | 'own'>): ReceivedMessage {
  return { ...input, status: 'received', own: false };
}

/**
 * A message sent from this device once JetStream acknowledged it. The ack carries the sequence,
 * not the time: this device's clock stands in for the stored time.
 * @example const m = sentMessage({ roomId, messageId, senderUserId, senderUsername, sentAtMs, seq, text, epoch });
 */
export function sentMessage(input: Omit<SentMessage, 'status' | 'own' | 'storedAtMs'>): SentMessage {
  return { ...input, storedAtMs: input.sentAtMs, status: 'sent', own: true };
}

/**
 * A message whose epoch key has not arrived (core/room holds it and releases it later).
 * @example const m = heldMessage({ roomId, messageId, epoch, reason, seq, storedAtMs });
 */
export function heldMessage(input: Omit<HeldMessage, 'status' | 'own'>): HeldMessage {
  return { ...input, reason: forPeople(input.reason, HELD_REASON), status: 'held', own: false };
}

/**
 * The row a view shows while its client sends (replaced by the `sent` message, or removed).
 * @example const draft = sendingMessage({ roomId, draftId: 'draft-1', senderUserId, senderUsername, text, epoch });
 */
export function sendingMessage(
  input: Omit<SendingMessage, 'status' | 'own' | 'sentAtMs'> & { sentAtMs?: number },
): SendingMessage {
  return { ...input, sentAtMs: input.sentAtMs ?? Date.now(), status: 'sending', own: true };
}

/**
 * A stored message this device can never read, with the reason for a person.
 * @example const m = failedMessage({ roomId, messageId, epoch, reason: error.message, seq, storedAtMs });
 */
export function failedMessage(input: Omit<FailedMessage, 'status' | 'own'>): FailedMessage {
  return { ...input, reason: forPeople(input.reason, FAILED_REASON), status: 'failed', own: false };
}

/** Said for a held message whose reason was not written for people (it named a room or an id). */
const HELD_REASON = "Waiting for this message's key: it shows once a member's device shares it.";
/** Said for an unreadable message whose reason was not written for people. */
const FAILED_REASON =
  "This device can't read this message: it was written before you could read the room, or after you left it.";

/** A row's reason is read by people: an internal one (an id, a prefix) gives way to `fallback`. */
function forPeople(reason: string, fallback: string): string {
  return reason && isPersonText(reason) ? reason : fallback;
}

/**
 * A message waiting in this device's outbox, with why it is not sent yet.
 * @example const row = unsentMessage({ roomId, messageId, senderUserId, senderUsername, sentAtMs, text, reason });
 */
export function unsentMessage(input: Omit<UnsentMessage, 'status' | 'own'>): UnsentMessage {
  return { ...input, status: 'unsent', own: true };
}

/**
 * The stable key of a row: the message id, or the draft id while it is being sent.
 * @example repeat(messages, messageKey, render);
 */
export function messageKey(message: ChatMessage): string {
  return message.status === 'sending' ? message.draftId : message.messageId;
}

/**
 * The time a view shows for a row: the sender's (see readableMessage), or for a message that
 * cannot be read and for a membership row, when the server stored it.
 * @example html`<time>${formatTime(messageTime(message))}</time>`
 */
export function messageTime(message: ChatMessage): number {
  return message.status === 'held' || message.status === 'failed' || message.status === 'membership'
    ? message.storedAtMs
    : message.sentAtMs;
}

/** The reply and action of a message, each only when present (a post without a reply adds none). */
function eventFields(message: RoomMessage): MessageEventFields {
  const fields: MessageEventFields = {};
  if (message.replyTo.length > 0) fields.replyTo = toHex(message.replyTo);
  if (message.action && message.action !== 'post' && message.target) {
    fields.action = message.action;
    fields.target = toHex(message.target);
    if (message.reaction) fields.reaction = message.reaction;
  }
  return fields;
}

function shownTime(sentAtMs: number, storedAtMs: number): number {
  return Math.abs(sentAtMs - storedAtMs) > SENT_AT_TOLERANCE_MS ? storedAtMs : sentAtMs;
}
