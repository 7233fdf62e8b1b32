/**
 * Cutting a device's current JWTs off without revoking the device (a member removed from a room):
 * nats-server's account revocation list means "user JWTs of this nkey issued at or before T are
 * refused" (jwt v2 `RevocationList.IsRevoked`: revoked when T >= iat). So the gateway records
 * T = now + a margin (rk_jwt_cutoffs), pushes the account JWT (the server closes the device's
 * connections at once), and from then on issues that device JWTs only once iat > T — the device
 * gets a fresh JWT (without the room) through the login credential (refresh-offline) and
 * reconnects. The margin covers a JWT another gateway built from the old membership a moment
 * earlier. Entries expire with the bucket (longer than any JWT lives).
 * @example await cutOffDevices(ctx, userId, nkeys); await waitPastCutoff(ctx.buckets.cutoffs, nkey);
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { KV } from '@nats-io/kv';
import { decode, encode } from '../core/codec.ts';
import { RateLimitedError } from '../core/errors.ts';
import { v1 } from '../proto/index.ts';
import type { AccountPublisher } from './account-publisher.ts';

/** Seconds added to "now" when cutting JWTs off (see above). */
export const CUTOFF_MARGIN_S = 1;
/** Longest a JWT issue waits for a cutoff to pass before telling the device to retry. */
const MAX_WAIT_MS = 5000;

/** Refuses the devices' current JWTs from now on (and closes their connections) once pushed. */
export async function cutOffDevices(
  input: { cutoffs: KV; publisher: AccountPublisher },
  userId: string,
  nkeys: readonly string[],
): Promise<void> {
  if (nkeys.length === 0) return;
  // JWT iat is wall-clock seconds (the jwt library sets it), so the cutoff is too.
  const cutoffMs = (Math.floor(Date.now() / 1000) + CUTOFF_MARGIN_S) * 1000;
  await Promise.all(
    nkeys.map((nkey) =>
      input.cutoffs.put(nkey, encode(v1.RevocationRecord, { userId, revokedAtMs: cutoffMs })),
    ),
  );
  await input.publisher.push();
}

/** The cutoff of a device in whole seconds (0 = none). */
export async function cutoffSeconds(cutoffs: KV, nkey: string): Promise<number> {
  const entry = await cutoffs.get(nkey);
  if (entry?.operation !== 'PUT' || entry.value.length === 0) return 0;
  return Math.floor(Number(decode(v1.RevocationRecord, entry.value, 'JWT cutoff').revokedAtMs) / 1000);
}

/** Waits until a JWT issued now would be newer than the device's cutoff (usually no wait). */
export async function waitPastCutoff(cutoffs: KV, nkey: string): Promise<void> {
  const cutoff = await cutoffSeconds(cutoffs, nkey);
  if (cutoff === 0) return;
  const waitMs = (cutoff + 1) * 1000 - Date.now() + 5;
  if (waitMs <= 0) return;
  if (waitMs > MAX_WAIT_MS)
    throw new RateLimitedError(
      Date.now() + waitMs,
      'A membership change is being applied: try again in a moment.',
    );
  await sleep(waitMs);
}
