/**
 * The one table from error code to error class, for every boundary an error crosses as data: the
 * gateway's ErrorReply (core/transport/error-codes.ts) and the bridge (wire-error.ts). The table
 * has an entry for every code of core/errors.ts (the compiler checks), so no class turns into a
 * plain RoomKeyError on the way; the few classes that carry more than a message name their fields
 * here, and those fields travel with them.
 * @example const error = reviveError('not-member', 'You are not a member of this room.'); // a NotMemberError
 */
import {
  BadCredentialsError,
  BadSignatureError,
  ConflictError,
  DecryptError,
  type ErrorCodeName,
  ExpiredError,
  ForbiddenError,
  InternalError,
  LockedError,
  MalformedError,
  NotFoundError,
  NotMemberError,
  RateLimitedError,
  ReplayError,
  RevokedError,
  type RoomKeyError,
  StoreIntegrityError,
  type StoreIntegrityReason,
  TamperedError,
  TooLargeError,
  UnavailableError,
  type UnavailableService,
  UnknownEpochError,
  UnsupportedError,
  WrongPassphraseError,
} from '../errors.ts';
import { ExtensionOnlyError, NotApprovedError } from './errors.ts';

/** What some classes carry besides code and message; each field travels with its class only. */
export interface ErrorFields {
  /** RateLimitedError: the earliest time to retry, ms since the Unix epoch. */
  retryAtMs?: number;
  /** UnknownEpochError: the room and the epoch without a key. */
  roomId?: string;
  epoch?: number;
  /** StoreIntegrityError: what was found, and the missing records when known. */
  reason?: StoreIntegrityReason;
  records?: string[];
  /** ForbiddenError that is a NotApprovedError. */
  notApproved?: true;
  /** ForbiddenError that is an ExtensionOnlyError. */
  extensionOnly?: true;
  /** UnavailableError: who did not answer, and whether nothing was there to answer. */
  service?: UnavailableService;
  notRunning?: true;
}

type Revive = (message: string, fields: ErrorFields, nowMs: number) => RoomKeyError;

// One entry per code: a code added to core/errors.ts without a class here does not compile.
const CLASSES: { readonly [C in ErrorCodeName]: Revive } = {
  malformed: (m) => new MalformedError(m),
  'bad-signature': (m) => new BadSignatureError(m),
  'not-member': (m) => new NotMemberError(m),
  'unknown-epoch': (m, f) => new UnknownEpochError(f.roomId ?? '', f.epoch ?? 0, m),
  replay: (m) => new ReplayError(m),
  'decrypt-failed': (m) => new DecryptError(m),
  forbidden: (m, f) =>
    f.notApproved
      ? new NotApprovedError(m)
      : f.extensionOnly
        ? new ExtensionOnlyError(m)
        : new ForbiddenError(m),
  'not-found': (m) => new NotFoundError(m),
  conflict: (m) => new ConflictError(m),
  'rate-limited': (m, f, now) => new RateLimitedError(f.retryAtMs ?? now, m, now),
  'bad-credentials': (m) => new BadCredentialsError(m),
  'wrong-passphrase': () => new WrongPassphraseError(),
  locked: (m) => new LockedError(m),
  tampered: (m) => new TamperedError(m),
  'too-large': (m) => new TooLargeError(m),
  revoked: (m) => new RevokedError(m),
  expired: (m) => new ExpiredError(m),
  unsupported: (m) => new UnsupportedError(m),
  unavailable: (m, f) => new UnavailableError(m, { service: f.service, notRunning: f.notRunning }),
  internal: (m) => new InternalError(m),
  integrity: (m, f) => new StoreIntegrityError(f.reason ?? 'damaged-manifest', f.records ?? [], m),
};

const INTEGRITY_REASONS: { readonly [R in StoreIntegrityReason]: true } = {
  'missing-record': true,
  'missing-manifest': true,
  'damaged-manifest': true,
  'older-manifest': true,
  'unreadable-record': true,
  downgraded: true,
};

const SERVICES: { readonly [S in UnavailableService]: true } = { gateway: true, jetstream: true, nats: true };

const MAX_RECORDS = 64;
const MAX_FIELD_CHARS = 256;

/**
 * Whether `code` is one of core's error codes.
 * @example if (isErrorCode(wire.code)) use(wire.code);
 */
export function isErrorCode(code: unknown): code is ErrorCodeName {
  return typeof code === 'string' && Object.hasOwn(CLASSES, code);
}

/**
 * The error `code` stands for, as its own class, with `message` and the fields its class carries.
 * `fields` may come from the other side of a boundary: anything not of the expected type and size
 * is left out. An unknown code is an InternalError.
 * @example throw reviveError(reply.code, reply.message, { retryAtMs: reply.retryAtMs });
 */
export function reviveError(
  code: unknown,
  message: string,
  fields: unknown = {},
  nowMs = Date.now(),
): RoomKeyError {
  const revive = isErrorCode(code) ? CLASSES[code] : CLASSES.internal;
  return revive(message, readFields(fields), nowMs);
}

/**
 * The fields of `error` its class needs on the other side of a boundary (none for most classes).
 * @example const wire = { code: error.code, message: error.message, ...errorFields(error) };
 */
export function errorFields(error: RoomKeyError): ErrorFields {
  if (error instanceof RateLimitedError) return { retryAtMs: error.retryAtMs };
  if (error instanceof UnknownEpochError) return { roomId: error.roomId, epoch: error.epoch };
  if (error instanceof StoreIntegrityError) return { reason: error.reason, records: [...error.records] };
  if (error instanceof NotApprovedError) return { notApproved: true };
  if (error instanceof ExtensionOnlyError) return { extensionOnly: true };
  if (error instanceof UnavailableError) {
    const fields: ErrorFields = {};
    if (error.service) fields.service = error.service;
    if (error.notRunning) fields.notRunning = true;
    return fields;
  }
  return {};
}

function readFields(raw: unknown): ErrorFields {
  if (typeof raw !== 'object' || raw === null) return {};
  const f = raw as Record<string, unknown>;
  const out: ErrorFields = {};
  if (typeof f['retryAtMs'] === 'number' && Number.isFinite(f['retryAtMs'])) out.retryAtMs = f['retryAtMs'];
  if (typeof f['roomId'] === 'string' && f['roomId'].length <= MAX_FIELD_CHARS) out.roomId = f['roomId'];
  if (Number.isSafeInteger(f['epoch']) && (f['epoch'] as number) >= 0) out.epoch = f['epoch'] as number;
  if (typeof f['reason'] === 'string' && Object.hasOwn(INTEGRITY_REASONS, f['reason'])) {
    out.reason = f['reason'] as StoreIntegrityReason;
  }
  const records = f['records'];
  if (
    Array.isArray(records) &&
    records.length <= MAX_RECORDS &&
    records.every((r) => typeof r === 'string' && r.length <= MAX_FIELD_CHARS)
  ) {
    out.records = [...(records as string[])];
  }
  if (f['notApproved'] === true) out.notApproved = true;
  if (f['extensionOnly'] === true) out.extensionOnly = true;
  if (typeof f['service'] === 'string' && Object.hasOwn(SERVICES, f['service'])) {
    out.service = f['service'] as UnavailableService;
  }
  if (f['notRunning'] === true) out.notRunning = true;
  return out;
}
