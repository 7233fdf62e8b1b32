/**
 * The rooms of one unlocked session: a RoomHandle per room the gateway lists for this user,
 * restored from the device's snapshot or fetched and verified, followed live while this user is a
 * member. Permissions follow membership: a room the device's JWT does not cover yet gets a JWT
 * refresh before it is followed. After a reconnect the rooms are read again (coalesced: reconnects
 * may come in bursts) and every live reader resumes after the last sequence it delivered; that
 * catch-up is tried again with backoff until all of it succeeded (the gateway may come back later
 * than NATS), and `onCaughtUp` says when it did, so the session does not claim to be online before.
 * @example const rooms = new RoomRegistry(deps); await rooms.refresh(); const handle = await rooms.get(roomId);
 */
import { NotFoundError, UnavailableError } from '../errors.ts';
import { type LocalMember, Room } from '../room/index.ts';
import { coalesce } from '../serial.ts';
import { roomSubject } from '../transport/subjects.ts';
import type { DeviceLink } from './device-link.ts';
import { roomList } from './gateway-api.ts';
import type { GatewayDirectory } from './gateway-directory.ts';
import type { LocalState } from './local-state.ts';
import { RoomHandle } from './room-handle.ts';
import { Backoff } from './runtime/backoff.ts';
import { CATCH_UP_RETRY_MAX_MS } from './runtime/settings.ts';
import type { RoomSummary, StoredMessage } from './types.ts';

export interface RoomRegistryDeps {
  me: LocalMember;
  directory: GatewayDirectory;
  link: DeviceLink;
  state: LocalState;
  timeoutMs?: number;
  onMessage: (message: StoredMessage) => void;
  onRooms: (rooms: readonly RoomSummary[]) => void;
  onError: (error: Error) => void;
  /** false when a catch-up starts (after a reconnect), true once all of it succeeded. */
  onCaughtUp?: (caughtUp: boolean) => void;
}

/** How long one catch-up try waits for the live readers to be placed again before it tries again. */
const PLACE_WAIT_MS = 10_000;

/**
 * The session's rooms (see the top of this file).
 * @example for (const room of await rooms.summaries()) show(room.name);
 */
export class RoomRegistry {
  readonly #deps: RoomRegistryDeps;
  readonly #handles = new Map<string, RoomHandle>();
  #focused: string | null = null;
  #closed = false;
  /** Waits to cut short when the registry closes. */
  readonly #onClose: (() => void)[] = [];
  /** The running catch-up: sends wait for it (bounded, RoomHandle) so they use the epoch it finds. */
  #catchUp: { done: Promise<void>; end: () => void } | undefined;

  constructor(deps: RoomRegistryDeps) {
    this.#deps = deps;
  }

  /** The handle of a room this session already knows (no network). */
  known(roomId: string): RoomHandle | undefined {
    return this.#handles.get(roomId);
  }

  /** The handle for `roomId`, made (with `room` if given) when new. */
  handle(roomId: string, room?: Room): RoomHandle {
    let handle = this.#handles.get(roomId);
    if (!handle) {
      const { me, directory, link, state, timeoutMs, onMessage, onError } = this.#deps;
      handle = new RoomHandle(
        roomId,
        {
          me,
          directory,
          nc: () => link.nc,
          ready: () => link.ready(),
          timeoutMs,
          onMessage,
          onChange: () => void this.emit(),
          save: (id, bytes) => state.setRoom(id, bytes),
          onError,
          // Only a running catch-up: a send while the link is down fails at once, as it always has.
          caughtUp: () => this.#catchUp?.done,
        },
        room,
      );
      handle.focused = this.#focused === roomId;
      this.#handles.set(roomId, handle);
    } else if (room && !handle.room) {
      handle.room = room;
    }
    return handle;
  }

  /** A room this user is or was in, loaded; NotFoundError when the gateway does not list it. */
  async get(roomId: string): Promise<RoomHandle> {
    let handle = this.#handles.get(roomId);
    if (!handle) {
      await this.refresh(false);
      handle = this.#handles.get(roomId);
    }
    if (!handle) throw new NotFoundError('No such room (or you are not in it).');
    if (!handle.room) await handle.sync();
    return handle;
  }

  /**
   * Reads the room list, restores or fetches each room, follows the ones this user is in.
   * `strict`: a room whose chain could not be read for want of an answer fails the whole refresh
   * (a catch-up tries again); otherwise it is reported and the other rooms go on.
   */
  async refresh(emit = true, strict = false): Promise<void> {
    const { link } = this.#deps;
    await link.ready();
    const { rooms } = await roomList(link.nc, { timeoutMs: this.#deps.timeoutMs });
    let unanswered: UnavailableError | undefined;
    await Promise.all(
      rooms.map(async (entry) => {
        const roomId = entry.roomId ?? '';
        const epoch = entry.epoch ?? 0;
        const listed = entry.member ? 'member' : 'removed';
        const handle = this.#handles.get(roomId) ?? this.handle(roomId, await this.#restore(roomId));
        handle.listedStatus = listed;
        if (!handle.room || handle.room.epoch < epoch || handle.status !== listed) {
          await handle.sync().catch((e: Error) => {
            if (strict && e instanceof UnavailableError) unanswered ??= e;
            else this.#deps.onError(e);
          });
        }
      }),
    );
    if (unanswered) throw unanswered;
    // A room this user is in that the current JWT does not cover yet: refresh before following it.
    const member = [...this.#handles.values()].filter((h) => h.status === 'member');
    if (member.some((h) => !link.allowsPublish(roomSubject(h.roomId, 'msg')))) await link.refresh();
    // Followed before the rooms are announced: what is stored from then on is delivered live.
    await Promise.all(
      [...this.#handles.values()].map((handle) =>
        handle.status === 'member' ? handle.startLive() : handle.stopLive(),
      ),
    );
    if (emit) await this.emit();
  }

  /**
   * After a reconnect: what the server sent while the connection was down is lost to the old
   * pulls, so each room's reader places its consumer again after the last sequence it delivered;
   * then the room list and chains are read again (commits sent meanwhile came on no subscription).
   * Tried again with backoff until the list, every chain and every reader's placement succeeded.
   */
  readonly resync: () => Promise<void> = coalesce(async () => {
    if (this.#closed) return;
    this.#deps.onCaughtUp?.(false);
    void this.#catchUpGate();
    const placing = new Map<RoomHandle, Promise<void>>();
    const resume = (handle: RoomHandle) => {
      const placed = handle.resumeLive();
      placing.set(handle, placed);
      void placed.then(() => {
        if (placing.get(handle) === placed) placing.delete(handle);
      });
    };
    for (const handle of this.#handles.values()) resume(handle);
    const backoff = new Backoff({ maxMs: CATCH_UP_RETRY_MAX_MS });
    for (let attempt = 1; !this.#closed; attempt++) {
      try {
        await this.refresh(true, true);
        // The gateway answers again: readers still waiting to be placed try now, not at their next retry.
        for (const handle of [...placing.keys()]) resume(handle);
        if (!(await settlesWithin([...placing.values()], PLACE_WAIT_MS)))
          throw new UnavailableError('The rooms could not be followed again yet: trying again.');
        if (!this.#closed) this.#deps.onCaughtUp?.(true);
        this.#endCatchUp();
        return;
      } catch (error) {
        // The first failure is news; the same outage again and again is not.
        if (attempt === 1 || !(error instanceof UnavailableError)) this.#deps.onError(error as Error);
        await this.#sleep(backoff.delay());
      }
    }
    this.#endCatchUp();
  });

  /** The end of the running catch-up (made when it starts). */
  #catchUpGate(): Promise<void> {
    if (!this.#catchUp) {
      let end = () => {};
      const done = new Promise<void>((resolve) => {
        end = resolve;
      });
      this.#catchUp = { done, end };
    }
    return this.#catchUp.done;
  }

  #endCatchUp(): void {
    this.#catchUp?.end();
    this.#catchUp = undefined;
  }

  /** Which room is on screen: its unread count resets and live messages there are not counted. */
  focus(roomId: string | null): void {
    this.#focused = roomId;
    for (const [id, handle] of this.#handles) {
      handle.focused = id === roomId;
      if (handle.focused) handle.unread = 0;
    }
  }

  summaries(): Promise<RoomSummary[]> {
    return Promise.all([...this.#handles.values()].map((h) => h.summary()));
  }

  /** Announces the rooms (names, members, unread counts) unless closed meanwhile. */
  async emit(): Promise<void> {
    if (this.#closed) return;
    const rooms = await this.summaries();
    if (!this.#closed) this.#deps.onRooms(rooms);
  }

  /** Stops following every room and writes their snapshots. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#endCatchUp();
    for (const wake of [...this.#onClose]) wake();
    await Promise.allSettled([...this.#handles.values()].map((h) => h.close()));
  }

  /** Waits `ms`, or less when the registry closes meanwhile. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        const at = this.#onClose.indexOf(wake);
        if (at >= 0) this.#onClose.splice(at, 1);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#onClose.push(wake);
    });
  }

  async #restore(roomId: string): Promise<Room | undefined> {
    const { state, me, directory } = this.#deps;
    try {
      const snapshot = await state.room(roomId);
      return snapshot ? await Room.restore(snapshot, me, directory) : undefined;
    } catch (error) {
      this.#deps.onError(error as Error); // a damaged snapshot: the chain is fetched again instead
      return undefined;
    }
  }
}

/** Whether every promise settled within `ms`. */
async function settlesWithin(promises: readonly Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
