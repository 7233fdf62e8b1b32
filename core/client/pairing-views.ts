/**
 * The shapes RoomKeyClient uses for devices and pairing (client-api.ts): what `<roomkey-devices>`
 * and the extension's popup show, with keys as base64url text so they cross any bridge.
 * @example const devices: DeviceView[] = await client.listDevices!();
 */

/** One of the user's devices. */
export interface DeviceView {
  /** The device key, base64url (what `revokeDevice` takes). */
  deviceKey: string;
  /** Its name, opened on this device (sealed on the gateway), or "Unnamed device". */
  name: string;
  /** When its certificate was issued (roughly when it was added). */
  issuedAtMs: number;
  /** When the gateway last heard from it (ms); 0 = not in the last 90 days, or never. */
  lastSeenMs: number;
  /**
   * UTC day (days since 1970-01-01) of its last log-in, refresh or beacon; 0 = unknown. Coarse on
   * purpose: show it with lastSeenWords ("Last seen 3 days ago").
   */
  lastSeenDay?: number;
  /** The device this client runs on. */
  current: boolean;
  /** When it was revoked; 0 while it is not. */
  revokedAtMs: number;
}

/** On the NEW device: the QR code it shows while it waits for an old device. */
export interface PairingOfferFlow {
  /** The QR code's text; it may also be copied and pasted on the old device. */
  readonly qrText: string;
  readonly expiresAtMs: number;
  /** Resolves when an old device read the code: show `code` and ask the user to compare. */
  readonly hello: Promise<{ code: string; username: string }>;
  /** Resolves once the identity arrived, checked out and this device is signed in. */
  readonly done: Promise<{ userId: string; username: string }>;
  cancel(): Promise<void>;
}

/** On the OLD device, after reading the new device's code. */
export interface PairingApprovalFlow {
  /** Six digits: the same as on the new device's screen, or something is wrong. */
  readonly code: string;
  readonly expiresAtMs: number;
  /** The codes match: send the identity to the new device (once). */
  confirm(options?: { deviceName?: string }): Promise<void>;
  /** The codes differ, or the user changed their mind: nothing is sent. */
  cancel(): Promise<void>;
}
