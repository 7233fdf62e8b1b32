/**
 * The gateway's read-marker API on the device connection (MARKER_SUBJECTS): `set` advances this
 * user's marker of one room (the gateway never moves it back and answers with the marker it keeps),
 * `list` returns every room's. The gateway learns only "read up to sequence N" of a room. Replies
 * are hostile input: a marker without a room id or a usable sequence is left out, never guessed.
 * @example const markers = await listReadMarkers(nc); markers.get(roomId) // → 42
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { decode, encode } from '../codec.ts';
import { gatewayRequest } from '../transport/request.ts';
import { MARKER_SUBJECTS } from '../transport/subjects.ts';

/** Room ids are 32 hex characters; a longer one is not a room of ours. */
const MAX_ROOM_ID_CHARS = 64;

export interface ReadMarkerApiOptions {
  timeoutMs?: number;
}

/**
 * The room and sequence a ReadMarker names, or undefined when it names neither usably.
 * @example const read = readMarkerOf(notice.read); if (read) markers.apply(read.roomId, read.seq);
 */
export function readMarkerOf(
  marker: roomkey.v1.ReadMarker.$Properties | null | undefined,
): { roomId: string; seq: number } | undefined {
  const roomId = marker?.roomId;
  const seq = Number(marker?.streamSequence ?? 0);
  if (typeof roomId !== 'string' || roomId === '' || roomId.length > MAX_ROOM_ID_CHARS) return undefined;
  if (!Number.isSafeInteger(seq) || seq <= 0) return undefined;
  return { roomId, seq };
}

/**
 * This user's read markers, room id → the sequence read up to.
 * @example const upTo = (await listReadMarkers(nc)).get(roomId) ?? 0;
 */
export async function listReadMarkers(
  nc: NatsConnection,
  options: ReadMarkerApiOptions = {},
): Promise<Map<string, number>> {
  const reply = await gatewayRequest(nc, MARKER_SUBJECTS.list, new Uint8Array(0), options);
  const list = decode(v1.ReadMarkerList, reply, 'read marker list');
  const out = new Map<string, number>();
  for (const marker of list.markers ?? []) {
    const read = readMarkerOf(marker);
    if (read) out.set(read.roomId, Math.max(out.get(read.roomId) ?? 0, read.seq));
  }
  return out;
}

/**
 * Advances this user's marker of a room; resolves with the sequence the gateway keeps (never less
 * than before, so it may be higher than `seq` when another device read further).
 * @example const kept = await setReadMarker(nc, { roomId, seq: 42 });
 */
export async function setReadMarker(
  nc: NatsConnection,
  marker: { roomId: string; seq: number; messageId?: Uint8Array },
  options: ReadMarkerApiOptions = {},
): Promise<number> {
  const body = encode(v1.ReadMarker, {
    roomId: marker.roomId,
    streamSequence: marker.seq,
    ...(marker.messageId && { messageId: marker.messageId }),
    readAtMs: Date.now(),
  });
  const reply = await gatewayRequest(nc, MARKER_SUBJECTS.set, body, options);
  const kept = readMarkerOf(decode(v1.ReadMarker, reply, 'read marker'));
  return kept?.roomId === marker.roomId ? kept.seq : 0;
}
