/**
 * The room's name and topic, encrypted for one epoch: they are content, so the server never sees
 * them. XChaCha20-Poly1305 under the epoch's room-info key; AAD binds room id and epoch;
 * the plaintext is a padded RoomInfo.
 * @example const sealed = sealRoomInfo({ roomId, epoch, roomInfoKey, info: { name: 'Ops' } });
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { u32be, utf8 } from '../bytes.ts';
import { decode } from '../codec.ts';
import { copyBytes, requireBytes, requireEpoch, requireId, requireText } from './_checks.ts';
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, aeadOpen, aeadSeal, randomNonce } from './aead.ts';
import { LABEL_ROOM_INFO } from './labels.ts';
import { encodePadded } from './padding.ts';
import { labeledMessage } from './sign.ts';

/** Names and topics are short; the limits keep hostile input small. */
export const MAX_ROOM_NAME_BYTES = 256;
export const MAX_ROOM_TOPIC_BYTES = 1024;

export interface RoomInfo {
  name: string;
  topic: string;
}

export interface SealedRoomInfoProps {
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

/**
 * The AAD of a sealed room info: label || 0x00 || u32be(epoch) || room id.
 * @example roomInfoAad('room-1', 0)
 */
export function roomInfoAad(roomId: string, epoch: number): Uint8Array {
  return labeledMessage(LABEL_ROOM_INFO, u32be(requireEpoch(epoch)), utf8(requireId(roomId, 'room id')));
}

/**
 * Encrypts name and topic for (room id, epoch). `nonce`: vectors only.
 * @example const info = sealRoomInfo({ roomId, epoch, roomInfoKey: keys.roomInfoKey, info: { name: 'Ops', topic: '' } });
 */
export function sealRoomInfo(input: {
  roomId: string;
  epoch: number;
  roomInfoKey: Uint8Array;
  info: Partial<RoomInfo>;
  nonce?: Uint8Array;
}): SealedRoomInfoProps {
  const fields = {
    name: requireText(input.info.name ?? '', MAX_ROOM_NAME_BYTES, 'room name'),
    topic: requireText(input.info.topic ?? '', MAX_ROOM_TOPIC_BYTES, 'room topic'),
  };
  const nonce =
    input.nonce === undefined ? randomNonce() : requireBytes(input.nonce, AEAD_NONCE_BYTES, 'nonce');
  const plaintext = encodePadded(v1.RoomInfo, fields, 'room info');
  return {
    nonce,
    ciphertext: aeadSeal(input.roomInfoKey, nonce, plaintext, roomInfoAad(input.roomId, input.epoch)),
  };
}

/**
 * Decrypts a sealed room info; DecryptError when the key, room or epoch is wrong.
 * @example const { name } = openRoomInfo(sealed, { roomId, epoch, roomInfoKey });
 */
export function openRoomInfo(
  sealed: roomkey.v1.ISealedRoomInfo,
  context: { roomId: string; epoch: number; roomInfoKey: Uint8Array },
): RoomInfo {
  const nonce = copyBytes(sealed?.nonce, AEAD_NONCE_BYTES, 'room info: nonce');
  const ciphertext = copyBytes(
    sealed?.ciphertext,
    { min: AEAD_TAG_BYTES, max: 64 * 1024 },
    'room info: ciphertext',
  );
  const plaintext = aeadOpen(
    context.roomInfoKey,
    nonce,
    ciphertext,
    roomInfoAad(context.roomId, context.epoch),
  );
  const info = decode(v1.RoomInfo, plaintext, 'room info');
  return {
    name: requireText(info.name, MAX_ROOM_NAME_BYTES, 'room name'),
    topic: requireText(info.topic, MAX_ROOM_TOPIC_BYTES, 'room topic'),
  };
}
