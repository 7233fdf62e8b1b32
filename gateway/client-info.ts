/**
 * Who sent a request, as the NATS server asserts it: the app account imports the gateway API with
 * `share: true`, so the server stamps each request with a Nats-Request-Info header (the caller's
 * account, nkey, connection id, server, address) and replaces any copy the client sent.
 * @example const caller = callerOf(msg); if (caller.account !== appAccount) throw new ForbiddenError(...)
 */
import type { Msg } from '@nats-io/nats-core';
import { ForbiddenError } from '../core/errors.ts';

export interface Caller {
  account: string;
  /** The connection's user nkey: for a device, its device key. */
  user: string;
  /** "server-id/connection-id": unique per live connection. */
  connection: string;
  /** Remote address as the server saw it. */
  host: string;
}

export const CLIENT_INFO_HEADER = 'Nats-Request-Info';
const MAX_HEADER_BYTES = 16 * 1024;

export function callerOf(msg: Msg): Caller {
  const raw = msg.headers?.get(CLIENT_INFO_HEADER) ?? '';
  if (!raw || raw.length > MAX_HEADER_BYTES) {
    throw new ForbiddenError('Requests must come through the app account (no caller information).');
  }
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new ForbiddenError('Caller information is not readable.');
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const account = text(info['acc']);
  const user = text(info['user']);
  if (!account || !user) throw new ForbiddenError('Caller information lacks the account or user.');
  return {
    account,
    user,
    connection: `${text(info['server'])}/${typeof info['id'] === 'number' ? info['id'] : ''}`,
    host: text(info['host']),
  };
}
