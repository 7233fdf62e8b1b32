/**
 * The publish/subscribe permissions in a device's user JWT: exactly its own inbox, notification
 * and presence subjects, the gateway's device API, and what `roomPermissions` grants. Nothing else:
 * NATS denies every subject not listed.
 * @example const perms = devicePermissions(nkey, await roomPermissions(userId, source));
 */
import {
  DEVICE_SUBJECTS_WILDCARD,
  deviceInboxPrefix,
  notifySubject,
  presenceSubject,
} from '../core/transport/index.ts';
import type { SubjectPermissions } from './room-permissions.ts';

export interface JwtPermissions {
  pub: { allow: string[] };
  sub: { allow: string[] };
}

export function devicePermissions(deviceNkey: string, rooms: SubjectPermissions): JwtPermissions {
  return {
    pub: { allow: [DEVICE_SUBJECTS_WILDCARD, presenceSubject(deviceNkey), ...rooms.pub] },
    sub: { allow: [`${deviceInboxPrefix(deviceNkey)}.>`, notifySubject(deviceNkey), ...rooms.sub] },
  };
}
