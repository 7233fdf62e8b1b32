/**
 * The one validator of the bridge. Every request envelope is read as hostile input where it crosses
 * a trust boundary: by the content script from the page's `window`, and by the background from a
 * port (a content script runs in the page's process). Both use `readRequest`: a plain-data copy,
 * exact keys, the version, the id, sizes, and each method's params by type and size. Replies are
 * read (`readReply`) by whatever receives them before they reach a client.
 * @example const m = readRequest(event.data, 'window'); if (m.kind === 'request') port.postMessage(requestEnvelope(m.request));
 */
import { utf8 } from '../bytes.ts';
import type { MessageEventInput } from '../client/message-events-send.ts';
import { MalformedError, type RoomKeyError, TooLargeError, UnsupportedError } from '../errors.ts';
import { ROOM_ID_PATTERN } from '../room/_checks.ts';
import { ExtensionOnlyError } from './errors.ts';
import {
  BRIDGE_CHANNEL,
  BRIDGE_EVENT_TYPES,
  BRIDGE_ID_PATTERN,
  BRIDGE_LIMITS,
  BRIDGE_VERSION,
  type BridgeMethod,
  type BridgeReply,
  type BridgeRequest,
  CONTACT_TRUST_METHODS,
  type FrameState,
  PASSWORD_METHODS,
  type ParamsOf,
} from './schema.ts';
import { asRoomKeyError } from './wire-error.ts';

/**
 * Where a request envelope was read: on a page's `window` (password-bearing methods are refused
 * there before their params are read) or on a port to the background.
 */
export type Boundary = 'window' | 'port';

/** What became of one message: not ours, ours but wrong (answered when it has a usable id), or a request. */
export type RequestVerdict =
  | { kind: 'ignore' }
  | { kind: 'bad'; id: string | undefined; error: RoomKeyError }
  | { kind: 'request'; request: BridgeRequest };

const ENVELOPE_KEYS = ['channel', 'version', 'from', 'id', 'method', 'params'];

/**
 * Reads a request envelope. Messages of other channels and replies are `ignore`d; ours with
 * anything wrong are `bad`; the rest are checked requests. The data is copied through JSON first,
 * so the checks see plain values of this realm and nothing the sender can change afterwards.
 * (On `window` the caller has already checked that `event.source === window`.)
 * @example const verdict = readRequest(event.data, 'window');
 */
export function readRequest(data: unknown, boundary: Boundary): RequestVerdict {
  if (!isRecord(data) || data['channel'] !== BRIDGE_CHANNEL || data['from'] !== 'page') {
    return { kind: 'ignore' };
  }
  const rawId = data['id'];
  const id = typeof rawId === 'string' && BRIDGE_ID_PATTERN.test(rawId) ? rawId : undefined;
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
    if (boundary === 'window' && PASSWORD_METHODS.has(copy['method'] as BridgeMethod)) {
      throw new ExtensionOnlyError();
    }
    if (boundary === 'window' && CONTACT_TRUST_METHODS.has(copy['method'] as BridgeMethod)) {
      throw new ExtensionOnlyError(CONTACT_TRUST_REFUSAL);
    }
    return { kind: 'request', request: checkRequest(id, copy['method'], copy['params']) };
  } catch (error) {
    return { kind: 'bad', id, error: asRoomKeyError(error) };
  }
}

/** What a site hears when it tries to change a contact's trust itself. */
export const CONTACT_TRUST_REFUSAL =
  'RoomKey: with the RoomKey extension installed, contacts are verified and key changes accepted only in its own window. Use "Verify in RoomKey" on this page (client.openVerifyContact), then confirm there.';

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

/**
 * Reads a reply or event from the background (or, on a page, from `window`): the kind, the id and
 * the event type must be right; undefined otherwise. Results and event details are the
 * background's own data and pass as they are.
 * @example const reply = readReply(raw); if (reply) client.receive(reply);
 */
export function readReply(data: unknown): BridgeReply | undefined {
  if (!isRecord(data)) return undefined;
  switch (data['kind']) {
    case 'result':
    case 'progress':
      return hasId(data) && (data['kind'] === 'result' || isRecord(data['progress']))
        ? (data as unknown as BridgeReply)
        : undefined;
    case 'error':
      return hasId(data) && isRecord(data['error']) ? (data as unknown as BridgeReply) : undefined;
    case 'event': {
      const event = data['event'];
      return isRecord(event) && typeof event['type'] === 'string' && BRIDGE_EVENT_TYPES.has(event['type'])
        ? (data as unknown as BridgeReply)
        : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Reads a frame's state from a port message (exact types; the room id as core/room has it).
 * Throws MalformedError.
 * @example const state = readFrameState(message['state']);
 */
export function readFrameState(raw: unknown): FrameState {
  if (!isRecord(raw)) throw new MalformedError('frame: bad state');
  const room = raw['focusedRoom'];
  if (
    typeof raw['visible'] !== 'boolean' ||
    typeof raw['connected'] !== 'boolean' ||
    !(room === null || (typeof room === 'string' && ROOM_ID_PATTERN.test(room)))
  ) {
    throw new MalformedError('frame: bad state');
  }
  return { visible: raw['visible'], connected: raw['connected'], focusedRoom: room };
}

const hasId = (data: Record<string, unknown>): boolean =>
  typeof data['id'] === 'string' && BRIDGE_ID_PATTERN.test(data['id']);

// ---- params ----

/** A user id as the gateway makes them. */
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
    return { roomId: roomId(p), userId: userIdOf(p['userId']) };
  },
  send: (p) => {
    onlyKeys(p, ['roomId', 'text'], [], 'params');
    return { roomId: roomId(p), text: text(p, 'text', BRIDGE_LIMITS.textChars, 1) };
  },
  sendEvent: (p) => {
    onlyKeys(p, ['roomId', 'event'], [], 'params');
    return { roomId: roomId(p), event: messageEvent(p['event']) };
  },
  history: (p) => {
    onlyKeys(p, ['roomId'], ['limit', 'membership'], 'params');
    const limit = p['limit'] ?? null;
    const membership = p['membership'] ?? false;
    if (typeof membership !== 'boolean') throw new MalformedError('bridge: membership must be true or false');
    if (
      limit !== null &&
      (!Number.isSafeInteger(limit) ||
        (limit as number) < 1 ||
        (limit as number) > BRIDGE_LIMITS.historyLimit)
    ) {
      throw new MalformedError(`bridge: limit must be an integer from 1 to ${BRIDGE_LIMITS.historyLimit}`);
    }
    return { roomId: roomId(p), limit: limit as number | null, ...(membership ? { membership } : {}) };
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
  contacts: (p) => {
    onlyKeys(p, ['userIds'], [], 'params');
    const ids = p['userIds'];
    if (!Array.isArray(ids)) throw new MalformedError('bridge: userIds must be a list of user ids');
    if (ids.length > BRIDGE_LIMITS.contactIds) {
      throw new TooLargeError(`bridge: at most ${BRIDGE_LIMITS.contactIds} userIds per request`);
    }
    return { userIds: ids.map((id) => userIdOf(id)) };
  },
  openVerifyContact: oneUser,
  verifyContact: (p) => {
    onlyKeys(p, ['userId'], ['scanned'], 'params');
    const scanned = p['scanned'] ?? null;
    return {
      userId: userIdOf(p['userId']),
      scanned: scanned === null ? null : text(p, 'scanned', BRIDGE_LIMITS.scannedChars, 1),
    };
  },
  unverifyContact: oneUser,
  acceptKeyChange: oneUser,
  // The outbox
  unsent: (p) => {
    onlyKeys(p, ['roomId'], [], 'params');
    return { roomId: roomId(p) };
  },
  retrySend: keptMessage,
  discardSend: keptMessage,
  // Hidden rooms
  hiddenRooms: none,
  setRoomHidden: (p) => {
    onlyKeys(p, ['roomId', 'hidden'], [], 'params');
    if (typeof p['hidden'] !== 'boolean') throw new MalformedError('bridge: hidden must be a boolean');
    return { roomId: roomId(p), hidden: p['hidden'] };
  },
};

/** A kept message of the outbox: its room and its id. */
function keptMessage(p: Record<string, unknown>): { roomId: string; messageId: string } {
  onlyKeys(p, ['roomId', 'messageId'], [], 'params');
  return { roomId: roomId(p), messageId: messageId(p, 'messageId') };
}

function userIdOf(value: unknown): string {
  if (typeof value !== 'string' || !USER_ID.test(value)) {
    throw new MalformedError('bridge: userId must be 1-64 of A-Z a-z 0-9 _ -');
  }
  return value;
}

function oneUser(p: Record<string, unknown>): { userId: string } {
  onlyKeys(p, ['userId'], [], 'params');
  return { userId: userIdOf(p['userId']) };
}

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

const MESSAGE_ID = /^[0-9a-f]{32}$/;

function messageId(p: Record<string, unknown>, key: string): string {
  const value = p[key];
  if (typeof value !== 'string' || !MESSAGE_ID.test(value)) {
    throw new MalformedError(`bridge: ${key} must be a message id (32 lowercase hex characters)`);
  }
  return value;
}

/** A sendEvent's event: each action with exactly its fields (the background's encoder checks the emoji). */
function messageEvent(value: unknown): MessageEventInput {
  if (!isRecord(value)) throw new MalformedError('bridge: event must be an object');
  const action = value['action'];
  switch (action) {
    case 'reply':
      onlyKeys(value, ['action', 'replyTo', 'text'], [], 'event');
      return {
        action,
        replyTo: messageId(value, 'replyTo'),
        text: text(value, 'text', BRIDGE_LIMITS.textChars, 1),
      };
    case 'edit':
      onlyKeys(value, ['action', 'target', 'text'], [], 'event');
      return {
        action,
        target: messageId(value, 'target'),
        text: text(value, 'text', BRIDGE_LIMITS.textChars, 1),
      };
    case 'delete':
      onlyKeys(value, ['action', 'target'], [], 'event');
      return { action, target: messageId(value, 'target') };
    case 'react':
    case 'unreact':
      onlyKeys(value, ['action', 'target', 'reaction'], [], 'event');
      return { action, target: messageId(value, 'target'), reaction: text(value, 'reaction', 32, 1) };
    default:
      throw new MalformedError(
        "bridge: event.action must be 'reply', 'edit', 'delete', 'react' or 'unreact'",
      );
  }
}

function roomId(p: Record<string, unknown>): string {
  const value = p['roomId'];
  if (typeof value !== 'string' || !ROOM_ID_PATTERN.test(value)) {
    throw new MalformedError('bridge: roomId must be 32 lowercase hex characters');
  }
  return value;
}
