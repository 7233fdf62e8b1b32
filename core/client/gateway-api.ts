/**
 * Typed requests to the gateway's device API (directory, rooms, admin) on a device connection.
 * Replies are decoded here; errors arrive as the typed errors the gateway sent (core/errors.ts).
 * Nothing returned is trusted: callers verify signatures (gateway-directory.ts, core/room).
 * @example const { chain } = await roomCommits(nc, { roomId, fromEpoch: 0 });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { decode, encode } from '../codec.ts';
import { UnavailableError } from '../errors.ts';
import { gatewayRequest } from '../transport/request.ts';
import { ADMIN_SUBJECTS, DIRECTORY_SUBJECTS, ROOM_SUBJECTS } from '../transport/subjects.ts';

export interface ApiOptions {
  timeoutMs?: number;
}

/**
 * Reads are retried once when no answer came (the connection may have been replaced by a
 * reconnect in between: the reply then went to the old one), but not when no gateway runs at all:
 * that is said at once. Changes are never retried here.
 */
async function call<T>(
  nc: NatsConnection,
  subject: string,
  body: Uint8Array,
  type: { decode(b: Uint8Array): T },
  what: string,
  options: ApiOptions,
  idempotent = true,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return decode(type, await gatewayRequest(nc, subject, body, { timeoutMs: options.timeoutMs }), what);
    } catch (error) {
      if (
        !idempotent ||
        attempt >= 2 ||
        !(error instanceof UnavailableError) ||
        error.notRunning ||
        nc.isClosed()
      )
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A directory lookup; `kind` picks the subject, `query` the field it needs. */
export function directoryLookup(
  nc: NatsConnection,
  kind: keyof typeof DIRECTORY_SUBJECTS,
  query: roomkey.v1.DirectoryRequest.$Properties,
  options: ApiOptions = {},
): Promise<roomkey.v1.DirectoryResponse> {
  return call(
    nc,
    DIRECTORY_SUBJECTS[kind],
    encode(v1.DirectoryRequest, query),
    v1.DirectoryResponse,
    'directory response',
    options,
  );
}

/**
 * Sends a signed genesis; the gateway makes the room.
 * @example await createRoomRequest(nc, room.genesisSigned);
 */
export function createRoomRequest(
  nc: NatsConnection,
  genesis: roomkey.v1.Signed.$Properties,
  options: ApiOptions = {},
): Promise<roomkey.v1.CreateRoomResponse> {
  return call(
    nc,
    ROOM_SUBJECTS.create,
    encode(v1.CreateRoomRequest, { genesis }),
    v1.CreateRoomResponse,
    'create room response',
    options,
    false,
  );
}

/**
 * Sends a signed commit (ConflictError when another commit won the epoch).
 * @example await commitRequest(nc, roomId, await room.rotate({ nowMs: Date.now() }));
 */
export function commitRequest(
  nc: NatsConnection,
  roomId: string,
  commit: roomkey.v1.Signed.$Properties,
  options: ApiOptions = {},
): Promise<roomkey.v1.CommitResponse> {
  return call(
    nc,
    ROOM_SUBJECTS.commit,
    encode(v1.CommitRequest, { roomId, commit }),
    v1.CommitResponse,
    'commit response',
    options,
    false,
  );
}

/**
 * The signed chain from `fromEpoch` on (paged: see `latestEpoch`).
 * @example const { chain, latestEpoch } = await roomCommits(nc, { roomId, fromEpoch: 0 });
 */
export function roomCommits(
  nc: NatsConnection,
  query: { roomId: string; fromEpoch: number },
  options: ApiOptions = {},
): Promise<roomkey.v1.CommitsResponse> {
  return call(
    nc,
    ROOM_SUBJECTS.commits,
    encode(v1.CommitsRequest, query),
    v1.CommitsResponse,
    'commits response',
    options,
  );
}

/**
 * The caller's rooms (is or was in).
 * @example const { rooms } = await roomList(nc);
 */
export function roomList(nc: NatsConnection, options: ApiOptions = {}): Promise<roomkey.v1.RoomListResponse> {
  return call(nc, ROOM_SUBJECTS.list, new Uint8Array(0), v1.RoomListResponse, 'room list', options);
}

/**
 * Places this device's consumer on the room's envelopes (never before the policy floor).
 * @example const cursor = await roomCursor(nc, { roomId, last: 50 });
 */
export function roomCursor(
  nc: NatsConnection,
  query: roomkey.v1.CursorRequest.$Properties,
  options: ApiOptions = {},
): Promise<roomkey.v1.CursorResponse> {
  return call(
    nc,
    ROOM_SUBJECTS.cursor,
    encode(v1.CursorRequest, query),
    v1.CursorResponse,
    'cursor',
    options,
  );
}

/** Sets an org's, a project's or a room's policy (the caller must be admin there or above). */
export async function setPolicy(
  nc: NatsConnection,
  level:
    | { org: roomkey.v1.OrgPolicy.$Properties }
    | { project: roomkey.v1.ProjectPolicy.$Properties }
    | { room: roomkey.v1.RoomPolicy.$Properties },
  options: ApiOptions = {},
): Promise<void> {
  if ('org' in level) await gatewayRequest(nc, ADMIN_SUBJECTS.org, encode(v1.OrgPolicy, level.org), options);
  else if ('project' in level)
    await gatewayRequest(nc, ADMIN_SUBJECTS.project, encode(v1.ProjectPolicy, level.project), options);
  else await gatewayRequest(nc, ADMIN_SUBJECTS.room, encode(v1.RoomPolicy, level.room), options);
}

/** The policy chain at a level (the caller needs a role there). */
export function getPolicy(
  nc: NatsConnection,
  query: roomkey.v1.PolicyGetRequest.$Properties,
  options: ApiOptions = {},
): Promise<roomkey.v1.PolicyGetResponse> {
  return call(
    nc,
    ADMIN_SUBJECTS.get,
    encode(v1.PolicyGetRequest, query),
    v1.PolicyGetResponse,
    'policy',
    options,
  );
}
