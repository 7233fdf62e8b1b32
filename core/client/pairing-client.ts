/**
 * Devices and pairing as a RoomKeyClient offers them (pairing-views.ts), on top of a session: the
 * glue every client (in-page, the extension's background) shares, so each adds one line per method.
 * @example listDevices() { return deviceViews(this.runtime.ready()); }
 */
import { fromBase64Url, toBase64Url, toHex } from '../bytes.ts';
import { LockedError } from '../errors.ts';
import type { SessionOptions } from './account-flows.ts';
import { shownDeviceName } from './device-names.ts';
import { offerPairing } from './pairing-new-device.ts';
import type { DeviceView, PairingApprovalFlow, PairingOfferFlow } from './pairing-views.ts';
import type { RoomKeySession } from './session.ts';

/**
 * This user's devices, this one first, then by when they were last seen.
 * @example const devices = await deviceViews(session);
 */
export async function deviceViews(session: RoomKeySession): Promise<DeviceView[]> {
  const [devices, details] = await Promise.all([session.devices(), session.deviceDetails()]);
  return devices
    .map((d) => {
      const seen = details.get(toHex(d.deviceKey));
      return {
        deviceKey: toBase64Url(d.deviceKey),
        name: shownDeviceName(seen?.name, d.name),
        issuedAtMs: d.issuedAtMs,
        lastSeenMs: seen?.lastSeenMs ?? 0,
        lastSeenDay: seen?.lastSeenDay ?? 0,
        current: d.current,
        revokedAtMs: d.revokedAtMs,
      };
    })
    .sort(
      (a, b) =>
        Number(b.current) - Number(a.current) || b.lastSeenDay - a.lastSeenDay || b.lastSeenMs - a.lastSeenMs,
    );
}

/**
 * Renames one of this user's devices (sealed: the gateway stores ciphertext) and returns the list
 * after it; a name people cannot use is a MalformedError that says why.
 * @example await renameDeviceView(session, view.deviceKey, 'Work laptop');
 */
export async function renameDeviceView(
  session: RoomKeySession,
  deviceKey: string,
  name: string,
): Promise<DeviceView[]> {
  await session.renameDevice(fromBase64Url(deviceKey), name);
  return deviceViews(session);
}

/**
 * Revokes one of this user's devices and returns the list after it.
 * @example await revokeDeviceView(session, view.deviceKey);
 */
export async function revokeDeviceView(session: RoomKeySession, deviceKey: string): Promise<DeviceView[]> {
  await session.revokeDevice(fromBase64Url(deviceKey));
  return deviceViews(session);
}

/**
 * The old device's flow: reads the code and says hello (nothing secret is sent before confirm).
 * @example const flow = await approvalFlow(session, pastedText); show(flow.code);
 */
export async function approvalFlow(session: RoomKeySession, offerText: string): Promise<PairingApprovalFlow> {
  const approval = await session.approvePairing(offerText);
  return {
    code: approval.code,
    expiresAtMs: approval.expiresAtMs,
    confirm: (options) => approval.confirm(options),
    cancel: () => approval.cancel(),
  };
}

/**
 * The new device's flow: the offer to show, and once the identity arrived, `signIn` opens the
 * new store with the password (the host's usual unlock path, so its session is the usual one).
 * @example const flow = await offerFlow({ config, backend, password }, () => runtime.unlock(password));
 */
export async function offerFlow(
  options: SessionOptions & { password: string },
  signIn: () => Promise<{ userId: string; username: string }>,
): Promise<PairingOfferFlow> {
  const offering = await offerPairing(options);
  const done = offering.done.then(async ({ state }) => {
    state.lock(); // the host opens it again through its own unlock path
    return signIn();
  });
  return {
    qrText: offering.qrText,
    expiresAtMs: offering.expiresAtMs,
    hello: offering.hello.then(({ code, username }) => ({ code, username })),
    done,
    cancel: () => offering.cancel(),
  };
}

/** The session's user, or LockedError when there is none yet. */
export function signedInAs(info: { userId: string; username: string } | null): {
  userId: string;
  username: string;
} {
  if (!info)
    throw new LockedError('Pairing finished but this device is not signed in: sign in with the password.');
  return info;
}
