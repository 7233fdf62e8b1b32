/**
 * The subject map shared by the gateway and every client: one place, so NATS permissions in the
 * gateway's JWTs and the subjects clients use cannot drift apart. gateway/README.md explains it.
 * @example await nc.request(LOGIN_SUBJECTS.loginStart, bytes)
 */
import { sha256 } from '@noble/hashes/sha2.js';

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
  /** Names one of the caller's user's devices (RenameDeviceRequest: a SealedDeviceName). */
  name: 'rk.v1.gw.device.auth.name',
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

/**
 * Web Push: a device saves (replaces) or removes its own subscription (a PushSubscription whose
 * device key must be the caller's); nobody else's.
 */
export const PUSH_SUBJECTS = {
  save: 'rk.v1.gw.device.push.save',
  remove: 'rk.v1.gw.device.push.remove',
} as const;

/**
 * Read markers shared across one user's devices: `set` advances the caller's user's marker of a
 * room (never moves back; the other devices get a DeviceNotice.read), `list` returns them all
 * (ReadMarkerList).
 */
export const MARKER_SUBJECTS = {
  set: 'rk.v1.gw.device.marker.set',
  list: 'rk.v1.gw.device.marker.list',
} as const;

/**
 * Pairing (moving the identity to a new device, gateway/handlers/pairing-*.ts): the NEW device has
 * no account yet and uses the login credential (`anon`), proving its offer's device key; the OLD
 * device uses its device credential. The gateway relays the hello and the HPKE-sealed transfer,
 * which it cannot open, and lets each one-shot channel advance once per step.
 */
export const PAIRING_SUBJECTS = {
  open: 'rk.v1.gw.anon.pairing.open',
  poll: 'rk.v1.gw.anon.pairing.poll',
  cancelNew: 'rk.v1.gw.anon.pairing.cancel',
  finish: 'rk.v1.gw.anon.pairing.finish',
  hello: 'rk.v1.gw.device.pairing.hello',
  send: 'rk.v1.gw.device.pairing.send',
  cancel: 'rk.v1.gw.device.pairing.cancel',
  /** The caller's user's devices with when each was last seen (DeviceSeenList). */
  seen: 'rk.v1.gw.device.pairing.seen',
} as const;

/** Policies (org → project → room), authorized by policy itself. */
export const ADMIN_SUBJECTS = {
  org: 'rk.v1.gw.device.admin.org',
  project: 'rk.v1.gw.device.admin.project',
  room: 'rk.v1.gw.device.admin.room',
  get: 'rk.v1.gw.device.admin.get',
  explain: 'rk.v1.gw.device.admin.explain',
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

/**
 * How many partition tokens room subjects spread over. Protocol, not deployment: a deployment maps
 * them onto however many shard streams it has (stream-layout.ts), so clients never learn that count.
 */
export const ROOM_BUCKETS = 256;

// roomSubject runs on every send and permission check; a room's bucket never changes.
const MAX_CACHED_BUCKETS = 4096;
const buckets = new Map<string, number>();

/**
 * The partition of a room: the first byte of SHA-256(UTF-8 room id), 0–255.
 * @example roomBucketIndex('3f1c…') // 0x9a
 */
export function roomBucketIndex(roomId: string): number {
  const known = buckets.get(roomId);
  if (known !== undefined) return known;
  if (!isRoomId(roomId)) throw new TypeError(`not a room id: ${JSON.stringify(roomId)}`);
  const index = sha256(new TextEncoder().encode(roomId))[0]!;
  if (buckets.size >= MAX_CACHED_BUCKETS) buckets.delete(buckets.keys().next().value!);
  buckets.set(roomId, index);
  return index;
}

/**
 * The partition token of a bucket index: two lowercase hex digits.
 * @example bucketToken(10) // '0a'
 */
export function bucketToken(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= ROOM_BUCKETS) {
    throw new RangeError(`a room bucket is 0–${ROOM_BUCKETS - 1} (got ${index})`);
  }
  return index.toString(16).padStart(2, '0');
}

/**
 * All live subjects of a room, `rk.v1.room.<bucket>.<room id>.<kind>`: `.msg` (envelopes) and
 * `.commit` (epoch commits); `>` covers both.
 * @example roomSubject(roomId, 'msg') // 'rk.v1.room.9a.<room id>.msg'
 */
export function roomSubject(roomId: string, kind: 'msg' | 'commit' | '>'): string {
  return `rk.v1.room.${bucketToken(roomBucketIndex(roomId))}.${roomId}.${kind}`;
}

/**
 * The room id of a room subject, or undefined when the subject is not one (or its bucket token
 * does not belong to its room id: nothing the gateway stored or routed can look like that).
 * @example roomIdOfSubject(roomSubject(roomId, 'msg')) // roomId
 */
export function roomIdOfSubject(subject: string): string | undefined {
  const [rk, v1, room, bucket, roomId, kind, ...rest] = subject.split('.');
  if (rk !== 'rk' || v1 !== 'v1' || room !== 'room' || rest.length > 0) return undefined;
  if ((kind !== 'msg' && kind !== 'commit') || !isRoomId(roomId)) return undefined;
  return bucket === bucketToken(roomBucketIndex(roomId)) ? roomId : undefined;
}

/** Every room's envelopes (the gateway's notification router listens here). */
export const ALL_ROOM_MESSAGES = 'rk.v1.room.*.*.msg';

/** Every device's presence beacons (the gateway listens here). */
export const ALL_PRESENCE = 'rk.v1.presence.*';

function requireToken(token: string, what: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(token)) throw new TypeError(`${what} is not a subject token: ${token}`);
  return token;
}
