/**
 * Typed errors. Every failure a caller can act on is one of these, with a stable `code` and a
 * message that says what happened and what to do. Nothing here ever carries plaintext or keys.
 * @example try { openEnvelope(...) } catch (e) { if (e instanceof BadSignatureError) drop(e.message) }
 */
/** Every error code, in one list (the type below and anything that must check a code at run time). */
export const ERROR_CODE_NAMES = [
  'malformed',
  'bad-signature',
  'not-member',
  'unknown-epoch',
  'replay',
  'decrypt-failed',
  'forbidden',
  'not-found',
  'conflict',
  'rate-limited',
  'bad-credentials',
  'wrong-passphrase',
  'locked',
  'tampered',
  'too-large',
  'revoked',
  'expired',
  'unsupported',
  'unavailable',
  'internal',
  'integrity',
] as const;

export type ErrorCodeName = (typeof ERROR_CODE_NAMES)[number];

export class RoomKeyError extends Error {
  readonly code: ErrorCodeName;
  constructor(code: ErrorCodeName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input bytes or fields are not a valid encoding of what was expected. */
export class MalformedError extends RoomKeyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('malformed', message, options);
  }
}

/** A signature does not verify under the key it claims. */
export class BadSignatureError extends RoomKeyError {
  constructor(message: string) {
    super('bad-signature', message);
  }
}

/** The sender (or acting user) is not a member of the room at that epoch. */
export class NotMemberError extends RoomKeyError {
  constructor(message: string) {
    super('not-member', message);
  }
}

/** A message or commit refers to an epoch this client has no key for (yet). */
export class UnknownEpochError extends RoomKeyError {
  readonly roomId: string;
  readonly epoch: number;
  constructor(roomId: string, epoch: number, message?: string) {
    super(
      'unknown-epoch',
      message ??
        `No key for epoch ${epoch} of room ${roomId} yet: the message is held until the key arrives (a member must add this device, or the epoch commit has not been received).`,
    );
    this.roomId = roomId;
    this.epoch = epoch;
  }
}

/** A message id was already accepted once. */
export class ReplayError extends RoomKeyError {
  constructor(message: string) {
    super('replay', message);
  }
}

/** Authenticated decryption failed: wrong key or modified ciphertext. */
export class DecryptError extends RoomKeyError {
  constructor(message: string) {
    super('decrypt-failed', message);
  }
}

/** Policy does not allow the action. */
export class ForbiddenError extends RoomKeyError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** A concurrent change won; reload state and retry. */
export class ConflictError extends RoomKeyError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** The passphrase does not unwrap the store key. */
export class WrongPassphraseError extends RoomKeyError {
  constructor() {
    super(
      'wrong-passphrase',
      'Wrong passphrase: the store stays locked. Check the passphrase and try again.',
    );
  }
}

/** The store is locked: unlock it with the passphrase first. */
export class LockedError extends RoomKeyError {
  constructor(message = 'The store is locked: unlock it with your passphrase first.') {
    super('locked', message);
  }
}

/** A stored record failed authentication: it was modified or moved. Other records are unaffected. */
export class TamperedError extends RoomKeyError {
  constructor(message: string) {
    super('tampered', message);
  }
}

/** Input is larger than the limit for its kind. */
export class TooLargeError extends RoomKeyError {
  constructor(message: string) {
    super('too-large', message);
  }
}

/** The platform lacks something required (e.g. WebCrypto, IndexedDB). */
export class UnsupportedError extends RoomKeyError {
  constructor(message: string) {
    super('unsupported', message);
  }
}

/** A certificate or credential is past its expiry time. */
export class ExpiredError extends RoomKeyError {
  constructor(message: string) {
    super('expired', message);
  }
}

/** Too many attempts (e.g. failed logins): wait until `retryAtMs`, then try again. */
export class RateLimitedError extends RoomKeyError {
  /** Earliest time to retry, ms since the Unix epoch (as the gateway said). */
  readonly retryAtMs: number;
  /** How long to wait from when the error was made, in ms (never negative). */
  readonly retryAfterMs: number;
  constructor(retryAtMs: number, message?: string, now = Date.now()) {
    const after = Math.max(0, retryAtMs - now);
    super(
      'rate-limited',
      message ??
        `Too many attempts: try again in ${Math.ceil(after / 1000)} s (at ${new Date(retryAtMs).toISOString()}).`,
    );
    this.retryAtMs = retryAtMs;
    this.retryAfterMs = after;
  }
}

/** Username or password is wrong (deliberately not saying which). */
export class BadCredentialsError extends RoomKeyError {
  constructor(message = 'Wrong username or password.') {
    super('bad-credentials', message);
  }
}

/** The device (or credential) was revoked; it can never be used again. */
export class RevokedError extends RoomKeyError {
  constructor(message: string) {
    super('revoked', message);
  }
}

/** The thing asked for does not exist. */
export class NotFoundError extends RoomKeyError {
  constructor(message: string) {
    super('not-found', message);
  }
}

/**
 * Who did not answer: the RoomKey gateway (sign-in, rooms, directory), JetStream on the NATS
 * server (storing and reading messages), or the NATS connection itself.
 */
export type UnavailableService = 'gateway' | 'jetstream' | 'nats';

/**
 * The service could not be reached (no responder, timeout, connection closed): retry later.
 * `service` names who did not answer when known; `notRunning` says nothing was there to answer at
 * all (NATS no responders), as opposed to an answer that came too late.
 * @example if (e instanceof UnavailableError && e.service === 'gateway' && e.notRunning) showGatewayDown();
 */
export class UnavailableError extends RoomKeyError {
  readonly service: UnavailableService | undefined;
  readonly notRunning: boolean;
  constructor(
    message: string,
    options?: { cause?: unknown; service?: UnavailableService; notRunning?: boolean },
  ) {
    super('unavailable', message, options);
    this.service = options?.service;
    this.notRunning = options?.notRunning === true;
  }
}

/** A failure on the other side that the caller cannot fix; the message says what failed. */
export class InternalError extends RoomKeyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('internal', message, options);
  }
}

/**
 * What a person reads when the local store no longer matches its own list of records.
 * @example showBanner(STORE_INTEGRITY_MESSAGE);
 */
export const STORE_INTEGRITY_MESSAGE =
  "This device's RoomKey data was changed outside RoomKey (a record was removed or an older copy was put back). Key pins may be reset: verify your contacts again, or sign out and sign in to rebuild this device's data.";

/**
 * What a StoreIntegrityError found: a listed record is gone; the list (manifest) is gone, damaged,
 * or older than one already seen; a record could not be read while the list was first made (an
 * upgrade from format 1); or the store was relabelled as a format that has no list.
 * @example if (e.reason === 'missing-record') console.warn(e.records);
 */
export type StoreIntegrityReason =
  | 'missing-record'
  | 'missing-manifest'
  | 'damaged-manifest'
  | 'older-manifest'
  | 'unreadable-record'
  | 'downgraded';

/**
 * The encrypted store no longer matches its own list of records (its manifest): a record was
 * removed, an older copy was put back, or the list itself was removed or replaced by an older one.
 * `records` names the missing records when known. The message is written for the person at the
 * screen; signing out and in again rebuilds the device's data.
 * @example if (e instanceof StoreIntegrityError) showBanner(e.message);
 */
export class StoreIntegrityError extends RoomKeyError {
  readonly reason: StoreIntegrityReason;
  readonly records: readonly string[];
  constructor(
    reason: StoreIntegrityReason,
    records: readonly string[] = [],
    message = STORE_INTEGRITY_MESSAGE,
  ) {
    super('integrity', message);
    this.reason = reason;
    this.records = records;
  }
}

/**
 * What a person reads for each code when an error's own message was not written for them (an
 * internal prefix like "add commit:", an id, a stack): each says what happened and what to do.
 */
export const ERROR_USER_TEXT: Readonly<Record<ErrorCodeName, string>> = {
  malformed: 'RoomKey got something it could not use. Reload the page and try again.',
  'bad-signature':
    "A signature did not check out, so RoomKey did not trust what it got. Verify this contact's safety number before you go on.",
  'not-member': "You're not a member of this room (any more). Ask a member to add you again.",
  'unknown-epoch':
    "This device has no key for that part of the room yet. It shows once a member's device shares it.",
  replay: 'This message arrived twice; the second copy was ignored. Nothing to do.',
  'decrypt-failed': 'A message could not be decrypted on this device. Ask the sender to send it again.',
  forbidden: "The room's rules don't let you do that. Ask the room's owner or an admin.",
  'not-found': 'That could not be found. Check the name and try again.',
  conflict: 'Someone changed this at the same time. Look at what is there now and try again.',
  'rate-limited': 'Too many attempts. Wait a minute, then try again.',
  'bad-credentials': 'Wrong username or password.',
  'wrong-passphrase': 'Wrong password: RoomKey stays locked. Check the password and try again.',
  locked: 'RoomKey is locked. Unlock it with your password first.',
  tampered: "Some of this device's RoomKey data was changed outside RoomKey. Sign out and sign in again.",
  'too-large': 'That is too large to send. Make it shorter and try again.',
  revoked: 'This device was signed out of your account. Sign in again to use it.',
  expired: 'Your sign-in has expired. Sign in again.',
  unsupported:
    "This browser can't do what RoomKey needs here. Try a current version of Chrome, Edge or Firefox.",
  unavailable:
    "RoomKey's server can't be reached right now. Check your connection; RoomKey tries again on its own.",
  internal: 'Something went wrong on the RoomKey server. Try again in a moment.',
  integrity: STORE_INTEGRITY_MESSAGE,
};

/** Field names whose "field: …" messages are written for people (the sign-up form shows them). */
const PERSON_FIELDS = /^(username|password): /;

/**
 * Whether a text is fit for a person: no id-like token (a base64 or hex run of 12 or more
 * characters with a digit or a capital inside, or a cut-off id "RWCm…"), no "Error:" or stack line,
 * no lowercase "internal prefix: " in front.
 * @example if (!isPersonText(error.message)) show(ERROR_USER_TEXT[error.code]);
 */
export function isPersonText(text: string): boolean {
  if (!text.trim()) return false;
  if (/\bError:|\n\s+at\s|\[object |\bundefined\b|\bNaN\b/.test(text)) return false;
  if (/^[a-z][\w .-]*: /.test(text) && !PERSON_FIELDS.test(text)) return false;
  for (const token of text.match(/[A-Za-z0-9+/=_-]{12,}/g) ?? []) {
    if (/\d/.test(token) || /[A-Z]/.test(token.slice(1))) return false;
  }
  for (const cut of text.match(/[A-Za-z0-9+/]{3,}…/g) ?? []) if (/[\dA-Z]/.test(cut.slice(1))) return false;
  return true;
}

/**
 * The sentence a person sees for any error: the error's own message when it was written for
 * them, else its code's sentence (ERROR_USER_TEXT), else a general one. Never an id or a stack.
 * @example status.textContent = userErrorText(error);
 */
export function userErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  if (message && isPersonText(message)) return message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && Object.hasOwn(ERROR_USER_TEXT, code))
    return ERROR_USER_TEXT[code as ErrorCodeName];
  return 'Something went wrong. Try again; if it keeps happening, reload the page.';
}
