/**
 * Log-in with OPAQUE, in two stateless steps on the login credential.
 * start: throttled per (username, address), connection and address, and slowed down for new
 * addresses when one username draws many failures (rate-limit.ts); then KE1 → KE2 plus a sealed,
 * short-lived login handle. An unknown username gets a fake KE2 from the library,
 * indistinguishable from a real one.
 * finish: handle (single use) + KE3 + the device's certificate → the DeviceSession (NATS user JWT
 * for the device key, the sealed identity backup), sealed with the OPAQUE session key so only the
 * password holder can read it. Without a certificate (a new device) the session carries the backup
 * and an enroll token instead of a JWT (handlers/enroll.ts).
 */
import * as opaque from '@serenity-kit/opaque';
import { fromBase64Url, toBase64Url } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { BadCredentialsError, InternalError } from '../../core/errors.ts';
import { LOGIN_SUBJECTS, normalizeUsername, sealDeviceSession } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { checkDeviceCertificate, opaqueCall, requireBytes, storedIdentity, takeReplyKey } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { issueForDevice } from '../device-session.ts';
import { registerDevice } from '../devices.ts';
import { sealEnrollToken } from '../enroll-token.ts';
import { consumeLoginHandle, openLoginHandle, sealLoginHandle } from '../login-handle.ts';
import { throttleSubjects } from '../rate-limit.ts';
import { usernameKey } from '../server-keys.ts';
import type { Endpoint } from '../service.ts';

const MAX_REQUEST = 8 * 1024;

export function loginStart(ctx: GatewayContext): Endpoint {
  return {
    subject: LOGIN_SUBJECTS.loginStart,
    maxBytes: MAX_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.LoginStartRequest, data, 'login start request');
      takeReplyKey(call, req.replyKey);
      const username = normalizeUsername(req.username);
      const ke1 = requireBytes(req.credentialRequest, 32, 256, 'credential_request');
      const subjects = throttleSubjects(call, username);
      await ctx.limiter.check(subjects);
      const credential = await ctx.buckets.credentials.get(usernameKey(ctx.keys, username));
      const { loginResponse, serverLoginState } = opaqueCall('credential_request', () =>
        opaque.server.startLogin({
          serverSetup: ctx.stack.secrets.opaqueServerSetup,
          userIdentifier: username,
          registrationRecord: credential?.value.registrationRecord ?? null,
          startLoginRequest: toBase64Url(ke1),
        }),
      );
      // Counted once the request is a real attempt (a malformed one stores nothing).
      await ctx.limiter.recordAttempt(subjects);
      const loginHandle = sealLoginHandle(
        ctx.keys,
        { username, serverLoginState },
        ctx.loginHandleLifetimeMs,
        ctx.now(),
      );
      return encode(v1.LoginStartResponse, { credentialResponse: fromBase64Url(loginResponse), loginHandle });
    },
  };
}

export function loginFinish(ctx: GatewayContext): Endpoint {
  return {
    subject: LOGIN_SUBJECTS.loginFinish,
    maxBytes: MAX_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.LoginFinishRequest, data, 'login finish request');
      takeReplyKey(call, req.replyKey);
      const now = ctx.now();
      const handle = openLoginHandle(ctx.keys, req.loginHandle, now);
      const ke3 = requireBytes(req.credentialFinalization, 32, 256, 'credential_finalization');
      const subjects = throttleSubjects(call, handle.username);
      await ctx.limiter.check(subjects);
      await consumeLoginHandle(ctx.buckets.loginHandles, handle);

      let sessionKey: Uint8Array;
      try {
        const finished = opaque.server.finishLogin({
          serverLoginState: handle.serverLoginState,
          finishLoginRequest: toBase64Url(ke3),
        });
        sessionKey = fromBase64Url(finished.sessionKey);
      } catch {
        throw new BadCredentialsError();
      }
      await ctx.limiter.recordSuccess(subjects);

      const credential = await ctx.buckets.credentials.get(usernameKey(ctx.keys, handle.username));
      const user = credential && (await ctx.buckets.users.get(credential.value.userId));
      if (!credential || !user) throw new InternalError(`user record missing for a valid login`);
      const userId = credential.value.userId;
      const backup = credential.value.identityBackup ?? undefined;
      let session: Uint8Array;
      if (req.deviceCertificate) {
        const identity = storedIdentity(user.value);
        const device = await checkDeviceCertificate(req.deviceCertificate, identity, now);
        await registerDevice(ctx, userId, device, req.deviceCertificate);
        const { jwt, expiresAtMs } = await issueForDevice(ctx, userId, device.deviceKey);
        session = encode(v1.DeviceSession, {
          userJwt: jwt,
          expiresAtMs,
          identity: user.value.identity,
          ...(backup ? { identityBackup: backup } : {}),
        });
      } else {
        // A new device: it restores the user keys from the backup, then enrolls its certificate.
        session = encode(v1.DeviceSession, {
          identity: user.value.identity,
          ...(backup ? { identityBackup: backup } : {}),
          enrollToken: sealEnrollToken(ctx.keys, userId, now),
        });
      }
      return encode(v1.LoginFinishResponse, sealDeviceSession(sessionKey, session));
    },
  };
}
