/**
 * The versioned message schema between a web page and the RoomKey extension. A page posts
 * requests on `window` (channel `roomkey-bridge`, version 1); the extension's content script
 * checks each one (sender is the window itself, exact channel, version and shape, sizes) and
 * relays it to the background, which checks it again and answers with a result, progress, a typed
 * error or, once connected, client events. Nothing here imports an extension API: the page bundle,
 * the content script and the background all share it.
 * @example window.postMessage(pageEnvelope({ id: 'r1', method: 'listRooms', params: {} }), location.origin);
 */
import { utf8 } from '../../core/bytes.ts';
import {
  BadCredentialsError,
  ConflictError,
  type ErrorCodeName,
  ExpiredError,
  ForbiddenError,
  InternalError,
  LockedError,
  MalformedError,
  NotFoundError,
  RateLimitedError,
  RevokedError,
  RoomKeyError,
  TooLargeError,
  UnavailableError,
  UnsupportedError,
  WrongPassphraseError,
} from '../../core/errors.ts';
import type {
  ConnectionState,
  HistoryProgress,
  KeyState,
  RoomKeyClientEvents,
  RoomSummary,
  SentMessage,
  Session,
  StoredMessage,
} from './types.ts';

/** The `channel` field of every bridge message on `window`. */
export const BRIDGE_CHANNEL = 'roomkey-bridge';
/** The schema version; a request with another version gets an `unsupported` error. */
export const BRIDGE_VERSION = 1;
/** Set on `<html>` by the content script (value: the bridge version), so a page can tell at once. */
export { EXTENSION_MARKER } from './extension-marker.ts';

/** Limits checked on every request; anything larger gets a `too-large` error. */
export const BRIDGE_LIMITS = {
  /** A whole request, as JSON characters. */
  requestChars: 256 * 1024,
  idChars: 64,
  usernameChars: 256,
  passwordChars: 1024,
  gatewayChars: 2048,
  /** Message text in UTF-16 units: at most ~180 KiB of UTF-8, under the 256 KiB envelope limit. */
  textChars: 60_000,
  roomNameBytes: 256,
  historyLimit: 100_000,
} as const;

/** How far a site may see into a room: `read` (the page gets plaintext) or `sealed` (only the extension's iframe does). */
export type RoomAccess = 'read' | 'sealed';

/** The client's state in one answer (to `connect`), so a page can render before any event. */
export interface ClientStateSnapshot {
  connection: ConnectionState;
  keys: KeyState;
  session: Session | null;
}

/** What `hello` answers: the extension is present and speaks these versions. */
export interface HelloResult {
  versions: number[];
}

/** Every request a page can make: its params and its result. */
export interface BridgeMethods {
  hello: { params: Record<string, never>; result: HelloResult };
  /** Asks the user (once) to let this site use RoomKey; then the frame receives client events. */
  connect: { params: Record<string, never>; result: ClientStateSnapshot };
  /** signUp, signIn, signOut and unlock are for the extension's own pages only: a site gets ExtensionOnlyError. */
  signUp: { params: { gateway: string; username: string; password: string }; result: Session };
  signIn: { params: { gateway: string; username: string; password: string }; result: Session };
  signOut: { params: Record<string, never>; result: null };
  /** Allowed to sites: it only takes access away. */
  lock: { params: Record<string, never>; result: null };
  unlock: { params: { password: string }; result: null };
  /**
   * Asks the extension to show its own sign-in / unlock window (one at a time; focused when open).
   * `gateway` is only a suggestion the window shows next to the site's origin; nothing secret comes back.
   */
  openSignIn: { params: { gateway: string | null }; result: null };
  listRooms: { params: Record<string, never>; result: RoomSummary[] };
  createRoom: { params: { name: string }; result: RoomSummary };
  invite: { params: { roomId: string; username: string; shareHistory: boolean }; result: RoomSummary };
  removeMember: { params: { roomId: string; userId: string }; result: RoomSummary };
  send: { params: { roomId: string; text: string }; result: SentMessage };
  history: { params: { roomId: string; limit: number | null }; result: StoredMessage[] };
  focusRoom: { params: { roomId: string | null }; result: null };
  /** Asks for a room explicitly (the user is asked once); other room requests ask for `read` themselves. */
  requestRoom: { params: { roomId: string; access: RoomAccess }; result: { access: RoomAccess } };
  /** The extension page that shows the room inside an iframe (sealed mode); asks for `sealed` access. */
  sealedRoomUrl: { params: { roomId: string }; result: { url: string } };
}

export type BridgeMethod = keyof BridgeMethods;
export type ParamsOf<M extends BridgeMethod> = BridgeMethods[M]['params'];
export type ResultOf<M extends BridgeMethod> = BridgeMethods[M]['result'];

/** One checked request. */
export type BridgeRequest = {
  [M in BridgeMethod]: { id: string; method: M; params: ParamsOf<M> };
}[BridgeMethod];

/** Requests that can be sent again after the background restarted without doing anything twice. */
export const IDEMPOTENT_METHODS: ReadonlySet<BridgeMethod> = new Set<BridgeMethod>([
  'hello',
  'connect',
  'listRooms',
  'history',
  'focusRoom',
  'requestRoom',
  'sealedRoomUrl',
  'lock',
]);

/**
 * Methods that carry a password: a page's window never gets to send them (the content script
 * refuses them before anything reaches the background), so a password typed into a page cannot
 * even travel this way. The extension's own pages send them over their own port.
 */
export const PASSWORD_METHODS: ReadonlySet<BridgeMethod> = new Set<BridgeMethod>([
  'signUp',
  'signIn',
  'unlock',
]);

/** A client event as it crosses the bridge. */
export type BridgeEvent = {
  [K in keyof RoomKeyClientEvents]: { type: K; detail: RoomKeyClientEvents[K] };
}[keyof RoomKeyClientEvents];

/** An error as it crosses the bridge: a core error code, its message, and what a class needs. */
export interface WireError {
  code: ErrorCodeName;
  message: string;
  /** The site (or the site for this room) is not approved by the user: see NotApprovedError. */
  notApproved?: true;
  /** Only the extension's own UI may do that: see ExtensionOnlyError. */
  extensionOnly?: true;
  /** For rate-limited errors. */
  retryAtMs?: number;
}

/** What the extension sends back for a request, or on its own (events). */
export type BridgeReply =
  | { kind: 'result'; id: string; result: unknown }
  | { kind: 'error'; id: string; error: WireError }
  | { kind: 'progress'; id: string; progress: HistoryProgress }
  | { kind: 'event'; event: BridgeEvent };

/** page → content script, on `window`. */
export interface PageEnvelope {
  channel: typeof BRIDGE_CHANNEL;
  version: typeof BRIDGE_VERSION;
  from: 'page';
  id: string;
  method: string;
  params: unknown;
}

/** content script → page, on `window`. */
export type ExtensionEnvelope = {
  channel: typeof BRIDGE_CHANNEL;
  version: typeof BRIDGE_VERSION;
  from: 'extension';
} & BridgeReply;

/**
 * The site is not approved for what it asked (using RoomKey at all, or this room): the user
 * declined, has not answered, or revoked it. A ForbiddenError (code `forbidden`); no data comes with it.
 * @example if (error instanceof NotApprovedError) showAskAgainButton();
 */
export class NotApprovedError extends ForbiddenError {
  readonly notApproved = true;
}

/**
 * Only the extension's own UI (its popup and sign-in window) may sign in, sign up, unlock or sign
 * out: a site asked for one of them. A ForbiddenError (code `forbidden`); the page should offer
 * the extension's window instead (`client.openSignIn()`).
 * @example if (error instanceof ExtensionOnlyError) await client.openSignIn();
 */
export class ExtensionOnlyError extends ForbiddenError {
  readonly extensionOnly = true;

  constructor(
    message = 'RoomKey: with the RoomKey extension installed, passwords are typed only in its own window, and only the RoomKey extension signs in, unlocks or signs out. Use "Sign in with the RoomKey extension" on this page, or the RoomKey toolbar button.',
  ) {
    super(message);
  }
}

// ---- envelopes ----

/**
 * Wraps a request for `window.postMessage`.
 * @example window.postMessage(pageEnvelope({ id, method: 'hello', params: {} }), location.origin);
 */
export function pageEnvelope(request: { id: string; method: string; params: unknown }): PageEnvelope {
  return { channel: BRIDGE_CHANNEL, version: BRIDGE_VERSION, from: 'page', ...request };
}

/**
 * Wraps a reply for `window.postMessage`.
 * @example window.postMessage(extensionEnvelope({ kind: 'result', id, result }), location.origin);
 */
export function extensionEnvelope(reply: BridgeReply): ExtensionEnvelope {
  return { channel: BRIDGE_CHANNEL, version: BRIDGE_VERSION, from: 'extension', ...reply };
}

/** How the content script should treat a message seen on `window`. */
export type PageMessage =
  | { kind: 'ignore' }
  | { kind: 'bad'; id: string | undefined; error: RoomKeyError }
  | { kind: 'request'; request: BridgeRequest };

const ENVELOPE_KEYS = ['channel', 'version', 'from', 'id', 'method', 'params'];
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Classifies `event.data` of a window message (the caller has already checked that
 * `event.source === window`). Messages of other channels, and the extension's own replies, are
 * `ignore`d; ours with anything wrong are `bad` (answered only when they carry a usable id);
 * the rest are checked requests. The data is copied through JSON first, so the checks see plain
 * values of this realm and nothing the page can change afterwards.
 * @example const m = classifyPageMessage(event.data); if (m.kind === 'request') relay(m.request);
 */
export function classifyPageMessage(data: unknown): PageMessage {
  if (!isRecord(data) || data['channel'] !== BRIDGE_CHANNEL || data['from'] !== 'page') {
    return { kind: 'ignore' };
  }
  const rawId = data['id'];
  const id = typeof rawId === 'string' && ID_PATTERN.test(rawId) ? rawId : undefined;
  try {
    let text: string;
    try {
      text = JSON.stringify(data);
    } catch {
      throw new MalformedError('bridge: the request is not plain data');
    }
    if (text.length > BRIDGE_LIMITS.requestChars) {
      throw new TooLargeError(`bridge: a request is limited to ${BRIDGE_LIMITS.requestChars} characters`);
    }
    const copy = JSON.parse(text) as Record<string, unknown>;
    if (copy['version'] !== BRIDGE_VERSION) {
      throw new UnsupportedError(
        `bridge: version ${String(copy['version'])} is not supported (this extension speaks ${BRIDGE_VERSION})`,
      );
    }
    onlyKeys(copy, ENVELOPE_KEYS, [], 'bridge envelope');
    if (id === undefined) throw new MalformedError('bridge: id must be 1-64 of A-Z a-z 0-9 _ -');
    // Checked before the params: a page's password is not even read, let alone relayed.
    if (PASSWORD_METHODS.has(copy['method'] as BridgeMethod)) throw new ExtensionOnlyError();
    return { kind: 'request', request: checkRequest(id, copy['method'], copy['params']) };
  } catch (error) {
    return { kind: 'bad', id, error: asRoomKeyError(error) };
  }
}

/**
 * Checks a method name and its params (exact keys, types, sizes) and returns the typed request.
 * Throws MalformedError, TooLargeError or UnsupportedError (unknown method).
 * @example const request = checkRequest('r1', 'send', { roomId, text: 'hi' });
 */
export function checkRequest(id: string, method: unknown, params: unknown): BridgeRequest {
  if (typeof method !== 'string' || !Object.hasOwn(PARAM_CHECKS, method)) {
    throw new UnsupportedError(`bridge: unknown method ${JSON.stringify(String(method)).slice(0, 80)}`);
  }
  if (!isRecord(params)) throw new MalformedError(`bridge: ${method}: params must be an object`);
  const check = PARAM_CHECKS[method as BridgeMethod] as (p: Record<string, unknown>) => unknown;
  return { id, method, params: check(params) } as BridgeRequest;
}

// ---- params ----

const ROOM_ID = /^[0-9a-f]{32}$/;
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

const none = (p: Record<string, unknown>): Record<string, never> => {
  onlyKeys(p, [], [], 'params');
  return {};
};

/** `p.gateway` as a normalized absolute http(s) URL. */
function gatewayUrl(p: Record<string, unknown>): string {
  const gateway = text(p, 'gateway', BRIDGE_LIMITS.gatewayChars);
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw new MalformedError('bridge: gateway must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MalformedError('bridge: gateway must be an http(s) URL');
  }
  if (url.username || url.password) throw new MalformedError('bridge: gateway must not carry credentials');
  return url.href;
}

function credentials(p: Record<string, unknown>): ParamsOf<'signIn'> {
  onlyKeys(p, ['gateway', 'username', 'password'], [], 'params');
  return {
    gateway: gatewayUrl(p),
    username: text(p, 'username', BRIDGE_LIMITS.usernameChars, 1),
    password: text(p, 'password', BRIDGE_LIMITS.passwordChars, 1),
  };
}

const PARAM_CHECKS: { [M in BridgeMethod]: (p: Record<string, unknown>) => ParamsOf<M> } = {
  hello: none,
  connect: none,
  signUp: credentials,
  signIn: credentials,
  signOut: none,
  lock: none,
  unlock: (p) => {
    onlyKeys(p, ['password'], [], 'params');
    return { password: text(p, 'password', BRIDGE_LIMITS.passwordChars, 1) };
  },
  openSignIn: (p) => {
    onlyKeys(p, [], ['gateway'], 'params');
    return { gateway: p['gateway'] === undefined || p['gateway'] === null ? null : gatewayUrl(p) };
  },
  listRooms: none,
  createRoom: (p) => {
    onlyKeys(p, ['name'], [], 'params');
    const name = text(p, 'name', BRIDGE_LIMITS.roomNameBytes);
    if (utf8(name).length > BRIDGE_LIMITS.roomNameBytes) {
      throw new TooLargeError(`bridge: name is limited to ${BRIDGE_LIMITS.roomNameBytes} bytes`);
    }
    return { name };
  },
  invite: (p) => {
    onlyKeys(p, ['roomId', 'username'], ['shareHistory'], 'params');
    const shareHistory = p['shareHistory'] ?? false;
    if (typeof shareHistory !== 'boolean') throw new MalformedError('bridge: shareHistory must be a boolean');
    return {
      roomId: roomId(p),
      username: text(p, 'username', BRIDGE_LIMITS.usernameChars, 1),
      shareHistory,
    };
  },
  removeMember: (p) => {
    onlyKeys(p, ['roomId', 'userId'], [], 'params');
    const userId = p['userId'];
    if (typeof userId !== 'string' || !USER_ID.test(userId)) {
      throw new MalformedError('bridge: userId must be 1-64 of A-Z a-z 0-9 _ -');
    }
    return { roomId: roomId(p), userId };
  },
  send: (p) => {
    onlyKeys(p, ['roomId', 'text'], [], 'params');
    return { roomId: roomId(p), text: text(p, 'text', BRIDGE_LIMITS.textChars, 1) };
  },
  history: (p) => {
    onlyKeys(p, ['roomId'], ['limit'], 'params');
    const limit = p['limit'] ?? null;
    if (
      limit !== null &&
      (!Number.isSafeInteger(limit) ||
        (limit as number) < 1 ||
        (limit as number) > BRIDGE_LIMITS.historyLimit)
    ) {
      throw new MalformedError(`bridge: limit must be an integer from 1 to ${BRIDGE_LIMITS.historyLimit}`);
    }
    return { roomId: roomId(p), limit: limit as number | null };
  },
  focusRoom: (p) => {
    onlyKeys(p, ['roomId'], [], 'params');
    return { roomId: p['roomId'] === null ? null : roomId(p) };
  },
  requestRoom: (p) => {
    onlyKeys(p, ['roomId', 'access'], [], 'params');
    const access = p['access'];
    if (access !== 'read' && access !== 'sealed')
      throw new MalformedError("bridge: access must be 'read' or 'sealed'");
    return { roomId: roomId(p), access };
  },
  sealedRoomUrl: (p) => {
    onlyKeys(p, ['roomId'], [], 'params');
    return { roomId: roomId(p) };
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(
  value: Record<string, unknown>,
  required: string[],
  optional: string[],
  what: string,
): void {
  for (const key of Object.keys(value)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new MalformedError(`bridge: ${what}: unexpected field ${JSON.stringify(key).slice(0, 40)}`);
    }
  }
  for (const key of required) {
    if (!Object.hasOwn(value, key)) throw new MalformedError(`bridge: ${what}: missing field ${key}`);
  }
}

function text(p: Record<string, unknown>, key: string, max: number, min = 0): string {
  const value = p[key];
  if (typeof value !== 'string') throw new MalformedError(`bridge: ${key} must be text`);
  if (value.length > max) throw new TooLargeError(`bridge: ${key} is limited to ${max} characters`);
  if (value.length < min) throw new MalformedError(`bridge: ${key} must not be empty`);
  return value;
}

function roomId(p: Record<string, unknown>): string {
  const value = p['roomId'];
  if (typeof value !== 'string' || !ROOM_ID.test(value)) {
    throw new MalformedError('bridge: roomId must be 32 lowercase hex characters');
  }
  return value;
}

// ---- errors ----

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
  const wire: WireError = { code: e.code, message: e.message };
  if (e instanceof NotApprovedError) wire.notApproved = true;
  if (e instanceof ExtensionOnlyError) wire.extensionOnly = true;
  if (e instanceof RateLimitedError) wire.retryAtMs = e.retryAtMs;
  return wire;
}

/**
 * A WireError as the matching class of core/errors.ts (or NotApprovedError). Anything odd
 * becomes an InternalError: a page never sees a non-RoomKey error from the bridge.
 * @example throw fromWireError(reply.error);
 */
export function fromWireError(wire: unknown): RoomKeyError {
  if (!isRecord(wire) || typeof wire['code'] !== 'string' || typeof wire['message'] !== 'string') {
    return new InternalError('RoomKey extension: an unreadable error came back.');
  }
  const message = wire['message'].slice(0, 2000);
  switch (wire['code'] as ErrorCodeName) {
    case 'forbidden':
      if (wire['notApproved'] === true) return new NotApprovedError(message);
      if (wire['extensionOnly'] === true) return new ExtensionOnlyError(message);
      return new ForbiddenError(message);
    case 'malformed':
      return new MalformedError(message);
    case 'not-found':
      return new NotFoundError(message);
    case 'conflict':
      return new ConflictError(message);
    case 'rate-limited':
      return new RateLimitedError(Number(wire['retryAtMs']) || Date.now(), message);
    case 'bad-credentials':
      return new BadCredentialsError(message);
    case 'wrong-passphrase':
      return new WrongPassphraseError();
    case 'locked':
      return new LockedError(message);
    case 'too-large':
      return new TooLargeError(message);
    case 'revoked':
      return new RevokedError(message);
    case 'expired':
      return new ExpiredError(message);
    case 'unsupported':
      return new UnsupportedError(message);
    case 'unavailable':
      return new UnavailableError(message);
    case 'internal':
      return new InternalError(message);
    default:
      return new RoomKeyError(wire['code'] as ErrorCodeName, message);
  }
}
