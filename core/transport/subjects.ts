/**
 * The subject map shared by the gateway and every client: one place, so NATS permissions in the
 * gateway's JWTs and the subjects clients use cannot drift apart. gateway/README.md explains it.
 * @example await nc.request(LOGIN_SUBJECTS.loginStart, bytes)
 */

/** Everything the gateway answers lives under this prefix (imported into the app account). */
export const GATEWAY_API_PREFIX = 'rk.v1.gw';

/** Reachable with the shared login credential: sign-up and log-in only. */
export const LOGIN_SUBJECTS = {
  registerStart: 'rk.v1.gw.anon.register.start',
  registerFinish: 'rk.v1.gw.anon.register.finish',
  loginStart: 'rk.v1.gw.anon.login.start',
  loginFinish: 'rk.v1.gw.anon.login.finish',
  /** A device cut off by a revoked JWT (removed from a room) asks for a fresh one, proved by its key. */
  deviceRefresh: 'rk.v1.gw.anon.device.refresh',
  /** A new device registers its certificate with the enroll token of a certificate-less login. */
  deviceEnroll: 'rk.v1.gw.anon.device.enroll',
} as const;

/** The login credential may publish here and nowhere else. */
export const LOGIN_SUBJECTS_WILDCARD = 'rk.v1.gw.anon.>';

/** Reachable with a device credential; the gateway also checks the caller's device nkey. */
export const DEVICE_SUBJECTS = {
  refresh: 'rk.v1.gw.device.auth.refresh',
  revoke: 'rk.v1.gw.device.auth.revoke',
} as const;

/** The key directory: signed identities and certificates, which clients verify themselves. */
export const DIRECTORY_SUBJECTS = {
  /** username → the user's signed identity. */
  user: 'rk.v1.gw.device.dir.user',
  /** user id → the user's signed identity. */
  identity: 'rk.v1.gw.device.dir.identity',
  /** user id → the identity and every device certificate (with revocation times). */
  devices: 'rk.v1.gw.device.dir.devices',
  /** device key → its certificate and its user's identity. */
  device: 'rk.v1.gw.device.dir.device',
} as const;

/** Rooms: every change to a room's membership or keys goes through the gateway. */
export const ROOM_SUBJECTS = {
  create: 'rk.v1.gw.device.room.create',
  commit: 'rk.v1.gw.device.room.commit',
  commits: 'rk.v1.gw.device.room.commits',
  list: 'rk.v1.gw.device.room.list',
  cursor: 'rk.v1.gw.device.room.cursor',
} as const;

/** Policies (org → project → room), authorized by policy itself. */
export const ADMIN_SUBJECTS = {
  org: 'rk.v1.gw.device.admin.org',
  project: 'rk.v1.gw.device.admin.project',
  room: 'rk.v1.gw.device.admin.room',
  get: 'rk.v1.gw.device.admin.get',
} as const;

/** The org and project every deployment starts with: every signed-in user may create rooms there. */
export const DEFAULT_ORG_ID = 'default';
export const DEFAULT_PROJECT_ID = 'default';

/** A device may publish to the whole device API (auth, directory, rooms, admin). */
export const DEVICE_SUBJECTS_WILDCARD = 'rk.v1.gw.device.>';

/**
 * Inbox prefix of login-credential clients. Everyone holding the login credential may subscribe
 * here, so replies on it are always sealed with a per-request reply key (reply-seal.ts).
 */
export const LOGIN_INBOX_PREFIX = '_RK_LOGIN';

/** Inbox prefix of one device: its JWT allows only this device to subscribe under it. */
export function deviceInboxPrefix(deviceNkey: string): string {
  return `_RK_INBOX.${requireToken(deviceNkey, 'device nkey')}`;
}

/** App notifications to one device (subscribe only; the gateway publishes). */
export function notifySubject(deviceNkey: string): string {
  return `rk.v1.notify.${requireToken(deviceNkey, 'device nkey')}`;
}

/** Presence beacons of one device (publish only; the gateway listens). */
export function presenceSubject(deviceNkey: string): string {
  return `rk.v1.presence.${requireToken(deviceNkey, 'device nkey')}`;
}

/** Room ids become subject tokens and stream names: letters, digits, '_' and '-', 1–64 chars. */
const ROOM_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

export function isRoomId(value: unknown): value is string {
  return typeof value === 'string' && ROOM_TOKEN.test(value);
}

/** All live subjects of a room: `.msg` (envelopes) and `.commit` (epoch commits). */
export function roomSubject(roomId: string, kind: 'msg' | 'commit' | '>'): string {
  if (!isRoomId(roomId)) throw new TypeError(`not a room id: ${JSON.stringify(roomId)}`);
  return `rk.v1.room.${roomId}.${kind}`;
}

/** Every room's envelopes (the gateway's notification router listens here). */
export const ALL_ROOM_MESSAGES = 'rk.v1.room.*.msg';

/** Every device's presence beacons (the gateway listens here). */
export const ALL_PRESENCE = 'rk.v1.presence.*';

/**
 * The one consumer a device may read a room stream through: the gateway creates it (starting no
 * earlier than policy allows) and the device's JWT allows pulling from it and nothing else.
 */
export function deviceConsumerName(deviceNkey: string): string {
  return `d_${requireToken(deviceNkey, 'device nkey')}`;
}

/** The JetStream stream holding a room's history (ciphertext). */
export function roomStreamName(roomId: string): string {
  if (!isRoomId(roomId)) throw new TypeError(`not a room id: ${JSON.stringify(roomId)}`);
  return `RK_ROOM_${roomId}`;
}

function requireToken(token: string, what: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(token)) throw new TypeError(`${what} is not a subject token: ${token}`);
  return token;
}
