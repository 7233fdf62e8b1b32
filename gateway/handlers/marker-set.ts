/**
 * marker.set: the calling device says its user has read a room up to a stream sequence. Only a
 * member may mark a room, and never beyond what the room's shard stream holds (a marker in the
 * future would silence the room). The marker only moves forward; the reply is the stored marker.
 * When it advanced, the user's other devices get a DeviceNotice.read and the push dispatcher
 * drops pushes for what is now read (a device it woke for that room gets a SYNC_READ sentinel).
 */
import { decode, encode } from '../../core/codec.ts';
import { MalformedError, NotMemberError } from '../../core/errors.ts';
import { checkRoomId } from '../../core/room/index.ts';
import { MARKER_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { publishNotice, userDeviceNkeys } from '../notifier.ts';
import { readRoomRecord } from '../policy-store.ts';
import { advanceMarker } from '../read-markers.ts';
import { memberOf } from '../room-records.ts';
import type { Endpoint } from '../service.ts';

/**
 * The marker.set endpoint; `advanced` tells the push dispatcher.
 * @example markerSet(ctx, (userId, roomId, seq, nkey) => pushes.markerAdvanced(userId, roomId, seq, nkey))
 */
export function markerSet(
  ctx: GatewayContext,
  advanced: (userId: string, roomId: string, seq: number, fromNkey: string) => void,
): Endpoint {
  return {
    subject: MARKER_SUBJECTS.set,
    maxBytes: 256,
    handle: async (data, call) => {
      const req = decode(v1.ReadMarker, data, 'read marker');
      const roomId = checkRoomId(req.roomId);
      const seq = Number(req.streamSequence);
      if (!Number.isSafeInteger(seq) || seq < 1)
        throw new MalformedError('stream_sequence: expected a positive integer');
      const messageId = req.messageId ?? new Uint8Array(0);
      if (messageId.length > 32) throw new MalformedError('message_id: expected at most 32 bytes');
      const caller = await requireDevice(ctx, call.caller.user);
      if (!memberOf(await readRoomRecord(ctx.buckets, roomId), caller.userId))
        throw new NotMemberError('You are not a member of this room.');
      if (seq > (await ctx.streams.lastSeq(roomId)))
        throw new MalformedError('stream_sequence: the room has no message that far yet');
      const result = await advanceMarker(
        ctx.buckets.markers,
        caller.userId,
        { roomId, streamSequence: seq, messageId },
        ctx.now(),
      );
      if (result.advanced) {
        const others = (await userDeviceNkeys(ctx.buckets, caller.userId)).filter(
          (n) => n !== call.caller.user,
        );
        publishNotice(ctx.app, others, { read: result.marker });
        advanced(caller.userId, roomId, seq, call.caller.user);
      }
      return encode(v1.ReadMarker, result.marker);
    },
  };
}
