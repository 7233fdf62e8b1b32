/**
 * What a device may do in rooms, as NATS subjects. `roomPermissions(userId, source, nkey)` turns
 * the room grants of a user (room-grants.ts reads them from KV) into subjects for one device's JWT.
 *
 * Per room (see gateway/README.md): the live subjects, publishing envelopes, and pulling from the
 * one consumer the gateway placed for this device on RK_ROOM_<id> (it starts no earlier than policy
 * allows). Never `.commit` (commits go through the gateway), never CONSUMER.CREATE (a member could
 * otherwise make a push consumer that keeps delivering after removal), never STREAM.CREATE/UPDATE/
 * DELETE/PURGE or MSG.DELETE, never another room's stream — so NATS itself stops everyone else.
 * @example const perms = await roomPermissions(userId, directory.roomGrants, deviceNkey);
 */
import { deviceConsumerName, isRoomId, roomStreamName, roomSubject } from '../core/transport/index.ts';

export interface SubjectPermissions {
  pub: string[];
  sub: string[];
}

export interface RoomGrant {
  roomId: string;
  /** May publish envelopes (`.msg`). */
  send: boolean;
  /**
   * 'stream': may also read the stream's info and get any stored message by sequence (pre-join
   * history allowed). 'none': only what the gateway-placed consumer serves (from the join sequence).
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
): Promise<SubjectPermissions> {
  const grants = await source(userId);
  const out: SubjectPermissions = { pub: [], sub: [] };
  for (const grant of grants) {
    const one = roomGrantPermissions(grant, deviceNkey);
    out.pub.push(...one.pub);
    out.sub.push(...one.sub);
  }
  return out;
}

export function roomGrantPermissions(grant: RoomGrant, deviceNkey: string): SubjectPermissions {
  if (!isRoomId(grant.roomId)) throw new TypeError(`not a room id: ${JSON.stringify(grant.roomId)}`);
  const stream = roomStreamName(grant.roomId);
  const consumer = deviceConsumerName(deviceNkey);
  const pub: string[] = [];
  if (grant.send) pub.push(roomSubject(grant.roomId, 'msg'));
  pub.push(`$JS.API.CONSUMER.INFO.${stream}.${consumer}`, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`);
  if (grant.history === 'stream') {
    pub.push(`$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.MSG.GET.${stream}`);
  }
  return { pub, sub: [roomSubject(grant.roomId, '>')] };
}
