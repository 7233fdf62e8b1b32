/**
 * Every message inside the extension, in one place: the port names, what arrives on a port from a
 * content script or one of the extension's own pages, and the admin commands only the extension's
 * own top-level pages (popup, approval window) may use. Requests travel in core/bridge's one
 * envelope (the page's, unchanged) and are read with its one validator here, as the content
 * script read them from the page; frame states and pings are core/bridge's port messages too.
 * @example const message = parseToBackground(raw); if (message.type === 'request') handle(message.request);
 */

import {
  BRIDGE_CHANNEL,
  BRIDGE_ID_PATTERN,
  type BridgeReply,
  type BridgeRequest,
  type FrameState,
  ROOM_ID_PATTERN,
  type RoomAccess,
  readFrameState,
  readRequest,
} from '../../core/bridge/index.ts';
import type { ConnectionState, KeyState, Session } from '../../core/client/index.ts';
import { MalformedError, type RoomKeyError, UnsupportedError } from '../../core/errors.ts';
import { PAIRING_TEXT, type PairingView } from './pairing-admin.ts';
import type { NewDeviceView } from './pairing-new.ts';
import { checkGateway, checkSettingsPatch, type Settings } from './settings.ts';

/** What a frame tells the background about itself (core/bridge's port message). */
export type { FrameState };
/** A room id: 32 lowercase hex characters (core/room's pattern). */
export { ROOM_ID_PATTERN };
/** A site's origin as stored and checked by the extension: http(s), host and port, no path. */
export const ORIGIN_PATTERN = /^https?:\/\/[^/\s]+$/;

/** Content scripts (one port per frame that used the bridge). */
export const BRIDGE_PORT = 'roomkey-bridge';
/** The extension's own top-level pages: popup, approval window, a room opened in its own tab. */
export const PAGE_PORT = 'roomkey-page';
/** The sealed room page inside a site's iframe; the name carries who embeds it (see below). */
export const SEALED_PORT_PREFIX = 'roomkey-sealed:';

/** An admin command as an extension page posts it on its port (answered by id). */
export interface AdminMessage {
  type: 'admin';
  id: string;
  command: string;
  args: unknown;
}

/**
 * A port message as the background reads it: a checked request (or one refused, to answer with
 * its error), an admin command, a frame's state, or a ping.
 */
export type ToBackground =
  | { type: 'request'; id: string; request: BridgeRequest }
  | { type: 'refused'; id: string; error: RoomKeyError }
  | AdminMessage
  | { type: 'frame'; state: FrameState }
  | { type: 'ping' };

/** background → content script / extension page: the bridge replies and events. */
export type FromBackground = BridgeReply;

/**
 * Where a sealed room page sits, as the page itself sees it (it is the extension's own code, so
 * this is trusted): `location.ancestorOrigins` where the browser has it (Chromium), else whether
 * its parent is the top-level page (then the tab's URL names the embedder).
 */
export interface SealedEmbedding {
  ancestors: string[] | null;
  parentIsTop: boolean;
}

/**
 * The port name of a sealed room page.
 * @example browser.runtime.connect({ name: sealedPortName({ ancestors: [...location.ancestorOrigins], parentIsTop }) });
 */
export function sealedPortName(embedding: SealedEmbedding): string {
  return SEALED_PORT_PREFIX + JSON.stringify(embedding);
}

/**
 * The embedding in a sealed page's port name, or undefined when the name is not one.
 * @example const embedding = parseSealedPortName(port.name);
 */
export function parseSealedPortName(name: string): SealedEmbedding | undefined {
  if (!name.startsWith(SEALED_PORT_PREFIX) || name.length > 8192) return undefined;
  try {
    const value = JSON.parse(name.slice(SEALED_PORT_PREFIX.length)) as Record<string, unknown>;
    const ancestors = value['ancestors'];
    if (typeof value['parentIsTop'] !== 'boolean') return undefined;
    if (ancestors !== null && !(Array.isArray(ancestors) && ancestors.every((a) => typeof a === 'string')))
      return undefined;
    return { ancestors: ancestors as string[] | null, parentIsTop: value['parentIsTop'] };
  } catch {
    return undefined;
  }
}

/**
 * Reads a message that arrived on a port (content scripts run in the page's process, so even
 * they are read as hostile): a request envelope goes through core/bridge's validator, the same one
 * the content script used on the page's message. Throws MalformedError when there is no id to
 * answer.
 * @example const message = parseToBackground(raw);
 */
export function parseToBackground(raw: unknown): ToBackground {
  if (typeof raw !== 'object' || raw === null) throw new MalformedError('message: expected an object');
  const m = raw as Record<string, unknown>;
  if (m['channel'] === BRIDGE_CHANNEL) {
    const verdict = readRequest(raw, 'port');
    if (verdict.kind === 'request')
      return { type: 'request', id: verdict.request.id, request: verdict.request };
    if (verdict.kind === 'bad' && verdict.id !== undefined) {
      return { type: 'refused', id: verdict.id, error: verdict.error };
    }
    throw new MalformedError('request: no id to answer');
  }
  switch (m['type']) {
    case 'admin':
      if (typeof m['id'] !== 'string' || !BRIDGE_ID_PATTERN.test(m['id'])) {
        throw new MalformedError('admin: bad id');
      }
      return { type: 'admin', id: m['id'], command: String(m['command']), args: m['args'] };
    case 'frame':
      return { type: 'frame', state: readFrameState(m['state']) };
    case 'ping':
      return { type: 'ping' };
    default:
      throw new MalformedError('message: unknown type');
  }
}

// ---- admin commands (popup, approval window) ----

/** One approved or blocked site, as the popup lists it. */
export interface SiteView {
  origin: string;
  /** `rooms-only`: the site itself was never approved; only its sealed frames show the rooms listed. */
  site: 'granted' | 'denied' | 'rooms-only';
  rooms: { roomId: string; access: RoomAccess | 'denied'; url: string | null }[];
}

/** The account as the popup shows it. */
export interface StatusView {
  keys: KeyState;
  connection: ConnectionState;
  session: Session | null;
  gateway: string | null;
  /** Whether the client SDK is wired into this build (see lib/sdk-wiring.ts). */
  sdk: boolean;
  pendingApprovals: number;
  /** The sites whose questions wait (each once): what the popup names, so its count is theirs. */
  pendingSites?: string[];
}

/**
 * A membership change a site asked for. No grant covers these: the user confirms each one in the
 * extension's own window, because a member added (with history) stays one after the site's
 * approval is revoked.
 */
export type ManageAct =
  | { kind: 'invite'; username: string; shareHistory: boolean }
  /** `username`: the member's name as the room lists it (null when the room does not know it). */
  | { kind: 'remove'; userId: string; username: string | null };

/** A question waiting in the approval window: "site X wants room Y", or "site X wants to add bob to Y". */
export interface ApprovalView {
  id: string;
  origin: string;
  roomId: string | null;
  roomName: string | null;
  access: RoomAccess | null;
  /** Set for a membership change to confirm (then `access` is null). */
  act?: ManageAct;
  /** Who asks: the site's page, or the extension's sealed frame inside it (where the user clicked). */
  frame?: 'page' | 'sealed';
}

/** One of the user's devices, as the popup lists it. */
export interface DeviceView {
  /** Its public key, base64url (what `revokeDevice` takes). */
  deviceKey: string;
  name: string;
  /** When its certificate was issued; null when the SDK does not say. */
  issuedAtMs: number | null;
  /** When it was revoked; 0 while it is not. */
  revokedAtMs: number;
  /** The device this popup runs on (cannot be revoked here: sign out instead). */
  current: boolean;
  /** When the gateway last heard from it (ms); 0 = not lately. */
  lastSeenMs?: number;
  /** UTC day of its last log-in, refresh or beacon (core/client lastSeenWords); absent when unknown. */
  lastSeenDay?: number;
}

export type Decision = 'allow' | 'deny' | 'block';

export interface AdminCommands {
  status: { args: Record<string, never>; result: StatusView };
  sites: { args: Record<string, never>; result: SiteView[] };
  revokeSite: { args: { origin: string }; result: null };
  revokeRoom: { args: { origin: string; roomId: string }; result: null };
  settings: { args: Record<string, never>; result: Settings };
  setSettings: { args: Partial<Settings>; result: Settings };
  approval: { args: { id: string }; result: ApprovalView | null };
  answerApproval: { args: { id: string; decision: Decision }; result: null };
  /** Brings the waiting approval windows forward; false when none waits. */
  focusApprovals: { args: Record<string, never>; result: boolean };
  devices: { args: Record<string, never>; result: DeviceView[] };
  revokeDevice: { args: { deviceKey: string }; result: null };
  /** Names one of the user's devices (sealed to the user's key: the gateway stores ciphertext). */
  renameDevice: { args: { deviceKey: string; name: string }; result: null };
  /** Adding a device (lib/pairing-admin.ts): read its code, then confirm or cancel. */
  pairApprove: { args: { text: string }; result: PairingView };
  pairWaiting: { args: Record<string, never>; result: PairingView | null };
  pairConfirm: { args: Record<string, never>; result: null };
  pairCancel: { args: Record<string, never>; result: null };
  /** This device as the NEW one (lib/pairing-new.ts): start, see how it goes, give up. */
  pairNew: { args: { gateway: string; password: string }; result: NewDeviceView };
  pairNewStatus: { args: Record<string, never>; result: NewDeviceView | null };
  pairNewCancel: { args: Record<string, never>; result: null };
  /** Passkey unlock (lib/passkey-section.ts): the store's passkeys; unlock, add, remove (base64url bytes). */
  passkeys: { args: Record<string, never>; result: { credentialId: string; prfSalt: string }[] };
  passkeyUnlock: { args: { credentialId: string; secret: string }; result: null };
  passkeyAdd: { args: { credentialId: string; prfSalt: string; secret: string }; result: null };
  passkeyRemove: { args: Record<string, never>; result: null };
}
export type AdminCommand = keyof AdminCommands;
export type AdminRequest = {
  [C in AdminCommand]: { command: C; args: AdminCommands[C]['args'] };
}[AdminCommand];

/** A device key (32 bytes) in base64url without padding. */
const DEVICE_KEY = /^[A-Za-z0-9_-]{43}$/;
/** A credential id, PRF salt or PRF output, base64url (WebAuthn ids are at most 1023 bytes). */
const PASSKEY_BYTES = /^[A-Za-z0-9_-]{1,1400}$/;

/**
 * Checks an admin command and its arguments. Throws MalformedError or UnsupportedError.
 * @example const { command, args } = checkAdmin('revokeSite', { origin });
 */
export function checkAdmin(command: string, raw: unknown): AdminRequest {
  const args = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const origin = (): string => {
    const value = args['origin'];
    if (typeof value !== 'string' || !ORIGIN_PATTERN.test(value))
      throw new MalformedError('admin: bad origin');
    return value;
  };
  const str = (key: string, pattern: RegExp): string => {
    const value = args[key];
    if (typeof value !== 'string' || !pattern.test(value)) throw new MalformedError(`admin: bad ${key}`);
    return value;
  };
  switch (command) {
    case 'status':
    case 'sites':
    case 'settings':
    case 'devices':
    case 'pairWaiting':
    case 'pairConfirm':
    case 'pairCancel':
    case 'pairNewStatus':
    case 'pairNewCancel':
    case 'focusApprovals':
    case 'passkeys':
    case 'passkeyRemove':
      return { command, args: {} };
    case 'passkeyUnlock':
      return {
        command,
        args: { credentialId: str('credentialId', PASSKEY_BYTES), secret: str('secret', PASSKEY_BYTES) },
      };
    case 'passkeyAdd':
      return {
        command,
        args: {
          credentialId: str('credentialId', PASSKEY_BYTES),
          prfSalt: str('prfSalt', PASSKEY_BYTES),
          secret: str('secret', PASSKEY_BYTES),
        },
      };
    case 'pairNew': {
      const password = args['password'];
      if (typeof password !== 'string' || password.length === 0 || password.length > 1024)
        throw new MalformedError('admin: bad password');
      return { command, args: { gateway: checkGateway(args['gateway']), password } };
    }
    case 'pairApprove':
      return { command, args: { text: str('text', PAIRING_TEXT) } };
    case 'revokeSite':
      return { command, args: { origin: origin() } };
    case 'revokeRoom':
      return { command, args: { origin: origin(), roomId: str('roomId', ROOM_ID_PATTERN) } };
    case 'setSettings':
      return { command, args: checkSettingsPatch(args) };
    case 'revokeDevice':
      return { command, args: { deviceKey: str('deviceKey', DEVICE_KEY) } };
    case 'renameDevice': {
      // The words of a bad name (empty, too long) come from core/crypto's cleanDeviceName.
      const name = args['name'];
      if (typeof name !== 'string' || name.length > 256) throw new MalformedError('admin: bad device name');
      return { command, args: { deviceKey: str('deviceKey', DEVICE_KEY), name } };
    }
    case 'approval':
      return { command, args: { id: str('id', BRIDGE_ID_PATTERN) } };
    case 'answerApproval': {
      const decision = args['decision'];
      if (decision !== 'allow' && decision !== 'deny' && decision !== 'block')
        throw new MalformedError('admin: bad decision');
      return { command, args: { id: str('id', BRIDGE_ID_PATTERN), decision } };
    }
    default:
      throw new UnsupportedError(`admin: unknown command ${JSON.stringify(command).slice(0, 60)}`);
  }
}
