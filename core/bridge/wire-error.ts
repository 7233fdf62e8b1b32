/**
 * Errors across the bridge: a thrown value becomes a WireError (code, message, the fields its class
 * carries) and comes back as the same class on the other side, through error-table.ts.
 * @example port.postMessage({ kind: 'error', id, error: toWireError(caught) }); … throw fromWireError(reply.error);
 */
import { InternalError, RoomKeyError } from '../errors.ts';
import { errorFields, reviveError } from './error-table.ts';
import type { WireError } from './schema.ts';

const MAX_MESSAGE_CHARS = 2000;

/**
 * Any thrown value as a RoomKeyError (unknown failures become InternalError, keeping no detail
 * that could carry data).
 * @example const error = asRoomKeyError(caught);
 */
export function asRoomKeyError(error: unknown): RoomKeyError {
  if (error instanceof RoomKeyError) return error;
  return new InternalError('RoomKey extension: the request failed unexpectedly.', { cause: error });
}

/**
 * A thrown value as a WireError.
 * @example port.postMessage({ kind: 'error', id, error: toWireError(e) });
 */
export function toWireError(error: unknown): WireError {
  const e = asRoomKeyError(error);
  return { code: e.code, message: e.message, ...errorFields(e) };
}

/**
 * A WireError as the class it stands for (error-table.ts). Anything odd becomes an InternalError:
 * a page never sees a non-RoomKey error from the bridge.
 * @example throw fromWireError(reply.error);
 */
export function fromWireError(wire: unknown): RoomKeyError {
  if (typeof wire !== 'object' || wire === null) return unreadable();
  const { code, message } = wire as Record<string, unknown>;
  if (typeof code !== 'string' || typeof message !== 'string') return unreadable();
  return reviveError(code, message.slice(0, MAX_MESSAGE_CHARS), wire);
}

function unreadable(): RoomKeyError {
  return new InternalError('RoomKey extension: an unreadable error came back.');
}
