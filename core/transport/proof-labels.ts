/**
 * Domain labels of the short proofs a device or user signs for the gateway's auth endpoints (the
 * signed bytes are `labeledMessage(label, ...parts)` from core/crypto). Shared by the gateway,
 * which checks them, and the client, which makes them, so they cannot drift.
 * @example await sign(labeledMessage(LABEL_REFRESH, deviceKey, u64be(now)), deviceSecretKey)
 */

/** Device key over device_key || u64be(requested_at_ms): a fresh JWT, on the device's connection. */
export const LABEL_REFRESH = 'roomkey/v1/refresh';
/**
 * Device key over device_key || u64be(requested_at_ms) || reply_key: a fresh JWT asked on the
 * login credential by a device whose JWT was revoked (removed from a room).
 */
export const LABEL_REFRESH_OFFLINE = 'roomkey/v1/refresh-offline';
/** User signing key over device_key || u64be(revoked_at_ms): revoke a device for good. */
export const LABEL_DEVICE_REVOCATION = 'roomkey/v1/device-revocation';
