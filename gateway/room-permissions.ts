/**
 * What a device may do in rooms, as NATS subjects. `roomPermissions(userId, source, nkey, layout)`
 * turns the room grants of a user (room-grants.ts reads them from KV) into subjects for one
 * device's JWT.
 *
 * Per room (see gateway/README.md): the live subjects, publishing envelopes, and pulling from the
 * one consumer the gateway placed for this device and this room on the room's shard stream (it
 * starts no earlier than policy allows). Never `.commit` (commits go through the gateway), never
 * CONSUMER.CREATE (a member could otherwise make a push consumer that keeps delivering after
 * removal, or one on another room's subject), and never any stream-level read: STREAM.INFO,
 * STREAM.MSG.GET and DIRECT.GET on a shard stream would reach every room in it. Pre-join history
 * is the gateway's cursor floor (1), not a permission. So NATS itself stops everyone else.
 * @example const perms = await roomPermissions(userId, directory.roomGrants, deviceNkey, layout);
 */
import { deviceConsumerName, isRoomId, roomSubject, type StreamLayout } from '../core/transport/index.ts';

export interface SubjectPermissions {
  pub: string[];
  sub: string[];
}

export interface RoomGrant {
  roomId: string;
  /** May publish envelopes (`.msg`). */
  send: boolean;
  /**
   * 'stream': pre-join history allowed, 'none': from the join sequence on. Informational here: the
   * gateway's cursor enforces it (the consumer it places starts at the floor); both get the same
   * subjects, since a stream-level read on a shared shard stream would reach other rooms.
   */
  history: 'stream' | 'none';
}

/** Lists the rooms a user is in now (room-grants.ts reads KV; tests may pass their own). */
export type RoomGrantSource = (userId: string) => Promise<RoomGrant[]>;

/** The room subjects a device's JWT carries. */
export async function roomPermissions(
  userId: string,
  source: RoomGrantSource,
  deviceNkey: string,
  layout: StreamLayout,
): Promise<SubjectPermissions> {
  const grants = await source(userId);
  const out: SubjectPermissions = { pub: [], sub: [] };
  for (const grant of grants) {
    const one = roomGrantPermissions(grant, deviceNkey, layout);
    out.pub.push(...one.pub);
    out.sub.push(...one.sub);
  }
  return out;
}

/**
 * The subjects of one room grant for one device.
 * @example roomGrantPermissions({ roomId, send: true, history: 'none' }, nkey, layout).pub
 */
export function roomGrantPermissions(
  grant: RoomGrant,
  deviceNkey: string,
  layout: StreamLayout,
): SubjectPermissions {
  if (!isRoomId(grant.roomId)) throw new TypeError(`not a room id: ${JSON.stringify(grant.roomId)}`);
  const stream = layout.streamOf(grant.roomId);
  const consumer = deviceConsumerName(deviceNkey, grant.roomId);
  const pub: string[] = [];
  if (grant.send) pub.push(roomSubject(grant.roomId, 'msg'));
  pub.push(`$JS.API.CONSUMER.INFO.${stream}.${consumer}`, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`);
  return { pub, sub: [roomSubject(grant.roomId, '>')] };
}
