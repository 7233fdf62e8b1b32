/**
 * Typed errors ↔ v1.ErrorReply: the gateway turns a thrown RoomKeyError into an ErrorReply and the
 * client turns it back into the same class, so both sides branch on classes, never on strings.
 * @example throw errorFromReply(reply.error) // e.g. a RateLimitedError with retryAfterMs
 */
import { type roomkey, v1 } from '../../proto/index.ts';
import {
  BadCredentialsError,
  BadSignatureError,
  ConflictError,
  type ErrorCodeName,
  ExpiredError,
  ForbiddenError,
  InternalError,
  MalformedError,
  NotFoundError,
  NotMemberError,
  RateLimitedError,
  ReplayError,
  RevokedError,
  type RoomKeyError,
  TooLargeError,
  UnavailableError,
  UnknownEpochError,
} from '../errors.ts';

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

/** The ErrorReply for a typed error; anything else is reported as internal, without details. */
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

/** The typed error an ErrorReply stands for. */
export function errorFromReply(reply: roomkey.v1.ErrorReply.$Properties, now = Date.now()): RoomKeyError {
  const message =
    typeof reply.message === 'string' && reply.message ? reply.message : 'The gateway refused the request.';
  switch (reply.code) {
    case C.ERROR_CODE_MALFORMED:
      return new MalformedError(message);
    case C.ERROR_CODE_BAD_SIGNATURE:
      return new BadSignatureError(message);
    case C.ERROR_CODE_NOT_MEMBER:
      return new NotMemberError(message);
    case C.ERROR_CODE_FORBIDDEN:
      return new ForbiddenError(message);
    case C.ERROR_CODE_NOT_FOUND:
      return new NotFoundError(message);
    case C.ERROR_CODE_CONFLICT:
      return new ConflictError(message);
    case C.ERROR_CODE_RATE_LIMITED:
      return new RateLimitedError(Number(reply.retryAfterMs ?? 0), message, now);
    case C.ERROR_CODE_BAD_CREDENTIALS:
      return new BadCredentialsError(message);
    case C.ERROR_CODE_TOO_LARGE:
      return new TooLargeError(message);
    case C.ERROR_CODE_REVOKED:
      return new RevokedError(message);
    case C.ERROR_CODE_EXPIRED:
      return new ExpiredError(message);
    case C.ERROR_CODE_REPLAY:
      return new ReplayError(message);
    case C.ERROR_CODE_UNKNOWN_EPOCH:
      return new UnknownEpochError('', 0, message);
    case C.ERROR_CODE_UNAVAILABLE:
      return new UnavailableError(message);
    default:
      return new InternalError(message);
  }
}
