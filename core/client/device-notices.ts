/**
 * The gateway's notices to this device, on its notify subject: a membership change (the next
 * JWT covers, or no longer covers, a room), an App Notification for a new message, turned here
 * into the RoomNotification hosts show, with a preview decrypted on this device (never by the
 * server) when the message arrives live within a moment, or a read marker another of the user's
 * devices advanced (read-markers.ts).
 * @example const stop = followDeviceNotices(nc, deviceNkey, { onMembership, onMessage });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { toHex } from '../bytes.ts';
import { decode } from '../codec.ts';
import { notifySubject } from '../transport/subjects.ts';
import type { GatewayDirectory } from './gateway-directory.ts';
import { readMarkerOf } from './read-markers-api.ts';
import type { RoomHandle } from './room-handle.ts';
import type { RoomNotification } from './types.ts';

/** How long a notification waits for its message to arrive live (for the preview). */
const PREVIEW_WAIT_MS = 1500;

export interface NoticeHandlers {
  onMembership: () => Promise<void>;
  onMessage: (notice: roomkey.v1.AppNotification.$Properties) => Promise<void>;
  /** The user read a room on another device (a marker the gateway keeps); checked here. */
  onRead?: (marker: { roomId: string; seq: number }) => void;
  onError: (error: Error) => void;
}

/**
 * Subscribes to this device's notices; undecodable ones are skipped. Ends with the connection.
 * @example followDeviceNotices(link.nc, deviceNkey, handlers);
 */
export function followDeviceNotices(nc: NatsConnection, deviceNkey: string, handlers: NoticeHandlers): void {
  const sub = nc.subscribe(notifySubject(deviceNkey));
  void (async () => {
    for await (const msg of sub) {
      let notice: roomkey.v1.DeviceNotice;
      try {
        notice = decode(v1.DeviceNotice, msg.data, 'device notice');
      } catch {
        continue;
      }
      if (notice.kind === 'read') {
        const read = readMarkerOf(notice.read);
        if (read) handlers.onRead?.(read);
        continue;
      }
      const handled =
        notice.kind === 'membership' && notice.membership
          ? handlers.onMembership()
          : notice.kind === 'message' && notice.message
            ? handlers.onMessage(notice.message)
            : Promise.resolve();
      void handled.catch((e: Error) => handlers.onError(e));
    }
  })();
}

/**
 * The RoomNotification for a message notice, or undefined for a room this device does not follow.
 * @example const n = await notificationFor(notice, rooms.get(notice.roomId), directory, true);
 */
export async function notificationFor(
  notice: roomkey.v1.AppNotification.$Properties,
  handle: RoomHandle | undefined,
  directory: GatewayDirectory,
  previews: boolean,
): Promise<RoomNotification | undefined> {
  if (!notice.roomId || !(notice.messageId instanceof Uint8Array) || !handle?.room) return undefined;
  const messageId = toHex(notice.messageId);
  const message = await handle.recent(messageId, PREVIEW_WAIT_MS);
  let sender = message?.senderUsername ?? '';
  if (!sender && notice.senderUserId)
    sender = await directory.identity(notice.senderUserId).then(
      (i) => i.username,
      () => '',
    );
  return {
    roomId: notice.roomId,
    roomName: handle.room.info.name,
    messageId,
    senderUsername: sender,
    ...(message && previews ? { preview: message.text } : {}),
  };
}
