/**
 * Read markers in KV: one sealed ReadMarkerList per user (bucket rk_markers, key = user id), so
 * listing is one read and the server learns only "read up to sequence N" per room. A marker only
 * moves forward: a set below the stored one changes nothing and returns the stored one. Writes
 * are compare-and-set, so two devices (or gateways) racing both land, the higher one winning.
 * @example const { marker, advanced } = await advanceMarker(buckets.markers, userId, { roomId, streamSequence: 42 }, now);
 */
import { ConflictError } from '../core/errors.ts';
import type { roomkey } from '../proto/index.ts';
import type { Buckets } from './buckets.ts';

/** Markers kept per user; past it the least recently read room's marker is dropped (it only saves a re-notify). */
export const MAX_MARKERS_PER_USER = 2000;
const MAX_CAS_RETRIES = 8;

type MarkerBucket = Buckets['markers'];
export type StoredMarker = roomkey.v1.ReadMarker.$Properties & { roomId: string; streamSequence: number };

/**
 * Every marker of a user.
 * @example const markers = await listMarkers(buckets.markers, userId);
 */
export async function listMarkers(bucket: MarkerBucket, userId: string): Promise<StoredMarker[]> {
  const record = await bucket.get(userId);
  return (record?.value.markers ?? []).map(stored);
}

/**
 * The user's markers as room id → sequence (what the router compares message sequences with).
 * @example (await markerSeqs(buckets.markers, userId)).get(roomId) ?? 0
 */
export async function markerSeqs(bucket: MarkerBucket, userId: string): Promise<Map<string, number>> {
  return new Map((await listMarkers(bucket, userId)).map((m) => [m.roomId, m.streamSequence]));
}

/**
 * Moves the user's marker of `marker.roomId` up to `marker.streamSequence` (never down).
 * @example await advanceMarker(buckets.markers, userId, { roomId, streamSequence: 7, messageId }, Date.now())
 */
export async function advanceMarker(
  bucket: MarkerBucket,
  userId: string,
  marker: { roomId: string; streamSequence: number; messageId?: Uint8Array },
  nowMs: number,
): Promise<{ marker: StoredMarker; advanced: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const record = await bucket.get(userId);
    const markers = (record?.value.markers ?? []).map(stored);
    const current = markers.find((m) => m.roomId === marker.roomId);
    if (current && current.streamSequence >= marker.streamSequence)
      return { marker: current, advanced: false };
    // The gateway's clock, not the device's: read_at_ms orders markers for the cap below.
    const next: StoredMarker = {
      roomId: marker.roomId,
      streamSequence: marker.streamSequence,
      messageId: marker.messageId ?? new Uint8Array(0),
      readAtMs: nowMs,
    };
    const others = markers
      .filter((m) => m.roomId !== marker.roomId)
      .sort((a, b) => Number(b.readAtMs) - Number(a.readAtMs))
      .slice(0, MAX_MARKERS_PER_USER - 1);
    try {
      const value = { markers: [next, ...others] };
      if (record) await bucket.update(userId, value, record.revision, 'marker raced');
      else await bucket.create(userId, value, 'marker raced');
      return { marker: next, advanced: true };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_CAS_RETRIES) throw error;
    }
  }
}

function stored(m: roomkey.v1.IReadMarker): StoredMarker {
  return {
    roomId: m.roomId ?? '',
    streamSequence: Number(m.streamSequence ?? 0),
    messageId: m.messageId ?? new Uint8Array(0),
    readAtMs: Number(m.readAtMs ?? 0),
  };
}
