/**
 * Typed errors ↔ v1.ErrorReply: the gateway turns a thrown RoomKeyError into an ErrorReply and the
 * client turns it back into the same class through core's one error table (core/bridge/error-table.ts,
 * which the bridge uses too), so both sides branch on classes, never on strings. Codes the wire
 * enum lacks (client-side only: wrong-passphrase, locked, tampered, integrity…) go out as internal.
 * @example throw errorFromReply(reply.error) // e.g. a RateLimitedError with retryAfterMs
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { reviveError } from '../bridge/error-table.ts';
import { type ErrorCodeName, RateLimitedError, type RoomKeyError } from '../errors.ts';

const C = v1.ErrorCode;

const TO_WIRE: Partial<Record<ErrorCodeName, roomkey.v1.ErrorCode>> = {
  malformed: C.ERROR_CODE_MALFORMED,
  'bad-signature': C.ERROR_CODE_BAD_SIGNATURE,
  'not-member': C.ERROR_CODE_NOT_MEMBER,
  forbidden: C.ERROR_CODE_FORBIDDEN,
  'not-found': C.ERROR_CODE_NOT_FOUND,
  conflict: C.ERROR_CODE_CONFLICT,
  'rate-limited': C.ERROR_CODE_RATE_LIMITED,
  'bad-credentials': C.ERROR_CODE_BAD_CREDENTIALS,
  'too-large': C.ERROR_CODE_TOO_LARGE,
  revoked: C.ERROR_CODE_REVOKED,
  expired: C.ERROR_CODE_EXPIRED,
  internal: C.ERROR_CODE_INTERNAL,
  replay: C.ERROR_CODE_REPLAY,
  'unknown-epoch': C.ERROR_CODE_UNKNOWN_EPOCH,
  unavailable: C.ERROR_CODE_UNAVAILABLE,
};

const FROM_WIRE = new Map<number, ErrorCodeName>(
  Object.entries(TO_WIRE).map(([name, code]) => [code as number, name as ErrorCodeName]),
);

/**
 * The ErrorReply for a typed error; anything else is reported as internal, without details.
 * @example reply = encode(v1.Reply, { error: errorToReply(error) });
 */
export function errorToReply(error: unknown): roomkey.v1.ErrorReply.$Properties {
  const typed = error as Partial<RoomKeyError> | undefined;
  const code = typed?.code !== undefined ? TO_WIRE[typed.code] : undefined;
  if (code === undefined || code === C.ERROR_CODE_INTERNAL) {
    return {
      code: C.ERROR_CODE_INTERNAL,
      message: 'The gateway failed to handle this request; try again later.',
    };
  }
  const reply: roomkey.v1.ErrorReply.$Properties = { code, message: String(typed?.message ?? '') };
  if (error instanceof RateLimitedError) reply.retryAfterMs = error.retryAtMs;
  return reply;
}

/**
 * The typed error an ErrorReply stands for (an unknown code is an InternalError).
 * @example throw errorFromReply(reply.error ?? {});
 */
export function errorFromReply(reply: roomkey.v1.ErrorReply.$Properties, now = Date.now()): RoomKeyError {
  const message =
    typeof reply.message === 'string' && reply.message ? reply.message : 'The gateway refused the request.';
  const code = FROM_WIRE.get(Number(reply.code)) ?? 'internal';
  // The wire's retry_after_ms carries the time to retry at (ms since the Unix epoch).
  return reviveError(code, message, { retryAtMs: Number(reply.retryAfterMs ?? 0) }, now);
}
