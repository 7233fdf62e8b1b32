// The first half of an OPAQUE login done by hand: login start on the gateway, then the client's
// OPAQUE finish, for tests that send (or tamper with, replay, delay) login finish themselves.
// Call after `await opaque.ready`.

import type { NatsConnection } from '@nats-io/nats-core';
import { randomBytes } from '@noble/hashes/utils.js';
import * as opaque from '@serenity-kit/opaque';
import { fromBase64Url, toBase64Url } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { newReplyKey } from '../../core/transport/reply-seal.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import { LOGIN_SUBJECTS } from '../../core/transport/subjects.ts';
import { v1 } from '../../proto/index.ts';
import type { TestUser } from './stack.ts';

export interface StartedLogin {
  /** The gateway's login handle, for login finish. */
  handle: Uint8Array;
  /** KE3 (the credential finalization); random bytes when the client's OPAQUE finish failed. */
  ke3: Uint8Array;
  /** The OPAQUE session key; undefined when the client's OPAQUE finish failed. */
  sessionKey: Uint8Array | undefined;
}

/** Runs login start for `user` over `anon` (the login credential) and returns what a client needs to finish. */
export async function startLogin(anon: NatsConnection, user: TestUser): Promise<StartedLogin> {
  const start = opaque.client.startLogin({ password: user.password });
  const replyKey = newReplyKey();
  const res = decode(
    v1.LoginStartResponse,
    await gatewayRequest(
      anon,
      LOGIN_SUBJECTS.loginStart,
      encode(v1.LoginStartRequest, {
        username: user.username,
        credentialRequest: fromBase64Url(start.startLoginRequest),
        replyKey,
      }),
      { replyKey },
    ),
    'login start response',
  );
  const finished = opaque.client.finishLogin({
    clientLoginState: start.clientLoginState,
    loginResponse: toBase64Url(res.credentialResponse),
    password: user.password,
  });
  return {
    handle: res.loginHandle,
    ke3: finished ? fromBase64Url(finished.finishLoginRequest) : randomBytes(64),
    sessionKey: finished ? fromBase64Url(finished.sessionKey) : undefined,
  };
}
