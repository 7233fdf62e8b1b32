/**
 * When the device that signed a message or commit must have been valid: when JetStream stored it
 * (the server's clock), and no earlier than when its epoch opened — never a time the sender wrote.
 * A device revoked before the commit that opened an epoch cannot send in that epoch, whatever the
 * times on its message. Without stored facts the device must be valid now (the strictest answer).
 *
 * No margin is added for skew between JetStream's clock and the gateway's (which stamps
 * revocations): both are server clocks, kept in step by the deployment (NTP), and the gateway
 * stamps a revocation when it starts handling it, before NATS cuts the device off, so what the
 * device stores meanwhile already counts as after. A margin against the signer would make the
 * last message a device sent before signing out (sign-out revokes it) unreadable, and a room it
 * created just before unusable. Were JetStream's clock d behind the gateway's, an envelope made
 * with a stolen key and stored within d after the revocation would pass the stored-time rule
 * (the epoch rule still holds once the room changed).
 * @example const atMs = validityTime(facts?.storedAtMs, epochOpenedAtMs); await directory.device(key, atMs);
 */

/**
 * The time at which the signing device must be valid (undefined = now).
 * @example validityTime(1_700_000_000_000, 1_699_000_000_000) === 1_700_000_000_000;
 */
export function validityTime(storedAtMs: number | undefined, epochOpenedAtMs = 0): number | undefined {
  if (storedAtMs === undefined) return undefined;
  return Math.max(storedAtMs, epochOpenedAtMs);
}
