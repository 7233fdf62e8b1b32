/**
 * The rooms of one unlocked session: a RoomHandle per room the gateway lists for this user,
 * restored from the device's snapshot or fetched and verified, followed live while this user is a
 * member. Permissions follow membership: a room the device's JWT does not cover yet gets a JWT
 * refresh before it is followed. After a reconnect the rooms are read again (coalesced: reconnects
 * may come in bursts) and every live reader resumes after the last sequence it delivered.
 * @example const rooms = new RoomRegistry(deps); await rooms.refresh(); const handle = await rooms.get(roomId);
 */
import { NotFoundError } from '../errors.ts';
import { type LocalMember, Room } from '../room/index.ts';
import { coalesce } from '../serial.ts';
import { roomSubject } from '../transport/subjects.ts';
import type { DeviceLink } from './device-link.ts';
import { roomList } from './gateway-api.ts';
import type { GatewayDirectory } from './gateway-directory.ts';
import type { LocalState } from './local-state.ts';
import { RoomHandle } from './room-handle.ts';
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
}

/**
 * The session's rooms (see the top of this file).
 * @example for (const room of await rooms.summaries()) show(room.name);
 */
export class RoomRegistry {
  readonly #deps: RoomRegistryDeps;
  readonly #handles = new Map<string, RoomHandle>();
  #focused: string | null = null;
  #closed = false;

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

  /** Reads the room list, restores or fetches each room, follows the ones this user is in. */
  async refresh(emit = true): Promise<void> {
    const { link } = this.#deps;
    await link.ready();
    const { rooms } = await roomList(link.nc, { timeoutMs: this.#deps.timeoutMs });
    await Promise.all(
      rooms.map(async (entry) => {
        const roomId = entry.roomId ?? '';
        const epoch = entry.epoch ?? 0;
        const listed = entry.member ? 'member' : 'removed';
        const handle = this.#handles.get(roomId) ?? this.handle(roomId, await this.#restore(roomId));
        handle.listedStatus = listed;
        if (!handle.room || handle.room.epoch < epoch || handle.status !== listed) {
          await handle.sync().catch((e: Error) => this.#deps.onError(e));
        }
      }),
    );
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
   * then the room list and chains are read again.
   */
  readonly resync: () => Promise<void> = coalesce(async () => {
    if (this.#closed) return;
    try {
      for (const handle of this.#handles.values()) handle.resumeLive();
      await this.refresh();
    } catch (error) {
      this.#deps.onError(error as Error);
    }
  });

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
    await Promise.allSettled([...this.#handles.values()].map((h) => h.close()));
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
