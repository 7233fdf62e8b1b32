/**
 * What the RoomKeyClient contract checks of every value a client hands out: sessions, room
 * summaries, stored messages (one variant per status), notifications, and refusals (a typed
 * RoomKeyError with a code and words for a person). Internal to test/contract/.
 * @example await refused(() => client.listRooms(), LockedError, 'listRooms while locked');
 */
import type { ConnectionState, RoomSummary, Session, StoredMessage } from '../../components/client/types.ts';
import { ForbiddenError, RoomKeyError } from '../../core/errors.ts';
import { AssertionError, equal, ok } from '../helpers/assert.ts';

export const CONNECTION_STATES: readonly ConnectionState[] = [
  'connecting',
  'online',
  'offline',
  'reconnecting',
];
const HEX32 = /^[0-9a-f]{32}$/;

export function sameSession(a: Session | null, b: Session | null): boolean {
  return a === b || (a !== null && b !== null && a.userId === b.userId && a.username === b.username);
}

export function checkSession(session: Session, where: string): void {
  ok(typeof session.userId === 'string' && session.userId.length > 0, `${where}: a user id`);
  ok(typeof session.username === 'string' && session.username.length > 0, `${where}: a username`);
}

export function checkRoom(room: RoomSummary, where: string): void {
  ok(typeof room.roomId === 'string' && room.roomId.length > 0, `${where}: a room id`);
  ok(typeof room.name === 'string', `${where}: a name`);
  ok(Number.isInteger(room.epoch) && room.epoch >= 0, `${where}: epoch ${room.epoch}`);
  ok(['member', 'removed', 'outside'].includes(room.status), `${where}: status ${room.status}`);
  ok(Number.isInteger(room.unread) && room.unread >= 0, `${where}: unread ${room.unread}`);
  ok(Array.isArray(room.members), `${where}: members`);
  for (const m of room.members) ok(typeof m.userId === 'string' && typeof m.username === 'string', where);
}

/** A message as clients hand them out: stored by JetStream, one variant per status. */
export function checkStored(m: StoredMessage, where: string): void {
  ok(typeof m.roomId === 'string' && m.roomId.length > 0, `${where}: a room id`);
  ok(HEX32.test(m.messageId), `${where}: message id ${m.messageId}`);
  ok(Number.isInteger(m.epoch) && m.epoch >= 0, `${where}: epoch`);
  ok(Number.isInteger(m.seq) && m.seq > 0, `${where}: seq ${m.seq}`);
  ok(Number.isFinite(m.storedAtMs) && m.storedAtMs > 0, `${where}: stored time`);
  switch (m.status) {
    case 'sent':
    case 'received':
      equal(m.own, m.status === 'sent', `${where}: own follows the status`);
      ok(typeof m.senderUserId === 'string' && m.senderUserId.length > 0, `${where}: sender id`);
      ok(typeof m.senderUsername === 'string' && m.senderUsername.length > 0, `${where}: sender name`);
      ok(Number.isFinite(m.sentAtMs) && m.sentAtMs > 0, `${where}: sent time`);
      ok(typeof m.text === 'string', `${where}: text`);
      break;
    case 'held':
    case 'failed':
      equal(m.own, false, `${where}: not own`);
      ok(typeof m.reason === 'string' && m.reason.length > 0, `${where}: a reason`);
      break;
    case 'membership':
      ok(['added', 'removed', 'left', 'renamed'].includes(m.change), `${where}: change ${m.change}`);
      ok(typeof m.byUserId === 'string' && m.byUserId.length > 0, `${where}: who made the change`);
      ok(Array.isArray(m.users), `${where}: whom it changed`);
      equal(m.change === 'renamed', typeof m.name === 'string', `${where}: a name only for a rename`);
      break;
    default:
      throw new AssertionError(`${where}: status ${(m as { status: string }).status} is not handed out`);
  }
}

const NOTIFICATION_FIELDS = new Set(['roomId', 'roomName', 'messageId', 'senderUsername', 'preview']);

export function checkNotification(detail: unknown, where: string): void {
  const n = detail as Record<string, unknown>;
  for (const key of Object.keys(n)) ok(NOTIFICATION_FIELDS.has(key), `${where}: unexpected field ${key}`);
  for (const key of ['roomId', 'roomName', 'messageId', 'senderUsername'])
    ok(typeof n[key] === 'string', `${where}: ${key}`);
  ok(n['preview'] === undefined || typeof n['preview'] === 'string', `${where}: preview`);
}

/** Awaits `call` and checks it rejects with `type` (a RoomKeyError: a code and words for a person). */
export async function refused<E extends RoomKeyError>(
  call: () => unknown,
  type: abstract new (...args: never[]) => E,
  what: string,
): Promise<E> {
  let error: unknown;
  try {
    await call();
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new AssertionError(`${what}: expected ${type.name}, it succeeded`);
  const e = error as Error;
  ok(error instanceof RoomKeyError, `${what}: not a RoomKeyError: ${e?.name}: ${e?.message}`);
  ok(error instanceof type, `${what}: expected ${type.name}, got ${e.name} (${error.code}): ${e.message}`);
  ok(typeof error.code === 'string' && error.code.length > 0, `${what}: a code`);
  ok(error.message.length > 10, `${what}: a message for a person`);
  return error;
}

/** The refusal every page's ExtensionClient gives for account calls (checked by shape: it may live in core/bridge or components). */
export async function extensionOnly(call: () => unknown, what: string): Promise<void> {
  const error = await refused(call, ForbiddenError, what);
  equal(error.name, 'ExtensionOnlyError', `${what}: ${error.name}`);
  equal((error as { extensionOnly?: boolean }).extensionOnly, true, `${what}: extensionOnly`);
}

export function sameMembers(room: RoomSummary, usernames: string[], what: string): void {
  equal(
    room.members
      .map((m) => m.username)
      .sort()
      .join(','),
    [...usernames].sort().join(','),
    what,
  );
}
