/**
 * One request to the gateway: sends the bytes, decodes the v1.Reply (opening it when it is sealed
 * with the request's reply key) and returns the ok bytes or throws the typed error it carries.
 * NATS failures become typed errors too (nats-failure.ts): no responder or timeout →
 * UnavailableError naming the gateway (or the NATS connection, when it was down meanwhile:
 * connection-watch.ts), a permission violation → ForbiddenError. When no gateway runs at all, the
 * request fails at once instead of after its timeout (gateway-probe.ts).
 * @example const ok = await gatewayRequest(nc, DEVICE_SUBJECTS.refresh, bytes);
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { decode } from '../codec.ts';
import { MalformedError, UnavailableError } from '../errors.ts';
import { wasDown } from './connection-watch.ts';
import { errorFromReply } from './error-codes.ts';
import { requestOrProbe } from './gateway-probe.ts';
import { natsFailure, notConnected } from './nats-failure.ts';
import { openReply } from './reply-seal.ts';

export { natsFailure } from './nats-failure.ts';

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
  const startedAt = Date.now();
  try {
    data = (await requestOrProbe(nc, subject, body, options.timeoutMs ?? 5000)).data;
  } catch (error) {
    const failure = natsFailure(error, subject, 'gateway');
    // No answer while the connection was down: the gateway may never have had the request.
    if (
      failure instanceof UnavailableError &&
      failure.service === 'gateway' &&
      !failure.notRunning &&
      wasDown(nc, startedAt)
    )
      throw notConnected(subject, error);
    throw failure;
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
