// Waiting (bounded) for RoomKeySession events in tests.
import type { RoomKeySession } from '../../core/client/session.ts';
import type { ChatMessage, RoomNotification, SessionEvents } from '../../core/client/types.ts';

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

export function nextMessage(
  session: RoomKeySession,
  pred: (m: ChatMessage) => boolean,
  ms = 5000,
): Promise<ChatMessage> {
  return nextEvent(session, 'message', pred, ms);
}

export function nextNotification(
  session: RoomKeySession,
  pred: (n: RoomNotification) => boolean,
  ms = 5000,
): Promise<RoomNotification> {
  return nextEvent(session, 'notification', pred, ms);
}
