/**
 * The room layout before shard streams (kept only so a deployment's old data can be migrated):
 * one stream `RK_ROOM_<id>` per room with subjects `rk.v1.room.<id>.>` and one consumer `d_<nkey>`
 * per device on it. Nothing serves rooms from here any more; core/transport/stream-layout.ts is
 * the layout in use.
 * @example const old = legacyRoomStreamName(roomId); // 'RK_ROOM_<id>'
 */
import { isRoomId } from '../core/transport/index.ts';

/** Every legacy room stream's name starts with this (shard streams start with `RK_ROOMS_`). */
export const LEGACY_ROOM_STREAM_PREFIX = 'RK_ROOM_';

/**
 * The legacy per-room stream of a room.
 * @example legacyRoomStreamName('ab12') // 'RK_ROOM_ab12'
 */
export function legacyRoomStreamName(roomId: string): string {
  return `${LEGACY_ROOM_STREAM_PREFIX}${requireRoomId(roomId)}`;
}

/**
 * The room id of a legacy room stream's name, or undefined when it is not one.
 * @example legacyRoomIdOf('RK_ROOM_ab12') // 'ab12'
 */
export function legacyRoomIdOf(streamName: string): string | undefined {
  if (!streamName.startsWith(LEGACY_ROOM_STREAM_PREFIX)) return undefined;
  const roomId = streamName.slice(LEGACY_ROOM_STREAM_PREFIX.length);
  return isRoomId(roomId) ? roomId : undefined;
}

/**
 * A room's subjects in the legacy layout (no partition token).
 * @example legacyRoomSubject('ab12', 'msg') // 'rk.v1.room.ab12.msg'
 */
export function legacyRoomSubject(roomId: string, kind: 'msg' | 'commit' | '>'): string {
  return `rk.v1.room.${requireRoomId(roomId)}.${kind}`;
}

/**
 * A device's consumer on a legacy room stream (one name on every room).
 * @example legacyDeviceConsumerName(nkey) // 'd_U…'
 */
export function legacyDeviceConsumerName(deviceNkey: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(deviceNkey))
    throw new TypeError(`device nkey is not a token: ${deviceNkey}`);
  return `d_${deviceNkey}`;
}

function requireRoomId(roomId: string): string {
  if (!isRoomId(roomId)) throw new TypeError(`not a room id: ${JSON.stringify(roomId)}`);
  return roomId;
}
