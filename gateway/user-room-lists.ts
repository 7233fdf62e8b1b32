/**
 * Each user's room list in KV (rk_user_rooms: one sealed UserRooms per user, what device JWTs and
 * room.list read), appended to by room creations and commits. Appends for one user on one gateway
 * are written together: while a write for a user is in flight, further room ids wait and go into
 * the next single compare-and-set, so a user (or a bot) creating many rooms at once costs one
 * write per batch instead of a read, a write and a lost race per room. The last revision written
 * is remembered (bounded), so a following append skips the read; it is only a guess: the write is
 * compare-and-set on it, and when another gateway wrote since, the list is read again and merged.
 * @example await appendUserRooms(ctx.buckets, ['u1'], roomId);
 */
import { ConflictError } from '../core/errors.ts';
import type { Buckets } from './buckets.ts';

const MAX_CAS_RETRIES = 16;
/** Users whose last written list is remembered per bucket (the oldest is forgotten first). */
const MAX_KNOWN_USERS = 2048;

type UserRoomsKv = Buckets['userRooms'];

interface Known {
  revision: number;
  roomIds: string[];
}

interface Waiting {
  roomIds: Set<string>;
  settle: Array<{ resolve(): void; reject(error: unknown): void }>;
}

interface PerBucket {
  known: Map<string, Known>;
  waiting: Map<string, Waiting>;
  writing: Set<string>;
}

const state = new WeakMap<UserRoomsKv, PerBucket>();

function stateOf(kv: UserRoomsKv): PerBucket {
  let s = state.get(kv);
  if (!s) {
    s = { known: new Map(), waiting: new Map(), writing: new Set() };
    state.set(kv, s);
  }
  return s;
}

/**
 * Adds `roomId` to each user's room list (idempotent); resolves once it is stored.
 * @example await appendUserRooms(ctx.buckets, added, roomId);
 */
export async function appendUserRooms(
  buckets: Pick<Buckets, 'userRooms'>,
  userIds: readonly string[],
  roomId: string,
): Promise<void> {
  await Promise.all(userIds.map((userId) => append(buckets.userRooms, userId, roomId)));
}

function append(kv: UserRoomsKv, userId: string, roomId: string): Promise<void> {
  const s = stateOf(kv);
  return new Promise<void>((resolve, reject) => {
    let waiting = s.waiting.get(userId);
    if (!waiting) {
      waiting = { roomIds: new Set(), settle: [] };
      s.waiting.set(userId, waiting);
    }
    waiting.roomIds.add(roomId);
    waiting.settle.push({ resolve, reject });
    if (!s.writing.has(userId)) void drain(kv, s, userId);
  });
}

/** Writes the waiting batches of `userId` one after another until none waits. */
async function drain(kv: UserRoomsKv, s: PerBucket, userId: string): Promise<void> {
  s.writing.add(userId);
  try {
    for (let batch = s.waiting.get(userId); batch; batch = s.waiting.get(userId)) {
      s.waiting.delete(userId);
      try {
        await write(kv, s, userId, batch.roomIds);
        for (const w of batch.settle) w.resolve();
      } catch (error) {
        for (const w of batch.settle) w.reject(error);
      }
    }
  } finally {
    s.writing.delete(userId);
  }
}

async function write(kv: UserRoomsKv, s: PerBucket, userId: string, adding: Set<string>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let current = s.known.get(userId);
    if (!current) {
      const read = await kv.get(userId);
      current = read ? { revision: read.revision, roomIds: read.value.roomIds ?? [] } : undefined;
    }
    const missing = [...adding].filter((id) => !current?.roomIds.includes(id));
    if (missing.length === 0) return;
    const roomIds = [...(current?.roomIds ?? []), ...missing];
    try {
      const revision = current
        ? await kv.update(userId, { roomIds }, current.revision, 'raced')
        : await kv.create(userId, { roomIds }, 'raced');
      remember(s, userId, { revision, roomIds });
      return;
    } catch (error) {
      // Another gateway wrote since (or the remembered revision was a guess): read and merge.
      s.known.delete(userId);
      if (!(error instanceof ConflictError) || attempt >= MAX_CAS_RETRIES) throw error;
    }
  }
}

function remember(s: PerBucket, userId: string, known: Known): void {
  s.known.delete(userId);
  if (s.known.size >= MAX_KNOWN_USERS) s.known.delete(s.known.keys().next().value!);
  s.known.set(userId, known);
}
