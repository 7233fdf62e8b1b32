/**
 * The login handle: the OPAQUE server state between login start and finish, sealed with a key
 * from the server secret and handed to the client, so any gateway can finish any login and none
 * keeps state. It expires quickly and is single-use (the finish step records its id in KV).
 * @example const handle = sealLoginHandle(keys, { username, serverLoginState }, lifetimeMs);
 */

import type { KV } from '@nats-io/kv';
import { randomBytes } from '@noble/ciphers/utils.js';
import { toHex, utf8 } from '../core/bytes.ts';
import { decode, encode } from '../core/codec.ts';
import { ExpiredError, MalformedError } from '../core/errors.ts';
import { type roomkey, v1 } from '../proto/index.ts';
import { markUsedOnce } from './sealed-kv.ts';
import { openRecord, type ServerKeys, sealRecord } from './server-keys.ts';

const AAD = utf8('roomkey/v1/login-handle');
export const MAX_LOGIN_HANDLE_BYTES = 1024;

export function sealLoginHandle(
  keys: ServerKeys,
  state: { username: string; serverLoginState: string },
  lifetimeMs: number,
  now = Date.now(),
): Uint8Array {
  const handle: roomkey.v1.LoginHandle.$Properties = {
    handleId: randomBytes(16),
    username: state.username,
    serverLoginState: state.serverLoginState,
    expiresAtMs: now + lifetimeMs,
  };
  return sealRecord(keys.loginHandles, encode(v1.LoginHandle, handle), AAD);
}

/** Opens and checks a handle; MalformedError if it is not ours, ExpiredError if too old. */
export function openLoginHandle(keys: ServerKeys, sealed: unknown, now = Date.now()): roomkey.v1.LoginHandle {
  if (!(sealed instanceof Uint8Array) || sealed.length === 0 || sealed.length > MAX_LOGIN_HANDLE_BYTES) {
    throw new MalformedError('login_handle: missing or of the wrong size; start the login again');
  }
  let plain: Uint8Array;
  try {
    plain = openRecord(keys.loginHandles, sealed, AAD, 'login_handle');
  } catch {
    throw new MalformedError(
      'login_handle: not issued by this deployment (or modified); start the login again',
    );
  }
  const handle = decode(v1.LoginHandle, plain, 'login handle');
  if (!(handle.handleId instanceof Uint8Array) || handle.handleId.length !== 16) {
    throw new MalformedError('login_handle: no id');
  }
  if (Number(handle.expiresAtMs) <= now)
    throw new ExpiredError('login_handle expired: start the login again');
  return handle;
}

/** Marks a handle used, once across all gateways; ReplayError the second time. */
export async function consumeLoginHandle(kv: KV, handle: roomkey.v1.LoginHandle): Promise<void> {
  await markUsedOnce(kv, toHex(handle.handleId), 'login_handle was already used: start the login again');
}
