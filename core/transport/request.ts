/**
 * One request to the gateway: sends the bytes, decodes the v1.Reply (opening it when it is sealed
 * with the request's reply key) and returns the ok bytes or throws the typed error it carries.
 * NATS failures become typed errors too: no responder or timeout → UnavailableError, a permission
 * violation → ForbiddenError.
 * @example const ok = await gatewayRequest(nc, DEVICE_SUBJECTS.refresh, bytes);
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { type roomkey, v1 } from '../../proto/index.ts';
import { decode } from '../codec.ts';
import { ForbiddenError, MalformedError, RoomKeyError, UnavailableError } from '../errors.ts';
import { errorFromReply } from './error-codes.ts';
import { openReply } from './reply-seal.ts';

/** Replies are small; anything bigger is not from a well-behaved gateway. */
export const MAX_REPLY_BYTES = 256 * 1024;

export interface GatewayRequestOptions {
  timeoutMs?: number;
  /** The request's reply key: the reply must then be sealed with it (login-credential subjects). */
  replyKey?: Uint8Array;
}

export async function gatewayRequest(
  nc: NatsConnection,
  subject: string,
  body: Uint8Array,
  options: GatewayRequestOptions = {},
): Promise<Uint8Array> {
  let data: Uint8Array;
  try {
    data = (await nc.request(subject, body, { timeout: options.timeoutMs ?? 5000 })).data;
  } catch (error) {
    throw natsFailure(error, subject);
  }
  return unwrapReply(decode(v1.Reply, data, 'gateway reply', MAX_REPLY_BYTES), options.replyKey);
}

/** The ok bytes of a Reply, or the typed error it carries. */
export function unwrapReply(reply: roomkey.v1.Reply, replyKey?: Uint8Array): Uint8Array {
  if (reply.result === 'sealed') {
    if (!replyKey) throw new MalformedError('gateway reply: sealed, but this request had no reply key');
    const inner = decode(
      v1.Reply,
      openReply(replyKey, reply.sealed ?? {}),
      'sealed gateway reply',
      MAX_REPLY_BYTES,
    );
    if (inner.result === 'sealed') throw new MalformedError('gateway reply: sealed twice');
    return unwrapReply(inner);
  }
  if (reply.result === 'error') throw errorFromReply(reply.error ?? {});
  if (reply.result === 'ok') {
    // An unsealed success where a sealed one was due would mean someone else answered.
    if (replyKey) throw new MalformedError('gateway reply: expected a sealed reply, got a plain one');
    return reply.ok ?? new Uint8Array(0);
  }
  throw new MalformedError('gateway reply: neither ok nor error');
}

/** Maps a nats.js request failure to a typed error (walking the `cause` chain). */
export function natsFailure(error: unknown, subject: string): RoomKeyError {
  if (error instanceof RoomKeyError) return error;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'PermissionViolationError') {
      return new ForbiddenError(
        `NATS refused ${subject}: this credential has no permission for it (${e.message}).`,
      );
    }
    if (e.name === 'NoRespondersError') {
      return new UnavailableError(`No gateway is answering on ${subject}: is the gateway running?`, {
        cause: error,
      });
    }
    if (e.name === 'TimeoutError') {
      return new UnavailableError(`The gateway did not answer ${subject} in time; try again.`, {
        cause: error,
      });
    }
  }
  return new UnavailableError(`Request ${subject} failed: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}
