/**
 * What a device may do in rooms, as NATS subjects. `roomPermissions(userId)` is the hook the room
 * directory fills: today no source lists any room, so device JWTs carry no room subjects.
 *
 * Per room (see gateway/README.md), a member gets the live subjects and exactly the JetStream API
 * subjects that read the room's own stream RK_ROOM_<id> — never STREAM.CREATE/UPDATE/DELETE/PURGE
 * or MSG.DELETE, never another room's stream, so NATS itself stops everyone else.
 * @example const perms = await roomPermissions(userId, directory.roomGrants);
 */
import { isRoomId, roomStreamName, roomSubject } from '../core/transport/subjects.ts';

export interface SubjectPermissions {
  pub: string[];
  sub: string[];
}

export interface RoomGrant {
  roomId: string;
  /** May publish envelopes (`.msg`). */
  send: boolean;
  /** May publish epoch commits (`.commit`; the gateway and members still check them). */
  commit: boolean;
  /**
   * 'stream': may create its own consumers on the room stream and read any message of it.
   * 'none': live messages only; pre-join history is then served through a consumer the gateway
   * creates for the device (starting at its join sequence), so NATS never lets it read further back.
   */
  history: 'stream' | 'none';
}

/** Lists the rooms a user is in now; the directory work provides the real one. */
export type RoomGrantSource = (userId: string) => Promise<RoomGrant[]>;

export const noRooms: RoomGrantSource = async () => [];

/** The room subjects a user's device JWT carries. */
export async function roomPermissions(
  userId: string,
  source: RoomGrantSource = noRooms,
): Promise<SubjectPermissions> {
  const grants = await source(userId);
  const out: SubjectPermissions = { pub: [], sub: [] };
  for (const grant of grants) {
    const one = roomGrantPermissions(grant);
    out.pub.push(...one.pub);
    out.sub.push(...one.sub);
  }
  return out;
}

export function roomGrantPermissions(grant: RoomGrant): SubjectPermissions {
  if (!isRoomId(grant.roomId)) throw new TypeError(`not a room id: ${JSON.stringify(grant.roomId)}`);
  const stream = roomStreamName(grant.roomId);
  const pub: string[] = [];
  if (grant.send) pub.push(roomSubject(grant.roomId, 'msg'));
  if (grant.commit) pub.push(roomSubject(grant.roomId, 'commit'));
  if (grant.history === 'stream') {
    pub.push(
      `$JS.API.STREAM.INFO.${stream}`,
      `$JS.API.STREAM.MSG.GET.${stream}`,
      `$JS.API.CONSUMER.CREATE.${stream}`,
      `$JS.API.CONSUMER.CREATE.${stream}.>`,
      `$JS.API.CONSUMER.INFO.${stream}.*`,
      `$JS.API.CONSUMER.DELETE.${stream}.*`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
      `$JS.ACK.${stream}.>`,
      `$JS.FC.${stream}.>`,
    );
  }
  return { pub, sub: [roomSubject(grant.roomId, '>')] };
}
