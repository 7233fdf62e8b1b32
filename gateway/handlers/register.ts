/**
 * Sign-up with OPAQUE, in two stateless steps on the login credential.
 * start: username + OPAQUE registration request → registration response (nothing stored).
 * finish: username + OPAQUE registration record + self-signed identity + first device certificate;
 * everything is verified first, then the user, the credential (sealed) and the device are created
 * with create-if-absent writes, undone in reverse if a later one loses a race.
 * Usernames are unique, so start says when one is taken: that much enumeration is inherent, and
 * every start counts against the connection's and the source address's sign-up limits.
 */
import * as opaque from '@serenity-kit/opaque';
import { fromBase64Url, toBase64Url, toHex } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { ConflictError, MalformedError } from '../../core/errors.ts';
import { LOGIN_SUBJECTS, normalizeUsername } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import {
  checkDeviceCertificate,
  checkIdentity,
  checkIdentityBackup,
  opaqueCall,
  requireBytes,
  signedOf,
  takeReplyKey,
} from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { dayOf } from '../device-last-seen.ts';
import { throttleSubjects } from '../rate-limit.ts';
import { usernameKey } from '../server-keys.ts';
import type { Endpoint } from '../service.ts';

const MAX_REQUEST = 8 * 1024;

export function registerStart(ctx: GatewayContext): Endpoint {
  return {
    subject: LOGIN_SUBJECTS.registerStart,
    maxBytes: MAX_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.RegisterStartRequest, data, 'register start request');
      takeReplyKey(call, req.replyKey);
      const username = normalizeUsername(req.username);
      const request = requireBytes(req.registrationRequest, 32, 256, 'registration_request');
      const { registrationResponse } = opaqueCall('registration_request', () =>
        opaque.server.createRegistrationResponse({
          serverSetup: ctx.stack.secrets.opaqueServerSetup,
          userIdentifier: username,
          registrationRequest: toBase64Url(request),
        }),
      );
      // Counted once the request is well formed (a malformed one stores nothing), and before the
      // taken check: probing for usernames costs the same as signing up.
      await ctx.signUpLimiter.recordAttempt(throttleSubjects(call));
      if (await ctx.buckets.credentials.get(usernameKey(ctx.keys, username))) {
        throw new ConflictError(`The username "${username}" is taken: choose another.`);
      }
      return encode(v1.RegisterStartResponse, { registrationResponse: fromBase64Url(registrationResponse) });
    },
  };
}

export function registerFinish(ctx: GatewayContext): Endpoint {
  return {
    subject: LOGIN_SUBJECTS.registerFinish,
    maxBytes: MAX_REQUEST,
    handle: async (data, call) => {
      const req = decode(v1.RegisterFinishRequest, data, 'register finish request');
      takeReplyKey(call, req.replyKey);
      const username = normalizeUsername(req.username);
      const record = requireBytes(req.registrationRecord, 64, 1024, 'registration_record');
      checkRegistrationRecord(ctx, username, record);
      const identity = await checkIdentity(req.identity);
      if (identity.body.username !== username) {
        throw new MalformedError(`identity: its username must be the normalized username "${username}"`);
      }
      const now = ctx.now();
      const device = await checkDeviceCertificate(req.deviceCertificate, identity.body, now);
      const identityBackup = checkIdentityBackup(req.identityBackup);
      const userId = identity.body.userId;
      const deviceKeyHex = toHex(device.deviceKey);
      const nameKey = usernameKey(ctx.keys, username);
      if (await ctx.buckets.credentials.get(nameKey))
        throw new ConflictError(`The username "${username}" is taken.`);
      if (await ctx.buckets.devices.get(deviceKeyHex))
        throw new ConflictError('This device key is already registered.');

      const { users, credentials, devices } = ctx.buckets;
      await users.create(
        userId,
        { identity: identity.signed, createdAtMs: now, deviceKeys: [device.deviceKey] },
        `The user id ${userId} is taken.`,
      );
      try {
        await credentials.create(
          nameKey,
          {
            username,
            userId,
            registrationRecord: toBase64Url(record),
            createdAtMs: now,
            ...(identityBackup ? { identityBackup } : {}),
          },
          `The username "${username}" is taken.`,
        );
      } catch (error) {
        await users.delete(userId);
        throw error;
      }
      try {
        await devices.create(
          deviceKeyHex,
          {
            userId,
            deviceCertificate: signedOf(req.deviceCertificate!),
            createdAtMs: now,
            lastSeenDay: dayOf(now),
          },
          'This device key is already registered.',
        );
      } catch (error) {
        await credentials.delete(nameKey);
        await users.delete(userId);
        throw error;
      }
      return encode(v1.RegisterFinishResponse, { userId });
    },
  };
}

/**
 * A record that OPAQUE cannot parse would only fail at the first login: try it now with a
 * throwaway credential request, so a broken sign-up is refused while the user is still there.
 */
function checkRegistrationRecord(ctx: GatewayContext, username: string, record: Uint8Array): void {
  const { startLoginRequest } = opaque.client.startLogin({ password: 'registration-record-check' });
  opaqueCall('registration_record', () =>
    opaque.server.startLogin({
      serverSetup: ctx.stack.secrets.opaqueServerSetup,
      userIdentifier: username,
      registrationRecord: toBase64Url(record),
      startLoginRequest,
    }),
  );
}
