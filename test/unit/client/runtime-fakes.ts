// Fakes for the client runtime's unit tests: a RoomKeySession stand-in that the test drives
// (emits session events, records presence calls), and stored messages as the session hands them.
import type {
  ConnectionState,
  PresenceState,
  ReceivedMessage,
  RoomSummary,
  SentMessage,
  SessionEvents,
} from '../../../core/client/types.ts';
import { TypedEmitter } from '../../../core/events.ts';

let seq = 0;

/** Another user's message, as the session hands it on. */
export function received(
  roomId: string,
  text: string,
  extra: Partial<ReceivedMessage> = {},
): ReceivedMessage {
  seq++;
  return {
    status: 'received',
    own: false,
    roomId,
    messageId: seq.toString(16).padStart(32, '0'),
    senderUserId: 'u-bob',
    senderUsername: 'bob',
    sentAtMs: 1000 + seq,
    seq,
    storedAtMs: 1000 + seq,
    text,
    epoch: 0,
    ...extra,
  };
}

/** This user's own message. */
export function sent(roomId: string, text: string): SentMessage {
  seq++;
  return {
    status: 'sent',
    own: true,
    roomId,
    messageId: seq.toString(16).padStart(32, '0'),
    senderUserId: 'u-alice',
    senderUsername: 'alice',
    sentAtMs: 1000 + seq,
    seq,
    storedAtMs: 1000 + seq,
    text,
    epoch: 0,
  };
}

/** A running session the test drives. */
export class FakeSdk {
  readonly userId = 'u-alice';
  readonly username = 'alice';
  connection: ConnectionState = 'online';
  readonly calls: string[] = [];
  rooms: RoomSummary[] = [];
  readonly #events = new TypedEmitter<SessionEvents>();

  on<K extends keyof SessionEvents>(type: K, listener: (detail: SessionEvents[K]) => void): () => void {
    return this.#events.on(type, listener);
  }
  emit<K extends keyof SessionEvents>(type: K, detail: SessionEvents[K]): void {
    this.#events.emit(type, detail);
  }
  setPresence(state: PresenceState): void {
    this.calls.push(`presence:${state}`);
  }
  focusRoom(roomId: string | null): void {
    this.calls.push(`focus:${roomId}`);
  }
  async listRooms(): Promise<RoomSummary[]> {
    this.calls.push('listRooms');
    return this.rooms;
  }
}

/** A room summary with a name. */
export function room(roomId: string, name: string): RoomSummary {
  return { roomId, name, epoch: 0, members: [], status: 'member', unread: 0 };
}

/** Resolves after pending microtasks and 0 ms timers. */
export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
