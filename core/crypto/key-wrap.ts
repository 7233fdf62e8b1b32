/**
 * Key wraps: epoch secrets HPKE-sealed to one user's X25519 key (RFC 9180 base mode),
 *   info = utf8("roomkey/v1/key-wrap"), aad = encoded KeyWrapContext { room_id, epoch, recipient_user_id },
 * so a wrap cannot be moved to another room, epoch or recipient. The plaintext is an encoded
 * EpochSecrets: the wrap's own epoch, plus earlier ones when the room shares history.
 * @example const wrap = await wrapEpochSecrets({ roomId, epoch, recipientUserId, recipientHpkeKey, secrets: [{ epoch, secret }] });
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { utf8 } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { MalformedError } from '../errors.ts';
import { copyBytes, requireBytes, requireEpoch, requireId } from './_checks.ts';
import { EPOCH_SECRET_BYTES } from './epoch.ts';
import { HPKE_ENC_BYTES, HPKE_TAG_BYTES, hpkeOpen, hpkeSeal } from './hpke.ts';
import { HPKE_INFO_KEY_WRAP } from './labels.ts';

/** Enough for years of hourly rotations shared as history; bounds the work of a hostile wrap. */
export const MAX_WRAPPED_SECRETS = 100_000;

export interface EpochSecretEntry {
  epoch: number;
  secret: Uint8Array;
}

/** What a wrap is bound to (the AAD). */
export interface KeyWrapContext {
  roomId: string;
  epoch: number;
  recipientUserId: string;
}

/** The fields of a v1.KeyWrap. */
export interface KeyWrapProps {
  recipientUserId: string;
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

/**
 * The AAD of a wrap: the encoded KeyWrapContext.
 * @example keyWrapAad({ roomId: 'r', epoch: 1, recipientUserId: 'u' })
 */
export function keyWrapAad(context: KeyWrapContext): Uint8Array {
  return encode(v1.KeyWrapContext, {
    roomId: requireId(context.roomId, 'key wrap: room id'),
    epoch: requireEpoch(context.epoch, 'key wrap: epoch'),
    recipientUserId: requireId(context.recipientUserId, 'key wrap: recipient user id'),
  });
}

/** Sorted by epoch, unique, 32 bytes each, none after the wrap's epoch, the wrap's epoch present. */
function checkSecrets(
  secrets: readonly roomkey.v1.IEpochSecret[],
  epoch: number,
  what: string,
): EpochSecretEntry[] {
  if (!Array.isArray(secrets) || secrets.length === 0) throw new MalformedError(`${what}: no epoch secrets`);
  if (secrets.length > MAX_WRAPPED_SECRETS) throw new MalformedError(`${what}: too many epoch secrets`);
  const sorted = secrets
    .map((s) => ({
      epoch: requireEpoch(s?.epoch, `${what}: epoch`),
      secret: copyBytes(s?.secret, EPOCH_SECRET_BYTES, `${what}: epoch secret`),
    }))
    .sort((a, b) => a.epoch - b.epoch);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.epoch === sorted[i - 1]!.epoch)
      throw new MalformedError(`${what}: epoch ${sorted[i]!.epoch} twice`);
  }
  const last = sorted[sorted.length - 1]!;
  if (last.epoch !== epoch)
    throw new MalformedError(`${what}: must hold the secret of epoch ${epoch} and none later`);
  return sorted;
}

/**
 * Seals epoch secrets to a user's HPKE public key. `ikmE` fixes the ephemeral key: vectors only.
 * @example const wrap = await wrapEpochSecrets({ roomId: 'r', epoch: 2, recipientUserId: 'u', recipientHpkeKey, secrets });
 */
export async function wrapEpochSecrets(
  input: KeyWrapContext & {
    recipientHpkeKey: Uint8Array;
    secrets: readonly EpochSecretEntry[];
    ikmE?: Uint8Array;
  },
): Promise<KeyWrapProps> {
  const aad = keyWrapAad(input);
  const secrets = checkSecrets(input.secrets, input.epoch, 'key wrap');
  const plaintext = encode(v1.EpochSecrets, { secrets });
  const info = utf8(HPKE_INFO_KEY_WRAP);
  const sealed = await hpkeSeal(input.recipientHpkeKey, plaintext, info, aad, input.ikmE);
  return { recipientUserId: input.recipientUserId, enc: sealed.enc, ciphertext: sealed.ciphertext };
}

/**
 * Opens a wrap addressed to this user for (room id, epoch); returns the secrets sorted by epoch.
 * MalformedError (shape, other recipient), DecryptError (wrong key, or moved to another context).
 * @example const secrets = await unwrapEpochSecrets(wrap, { roomId, epoch, recipientUserId: me, recipientHpkePrivateKey });
 */
export async function unwrapEpochSecrets(
  wrap: roomkey.v1.IKeyWrap,
  context: KeyWrapContext & { recipientHpkePrivateKey: Uint8Array },
): Promise<EpochSecretEntry[]> {
  if (wrap === null || typeof wrap !== 'object') throw new MalformedError('key wrap: expected a KeyWrap');
  if (wrap.recipientUserId !== context.recipientUserId) {
    throw new MalformedError(
      `key wrap: addressed to ${String(wrap.recipientUserId)}, not ${context.recipientUserId}`,
    );
  }
  const enc = requireBytes(wrap.enc, HPKE_ENC_BYTES, 'key wrap: enc');
  const ciphertext = requireBytes(
    wrap.ciphertext,
    { min: HPKE_TAG_BYTES, max: 64 * MAX_WRAPPED_SECRETS },
    'key wrap: ciphertext',
  );
  const plaintext = await hpkeOpen(
    context.recipientHpkePrivateKey,
    enc,
    ciphertext,
    utf8(HPKE_INFO_KEY_WRAP),
    keyWrapAad(context),
  );
  const decoded = decode(v1.EpochSecrets, plaintext, 'key wrap: epoch secrets');
  return checkSecrets(decoded.secrets, context.epoch, 'key wrap');
}
