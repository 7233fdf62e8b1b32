/**
 * The history's membership rows: what each verified commit changed (core/room Room.changes) as a
 * row — "alice added bob", "alice removed bob", "bob left", "alice renamed the room to …" — with
 * names from the verified directory, as messages get theirs. A rotation that renames nothing shows
 * no row, nor a commit whose stored place is not known yet (it gets one once it is).
 * @example const rows = await membershipRows(room.changes(1), { roomId, myUserId, username });
 */
import { toHex, utf8 } from '../bytes.ts';
import { sha256 } from '../crypto/index.ts';
import type { EpochChange } from '../room/index.ts';
import type { MembershipChange, MembershipRow } from './types.ts';

export interface RowContext {
  roomId: string;
  myUserId: string;
  /** A username from the verified directory ('' when unknown). */
  username: (userId: string) => Promise<string>;
}

/**
 * The row key of the change that opened `epoch`: 16 bytes in hex like a message id (every view
 * and host keys rows by it), derived from the room and epoch so every client gives one change the
 * same key; a random message id meets it with negligible chance.
 * @example membershipRowId(roomId, 3) // '5d1f…' (32 hex characters)
 */
export function membershipRowId(roomId: string, epoch: number): string {
  return toHex(sha256(utf8(`roomkey/v1/membership-row\u0000${roomId}\u0000${epoch}`)).subarray(0, 16));
}

function changeOf(change: EpochChange): MembershipChange | undefined {
  if (change.kind === 'add') return 'added';
  if (change.kind === 'remove') {
    const self = change.removed.length === 1 && change.removed[0] === change.committerUserId;
    return self ? 'left' : 'removed';
  }
  return change.renames && change.renamedTo !== undefined ? 'renamed' : undefined;
}

/**
 * Rows for the changes that have one, in the order given (epoch order is stream order).
 * @example await membershipRows(room.changes(3), ctx) // [{ status: 'membership', change: 'added', … }]
 */
export async function membershipRows(
  changes: readonly EpochChange[],
  ctx: RowContext,
): Promise<MembershipRow[]> {
  const rows: MembershipRow[] = [];
  for (const c of changes) {
    const change = changeOf(c);
    if (!change || c.seq === undefined || c.storedAtMs === undefined) continue;
    const users = change === 'added' ? c.added : change === 'removed' ? c.removed : [];
    rows.push({
      status: 'membership',
      own: c.committerUserId === ctx.myUserId,
      roomId: ctx.roomId,
      messageId: membershipRowId(ctx.roomId, c.epoch),
      epoch: c.epoch,
      seq: c.seq,
      storedAtMs: c.storedAtMs,
      change,
      byUserId: c.committerUserId,
      byUsername: await ctx.username(c.committerUserId),
      users: await Promise.all(
        users.map(async (userId) => ({ userId, username: await ctx.username(userId) })),
      ),
      ...(change === 'renamed' ? { name: c.renamedTo } : {}),
    });
  }
  return rows;
}

/**
 * The rows merged into messages by stream sequence (both oldest first).
 * @example const history = mergeBySeq(messages, rows);
 */
export function mergeBySeq<M extends { seq: number }>(messages: readonly M[], rows: readonly M[]): M[] {
  if (rows.length === 0) return [...messages];
  return [...messages, ...rows].sort((a, b) => a.seq - b.seq);
}
