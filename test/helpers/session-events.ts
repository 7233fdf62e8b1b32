// Waiting (bounded) for RoomKeySession events in tests.
import type { RoomKeySession } from '../../core/client/session.ts';
import type {
  ReceivedMessage,
  RoomNotification,
  SentMessage,
  SessionEvents,
} from '../../core/client/types.ts';

/** The first event of `type` whose detail matches `pred`; rejects after `ms`. */
export function nextEvent<K extends keyof SessionEvents>(
  session: RoomKeySession,
  type: K,
  pred: (detail: SessionEvents[K]) => boolean,
  ms = 5000,
): Promise<SessionEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching ${type} event within ${ms} ms`));
    }, ms);
    const off = session.on(type, (detail) => {
      if (!pred(detail)) return;
      clearTimeout(timer);
      off();
      resolve(detail);
    });
  });
}

/** The first readable message (sent or received: held ones have no text) that matches `pred`. */
export function nextMessage(
  session: RoomKeySession,
  pred: (m: SentMessage | ReceivedMessage) => boolean,
  ms = 5000,
): Promise<SentMessage | ReceivedMessage> {
  return nextEvent(
    session,
    'message',
    (m) => (m.status === 'sent' || m.status === 'received') && pred(m),
    ms,
  ) as Promise<SentMessage | ReceivedMessage>;
}

export function nextNotification(
  session: RoomKeySession,
  pred: (n: RoomNotification) => boolean,
  ms = 5000,
): Promise<RoomNotification> {
  return nextEvent(session, 'notification', pred, ms);
}
