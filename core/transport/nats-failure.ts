/**
 * A nats.js failure as a typed error that blames the right party: a request on the gateway's
 * subjects (GATEWAY_API_PREFIX) is the gateway's, anything else (a publish to a room, a pull, a
 * stream read) is JetStream's on the NATS server, and a closed or lost connection is the NATS
 * connection's. People read these messages, so each says who did not answer and what to do.
 * @example throw natsFailure(error, roomSubject(roomId, 'msg')); // UnavailableError, service 'jetstream'
 */
import { ForbiddenError, RoomKeyError, UnavailableError, type UnavailableService } from '../errors.ts';
import { GATEWAY_API_PREFIX } from './subjects.ts';

/** How deep the `cause` chain is searched for the nats.js error that says what happened. */
const CAUSE_DEPTH = 5;

/**
 * Who answers on `subject`: the gateway for its API, JetStream for everything else a client asks.
 * @example partyOf('rk.v1.gw.device.room.list') === 'gateway'
 */
export function partyOf(subject: string): UnavailableService {
  return subject === GATEWAY_API_PREFIX || subject.startsWith(`${GATEWAY_API_PREFIX}.`)
    ? 'gateway'
    : 'jetstream';
}

/**
 * The typed error for a nats.js failure on `subject` (a subject, a stream or a room id; walking
 * the `cause` chain). `party` overrides who is blamed.
 * @example catch (error) { throw natsFailure(error, subject); }
 */
export function natsFailure(error: unknown, subject: string, party = partyOf(subject)): RoomKeyError {
  if (error instanceof RoomKeyError) return error;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < CAUSE_DEPTH; e = e.cause, depth++) {
    if (e.name === 'PermissionViolationError' || /permissions violation/i.test(e.message)) {
      return new ForbiddenError(
        `NATS refused ${subject}: this credential has no permission for it (${e.message}).`,
      );
    }
    if (isNoResponders(e)) return notRunning(party, subject, error);
    if (e.name === 'TimeoutError') return tooLate(party, subject, error);
    if (e.name === 'ClosedConnectionError' || e.name === 'DrainingConnectionError') {
      return new UnavailableError(
        'The connection to the NATS server is closed: sign in again (or reload) to reconnect.',
        { cause: error, service: 'nats' },
      );
    }
  }
  const what = party === 'gateway' ? 'The RoomKey gateway' : 'JetStream on the NATS server';
  return new UnavailableError(
    `${what} could not handle ${subject}: ${(error as Error)?.message ?? error}. Try again in a moment.`,
    { cause: error, service: party },
  );
}

/**
 * A request that got no answer while the connection itself was down: the NATS server (or the way
 * to it) is to blame, not whoever would have answered.
 * @example if (wasDown(nc, startedAt)) throw notConnected(subject, error);
 */
export function notConnected(subject: string, cause?: unknown): UnavailableError {
  return new UnavailableError(
    `Not connected to the NATS server, so ${subject} got no answer: RoomKey reconnects by itself. Check the internet connection; if it is fine, the RoomKey server may be restarting.`,
    { cause, service: 'nats' },
  );
}

/**
 * Whether `error` (or its `cause` chain) is NATS's "no responders" (503): nothing subscribes.
 * nats.js v3 names it `NoResponders` inside a RequestError (which has isNoResponders()).
 * @example if (isNoResponders(error)) throw notRunning('gateway', subject, error);
 */
export function isNoResponders(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < CAUSE_DEPTH; e = e.cause, depth++) {
    if (/^NoResponders/.test(e.name)) return true;
    const check = (e as { isNoResponders?: unknown }).isNoResponders;
    if (typeof check === 'function' && check.call(e) === true) return true;
  }
  return false;
}

/** Nothing was there to answer (NATS no responders): say who is not running and what to do. */
export function notRunning(party: UnavailableService, subject: string, cause?: unknown): UnavailableError {
  const message =
    party === 'gateway'
      ? `The RoomKey gateway is not running or not reachable (nothing answers on ${subject}). Start it (roomkey-gateway start, or npm start for the local stack) or ask whoever runs it; RoomKey tries again by itself meanwhile.`
      : `JetStream on the NATS server has nothing to answer on ${subject} (JetStream is not enabled, or the room's stream is gone). Check the NATS server's JetStream; RoomKey tries again by itself meanwhile.`;
  return new UnavailableError(message, { cause, service: party, notRunning: true });
}

function tooLate(party: UnavailableService, subject: string, cause: unknown): UnavailableError {
  const message =
    party === 'gateway'
      ? `The RoomKey gateway did not answer ${subject} in time: it may be restarting or overloaded. Try again in a moment.`
      : `The NATS server (JetStream) did not answer ${subject} in time: it may be restarting or unreachable. Try again in a moment.`;
  return new UnavailableError(message, { cause, service: party });
}
