/**
 * A short, read-only look at what is new for this device, for a host woken without a page: a
 * service worker after a content-free push. With the device's store already unlocked (by the
 * device-unlock key, not the password), it connects as this device (the device key proves it for
 * a fresh JWT), reads the newest messages of every room the user is a member of, decrypts and
 * verifies them here, and disconnects. It writes nothing: the page's session owns the room
 * snapshots and pins, and two writers would race.
 * @example for (const room of await readRecent(store, config, { perRoom: 20 })) show(room.name, room.messages.at(-1));
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { SignedProps } from '../crypto/index.ts';
import { MalformedError } from '../errors.ts';
import { Room } from '../room/index.ts';
import type { EncryptedStore } from '../store/store.ts';
import type { ClientConfig } from './config.ts';
import { DeviceLink } from './device-link.ts';
import { roomList } from './gateway-api.ts';
import { GatewayDirectory } from './gateway-directory.ts';
import { readHistory } from './history.ts';
import { LocalState, localMember } from './local-state.ts';
import { RoomHandle } from './room-handle.ts';
import type { StoredMessage } from './types.ts';

export interface RecentRoom {
  roomId: string;
  /** The decrypted room name ('' when this device has no key for it). */
  name: string;
  /** The newest messages, oldest first, as the room shows them (own, held and failed included). */
  messages: StoredMessage[];
}

export interface RecentOptions {
  /** Messages read per room (the newest). */
  perRoom: number;
  timeoutMs?: number;
  /** Where the caller stood in each room: only what was stored after that sequence is read. */
  after?: (roomId: string) => number;
  /**
   * Runs once connected, before any room is read (a woken service worker's presence beacon and
   * the shared read markers that `after` then takes into account).
   */
  onConnected?: (nc: NatsConnection) => Promise<void>;
}

/** The newest messages of each room this device's user is a member of (see the top of this file). */
export async function readRecent(
  store: EncryptedStore,
  config: ClientConfig,
  options: RecentOptions,
): Promise<RecentRoom[]> {
  const state = LocalState.of(store);
  const stored = await state.identity();
  if (!stored?.identity?.body || !stored.deviceSecret || !stored.deviceCertificate)
    throw new MalformedError('The local store holds no identity: sign in on this device first.');
  const me = localMember(stored);
  const { userId } = me;
  const timeoutMs = options.timeoutMs ?? config.requestTimeoutMs;
  let link: DeviceLink | undefined;
  const directory = new GatewayDirectory(() => link!.nc, { pins: await state.pins() });
  link = await DeviceLink.open({
    config,
    deviceSecretKey: stored.deviceSecret,
    credential: { userJwt: '', expiresAtMs: 0 }, // the device key proves the device for a fresh JWT
  });
  const open = link;
  try {
    await directory.trust(stored.identity as SignedProps);
    await directory.trustDevice(stored.deviceCertificate as SignedProps, userId);
    await open.ready();
    await options.onConnected?.(open.nc);
    const { rooms } = await roomList(open.nc, { timeoutMs });
    const out: RecentRoom[] = [];
    for (const entry of rooms) {
      const roomId = entry.roomId ?? '';
      if (!roomId || !entry.member) continue;
      const snapshot = await state.room(roomId).catch(() => undefined);
      const room = snapshot ? await Room.restore(snapshot, me, directory).catch(() => undefined) : undefined;
      const handle = new RoomHandle(
        roomId,
        {
          me,
          directory,
          nc: () => open.nc,
          ready: () => open.ready(),
          timeoutMs,
          onMessage: () => undefined,
          onChange: () => undefined,
          save: async () => undefined, // read-only: see the top of this file
        },
        room,
      );
      const messages = await readHistory(handle, open.nc, {
        limit: options.perRoom,
        timeoutMs,
        afterSeq: options.after?.(roomId),
      });
      out.push({ roomId, name: handle.room?.info.name ?? '', messages });
    }
    return out;
  } finally {
    await open.close().catch(() => undefined);
  }
}
