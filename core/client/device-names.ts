/**
 * Device names and last seen, one code path for every host (<roomkey-devices>, the extension's
 * popup): names are sealed to the user's identity key (core/crypto/device-name.ts), so the gateway
 * stores ciphertext and only the user's own devices read them. A device names itself once, with
 * the browser and OS its user agent says ("Firefox on Linux"); any of the user's devices renames any
 * of them. Last seen: the gateway's day of the device's last log-in or refresh, or its last beacon.
 * @example await renameOwnDevice(deps, deviceKey, 'Work laptop');
 */
import type { NatsConnection } from '@nats-io/nats-core';
import * as v1 from '../../proto/index.ts';
import { toHex } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { GENERIC_DEVICE_NAME, openDeviceName, sealDeviceName, type UserKeys } from '../crypto/index.ts';
import { gatewayRequest } from '../transport/request.ts';
import { DEVICE_SUBJECTS, PAIRING_SUBJECTS } from '../transport/subjects.ts';

const DAY_MS = 24 * 3600_000;

/** What the device-name calls need from a signed-in session. */
export interface DeviceNameDeps {
  nc: NatsConnection;
  userId: string;
  userKeys: Pick<UserKeys, 'hpkePublicKey' | 'hpkePrivateKey'>;
  timeoutMs?: number;
}

/** One of the user's devices as the gateway reports it, its name opened here. */
export interface DeviceDetails {
  /** The opened name; undefined when it has none yet, or one that does not open. */
  name?: string;
  /** Last beacon (ms; 0 = none in 90 days). */
  lastSeenMs: number;
  /** UTC day of the last log-in or refresh, or of the last beacon if later; 0 = unknown. */
  lastSeenDay: number;
}

/**
 * A name for this device from its user agent: browser and OS, e.g. "Chromium on Linux", or
 * "RoomKey extension in Firefox" for the extension's own worker.
 * @example defaultDeviceName(navigator.userAgent) // 'Firefox on Linux'
 */
export function defaultDeviceName(userAgent: string, options: { extension?: boolean } = {}): string {
  const browser = /Firefox\//.test(userAgent)
    ? 'Firefox'
    : /Edg\//.test(userAgent)
      ? 'Edge'
      : /Chrom/.test(userAgent)
        ? 'Chromium'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /Node\.js/.test(userAgent)
            ? 'Node.js'
            : 'Browser';
  if (options.extension) return `RoomKey extension in ${browser}`;
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS/.test(userAgent)
          ? 'macOS'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : '';
  return os ? `${browser} on ${os}` : browser;
}

/**
 * The user's devices with their opened names and last seen, by device key hex.
 * @example const details = await deviceDetails(deps); details.get(toHex(key))?.name;
 */
export async function deviceDetails(deps: DeviceNameDeps): Promise<Map<string, DeviceDetails>> {
  const ok = await gatewayRequest(deps.nc, PAIRING_SUBJECTS.seen, encode(v1.DeviceSeenRequest, {}), {
    timeoutMs: deps.timeoutMs,
  });
  const list = decode(v1.DeviceSeenList, ok, 'device seen list');
  const out = new Map<string, DeviceDetails>();
  for (const d of list.devices.slice(0, 1000)) {
    if (d.deviceKey?.length !== 32) continue;
    const lastSeenMs = Number(d.lastSeenMs) || 0;
    const beaconDay = lastSeenMs ? Math.floor(lastSeenMs / DAY_MS) : 0;
    out.set(toHex(d.deviceKey), {
      name: await openedName(deps, d.deviceKey, d.sealedName),
      lastSeenMs,
      lastSeenDay: Math.max(Number(d.lastSeenDay) || 0, beaconDay),
    });
  }
  return out;
}

/** A name that does not open (hostile or damaged bytes) shows as unnamed, never as an error. */
async function openedName(
  deps: DeviceNameDeps,
  deviceKey: Uint8Array,
  sealed: Uint8Array | null | undefined,
): Promise<string | undefined> {
  if (!sealed?.length) return undefined;
  try {
    return await openDeviceName(sealed, {
      userId: deps.userId,
      deviceKey,
      userHpkePrivateKey: deps.userKeys.hpkePrivateKey,
    });
  } catch {
    return undefined;
  }
}

/**
 * Names one of the user's devices (MalformedError in words for an empty or too long name;
 * NotFoundError for a device that is not the user's; RevokedError for a revoked one).
 * @example await renameOwnDevice(deps, deviceKey, 'Work laptop');
 */
export async function renameOwnDevice(
  deps: DeviceNameDeps,
  deviceKey: Uint8Array,
  name: string,
): Promise<void> {
  const sealedName = await sealDeviceName({
    userId: deps.userId,
    deviceKey,
    userHpkePublicKey: deps.userKeys.hpkePublicKey,
    name,
  });
  await gatewayRequest(
    deps.nc,
    DEVICE_SUBJECTS.name,
    encode(v1.RenameDeviceRequest, { deviceKey, sealedName }),
    { timeoutMs: deps.timeoutMs },
  );
}

/**
 * Gives this device its default name if it has none yet (its first session, or a device from
 * before sealed names); a device that has a name keeps it.
 * @example await nameThisDeviceOnce(deps, deviceKey, defaultDeviceName(navigator.userAgent));
 */
export async function nameThisDeviceOnce(
  deps: DeviceNameDeps,
  deviceKey: Uint8Array,
  name: string,
): Promise<boolean> {
  const details = await deviceDetails(deps);
  if (details.get(toHex(deviceKey))?.name) return false;
  await renameOwnDevice(deps, deviceKey, name);
  return true;
}

/**
 * The name to show: the sealed one, else a certificate's own (older devices), else "Unnamed device".
 * @example shownDeviceName(details?.name, certificate.deviceName)
 */
export function shownDeviceName(sealed: string | undefined, certificateName: string): string {
  if (sealed) return sealed;
  const legacy = certificateName.trim();
  return legacy && legacy !== GENERIC_DEVICE_NAME ? legacy : 'Unnamed device';
}
