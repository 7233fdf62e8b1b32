/**
 * Device keys and their certificates. A device key is Ed25519 (also the device's NATS nkey); the
 * user's signing key certifies it with a DeviceCertificateBody (label "roomkey/v1/device-certificate").
 * @example const cert = await signDeviceCertificate(userKeys, { userId, deviceKey: device.publicKey, deviceName: 'laptop', issuedAtMs: now });
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { decode, encode } from '../codec.ts';
import { BadSignatureError, ExpiredError, MalformedError } from '../errors.ts';
import { copyBytes, requireId, requireText, requireTime } from './_checks.ts';
import { LABEL_DEVICE_CERTIFICATE } from './labels.ts';
import {
  ED25519_PUBLIC_KEY_BYTES,
  requireSigningPublicKey,
  type SigningKeyPair,
  type SignOptions,
  signingKeyPair,
} from './sign.ts';
import { decodeSigned, type SignedProps, signBody, verifySigned } from './signed.ts';

/** Device names are labels the user picks ("work laptop"); 256 UTF-8 bytes is ample. */
export const MAX_DEVICE_NAME_BYTES = 256;

/** The verified content of a DeviceCertificateBody. `expiresAtMs` 0 means no expiry. */
export interface DeviceCertificate {
  userId: string;
  deviceKey: Uint8Array;
  deviceName: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

/**
 * A device key pair from a 32-byte seed (deterministic), or random.
 * @example const device = createDeviceKey();
 */
export function createDeviceKey(seed?: Uint8Array): SigningKeyPair {
  return signingKeyPair(seed);
}

/**
 * The user's signing key certifies a device key. `expiresAtMs` omitted or 0: no expiry.
 * @example const cert = await signDeviceCertificate(userKeys, { userId: 'u1', deviceKey, deviceName: 'phone', issuedAtMs: Date.now() });
 */
export async function signDeviceCertificate(
  user: { signingSecretKey: Uint8Array },
  fields: {
    userId: string;
    deviceKey: Uint8Array;
    deviceName: string;
    issuedAtMs: number;
    expiresAtMs?: number;
  },
  options?: SignOptions,
): Promise<SignedProps> {
  const certificate = checkFields({ ...fields, expiresAtMs: fields.expiresAtMs ?? 0 }, 'device certificate');
  return signBody(
    LABEL_DEVICE_CERTIFICATE,
    encode(v1.DeviceCertificateBody, certificate),
    user.signingSecretKey,
    options,
  );
}

/**
 * Verifies a device certificate against the user it claims: signer == user's signing key, the
 * signature, field lengths, body user id == user id, and expiry at `nowMs`. Both keys must pass the
 * strict Ed25519 key rule (canonical, prime order), as every verifier of the device's signatures requires.
 * BadSignatureError (forged or foreign), MalformedError (shape, unusable key), ExpiredError (past expiry).
 * @example const cert = await verifyDeviceCertificate(signed, { userId: identity.userId, signingKey: identity.signingKey }, Date.now());
 */
export async function verifyDeviceCertificate(
  signed: roomkey.v1.ISigned | Uint8Array,
  user: { userId: string; signingKey: Uint8Array },
  nowMs: number,
  options?: SignOptions,
): Promise<DeviceCertificate> {
  requireTime(nowMs, 'now');
  requireSigningPublicKey(user.signingKey, 'user signing key');
  const checked = signed instanceof Uint8Array ? decodeSigned(signed, 'device certificate') : signed;
  const bodyBytes = await verifySigned(LABEL_DEVICE_CERTIFICATE, checked, {
    ...options,
    expectedSigner: user.signingKey,
  });
  const body = decode(v1.DeviceCertificateBody, bodyBytes, 'device certificate');
  const certificate = checkFields(body, 'device certificate');
  if (certificate.userId !== user.userId) {
    throw new BadSignatureError(
      `device certificate: issued for user ${certificate.userId}, not ${user.userId}.`,
    );
  }
  if (certificate.expiresAtMs !== 0 && nowMs >= certificate.expiresAtMs) {
    throw new ExpiredError(
      `device certificate: expired at ${new Date(certificate.expiresAtMs).toISOString()}; the device must be certified again.`,
    );
  }
  return certificate;
}

function checkFields(fields: roomkey.v1.DeviceCertificateBody.$Properties, what: string): DeviceCertificate {
  const certificate: DeviceCertificate = {
    userId: requireId(fields.userId, `${what}: user id`),
    deviceKey: requireSigningPublicKey(
      copyBytes(fields.deviceKey, ED25519_PUBLIC_KEY_BYTES, `${what}: device key`),
      `${what}: device key`,
    ),
    deviceName: requireText(fields.deviceName ?? '', MAX_DEVICE_NAME_BYTES, `${what}: device name`),
    issuedAtMs: requireTime(fields.issuedAtMs ?? 0, `${what}: issued at`),
    expiresAtMs: requireTime(fields.expiresAtMs ?? 0, `${what}: expires at`),
  };
  if (certificate.expiresAtMs !== 0 && certificate.expiresAtMs <= certificate.issuedAtMs) {
    throw new MalformedError(`${what}: expires before it is issued`);
  }
  return certificate;
}
