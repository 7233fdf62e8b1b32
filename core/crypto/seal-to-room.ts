/**
 * Seal to a room: anyone holding a room public key (an integration, the gateway's notices) HPKE-seals
 * to it; members open with the room private key of that epoch.
 *   info = utf8("roomkey/v1/seal-to-room"), aad = utf8(room id) || u32be(epoch)   (epoch fixed width, last)
 * @example const sealed = await sealToRoom({ roomId, epoch, roomPublicKey, plaintext });
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { concatBytes, u32be, utf8 } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { MalformedError } from '../errors.ts';
import { copyBytes, requireBytes, requireEpoch, requireId } from './_checks.ts';
import { HPKE_ENC_BYTES, HPKE_TAG_BYTES, hpkeOpen, hpkeSeal } from './hpke.ts';
import { HPKE_INFO_SEAL_TO_ROOM } from './labels.ts';

/** Notices and integration payloads are small; this bounds hostile input. */
export const MAX_SEALED_TO_ROOM_BYTES = 256 * 1024;

/** The fields of a v1.SealedToRoom. */
export interface SealedToRoomProps {
  roomId: string;
  epoch: number;
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

/**
 * The AAD that binds a seal to its room and epoch.
 * @example sealToRoomAad('room-1', 3)
 */
export function sealToRoomAad(roomId: string, epoch: number): Uint8Array {
  return concatBytes(utf8(requireId(roomId, 'room id')), u32be(requireEpoch(epoch)));
}

/**
 * Seals `plaintext` to the room public key of (room id, epoch). `ikmE`: vectors only.
 * @example const sealed = await sealToRoom({ roomId: 'r', epoch: 0, roomPublicKey, plaintext: utf8('hi') });
 */
export async function sealToRoom(input: {
  roomId: string;
  epoch: number;
  roomPublicKey: Uint8Array;
  plaintext: Uint8Array;
  ikmE?: Uint8Array;
}): Promise<SealedToRoomProps> {
  const aad = sealToRoomAad(input.roomId, input.epoch);
  const info = utf8(HPKE_INFO_SEAL_TO_ROOM);
  requireBytes(input.plaintext, { max: MAX_SEALED_TO_ROOM_BYTES - 1024 }, 'plaintext');
  const sealed = await hpkeSeal(input.roomPublicKey, input.plaintext, info, aad, input.ikmE);
  return { roomId: input.roomId, epoch: input.epoch, enc: sealed.enc, ciphertext: sealed.ciphertext };
}

/**
 * Encodes SealedToRoom fields for the wire.
 * @example nats.publish(subject, encodeSealedToRoom(sealed));
 */
export function encodeSealedToRoom(sealed: SealedToRoomProps): Uint8Array {
  return encode(v1.SealedToRoom, sealed);
}

/**
 * Decodes and shape-checks a SealedToRoom (hostile input); read roomId/epoch to pick the key.
 * @example const sealed = parseSealedToRoom(msg.data);
 */
export function parseSealedToRoom(input: Uint8Array | roomkey.v1.ISealedToRoom): SealedToRoomProps {
  const fields =
    input instanceof Uint8Array
      ? decode(v1.SealedToRoom, input, 'sealed to room', MAX_SEALED_TO_ROOM_BYTES)
      : input;
  if (fields === null || typeof fields !== 'object')
    throw new MalformedError('sealed to room: expected fields');
  return {
    roomId: requireId(fields.roomId, 'sealed to room: room id'),
    epoch: requireEpoch(fields.epoch ?? 0, 'sealed to room: epoch'),
    enc: copyBytes(fields.enc, HPKE_ENC_BYTES, 'sealed to room: enc'),
    ciphertext: copyBytes(
      fields.ciphertext,
      { min: HPKE_TAG_BYTES, max: MAX_SEALED_TO_ROOM_BYTES },
      'sealed to room: ciphertext',
    ),
  };
}

/**
 * Opens a seal with the room private key of `keys.roomId` at `keys.epoch` (e.g. EpochKeys).
 * MalformedError if the seal names another room or epoch; DecryptError if it does not open.
 * @example const plaintext = await openSealedToRoom(msg.data, epochKeys);
 */
export async function openSealedToRoom(
  sealed: Uint8Array | roomkey.v1.ISealedToRoom,
  keys: { roomId: string; epoch: number; roomPrivateKey: Uint8Array },
): Promise<Uint8Array> {
  const parsed = parseSealedToRoom(sealed);
  if (parsed.roomId !== keys.roomId || parsed.epoch !== keys.epoch) {
    throw new MalformedError(
      `sealed to room: sealed for ${parsed.roomId} epoch ${parsed.epoch}, not ${keys.roomId} epoch ${keys.epoch}`,
    );
  }
  return hpkeOpen(
    keys.roomPrivateKey,
    parsed.enc,
    parsed.ciphertext,
    utf8(HPKE_INFO_SEAL_TO_ROOM),
    sealToRoomAad(keys.roomId, keys.epoch),
  );
}
