/**
 * Issues a device's NATS user JWT: subject = the device key as a user nkey, signed with the app
 * account's signing key, short-lived, permissions from `devicePermissions`. Not a bearer token:
 * the server also checks that the connection signs its nonce with the device key.
 * @example const { jwt, expiresAtMs } = await issueDeviceJwt(issuer, { deviceKey, userId, permissions, lifetimeMs });
 */
import { encodeUser, type KeyPair } from '@nats-io/jwt';
import { userNkey } from '../core/transport/index.ts';
import type { JwtPermissions } from './permissions.ts';

export interface JwtIssuer {
  appAccountPublicKey: string;
  appSigningKey: KeyPair;
}

export interface DeviceJwtInput {
  deviceKey: Uint8Array;
  userId: string;
  permissions: JwtPermissions;
  lifetimeMs: number;
  now?: number;
}

export async function issueDeviceJwt(
  issuer: JwtIssuer,
  input: DeviceJwtInput,
): Promise<{ jwt: string; expiresAtMs: number }> {
  const now = input.now ?? Date.now();
  // JWT times are whole seconds; round down so the client never believes in a later expiry.
  const exp = Math.floor((now + input.lifetimeMs) / 1000);
  const jwt = await encodeUser(
    input.userId,
    userNkey(input.deviceKey),
    issuer.appAccountPublicKey,
    {
      ...input.permissions,
      allowed_connection_types: ['STANDARD', 'WEBSOCKET'],
      subs: -1,
      data: -1,
      payload: -1,
    },
    { signer: issuer.appSigningKey, exp },
  );
  return { jwt, expiresAtMs: exp * 1000 };
}
