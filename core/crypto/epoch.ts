/**
 * Room epochs: one 32-byte random secret per epoch; HKDF-SHA256 derives from it the room's X25519
 * key pair and the message key, each bound to its room id and epoch number:
 *   prk  = HKDF-Extract(salt = utf8("roomkey/v1/epoch"), ikm = epoch secret)
 *   info = utf8(purpose) || 0x00 || u32be(epoch) || utf8(room id)     (purpose has no NUL, epoch is fixed width)
 *   room key pair = HPKE DeriveKeyPair(HKDF-Expand(prk, info("room-keypair"), 32))
 *   message key   = HKDF-Expand(prk, info("message-key"), 32)
 * @example const keys = await deriveEpochKeys(secret, 'room-1', 0);
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, u32be, utf8 } from '../bytes.ts';
import { requireBytes, requireEpoch, requireId } from './_checks.ts';
import { hpkeDeriveKeyPair } from './hpke.ts';
import {
  EPOCH_HKDF_SALT,
  EPOCH_INFO_MESSAGE_KEY,
  EPOCH_INFO_ROOM_INFO,
  EPOCH_INFO_ROOM_KEYPAIR,
} from './labels.ts';
import { randomBytes } from './random.ts';

export const EPOCH_SECRET_BYTES = 32;
export const MESSAGE_KEY_BYTES = 32;

/** Everything a member derives from an epoch secret. */
export interface EpochKeys {
  roomId: string;
  epoch: number;
  /** X25519 public key: the "room public key" the gateway holds and anyone may seal to. */
  roomPublicKey: Uint8Array;
  roomPrivateKey: Uint8Array;
  /** XChaCha20-Poly1305 key of every envelope in this epoch. */
  messageKey: Uint8Array;
  /** XChaCha20-Poly1305 key of the room's name and topic in this epoch. */
  roomInfoKey: Uint8Array;
}

/**
 * A fresh random epoch secret.
 * @example const secret = generateEpochSecret();
 */
export function generateEpochSecret(): Uint8Array {
  return randomBytes(EPOCH_SECRET_BYTES);
}

/**
 * The HKDF info for `purpose` in (room id, epoch); exported so vectors can show it.
 * @example epochInfo('message-key', 'room-1', 0)
 */
export function epochInfo(purpose: string, roomId: string, epoch: number): Uint8Array {
  return concatBytes(
    utf8(purpose),
    new Uint8Array([0]),
    u32be(requireEpoch(epoch)),
    utf8(requireId(roomId, 'room id')),
  );
}

function expand(epochSecret: Uint8Array, purpose: string, roomId: string, epoch: number): Uint8Array {
  requireBytes(epochSecret, EPOCH_SECRET_BYTES, 'epoch secret');
  return hkdf(sha256, epochSecret, utf8(EPOCH_HKDF_SALT), epochInfo(purpose, roomId, epoch), 32);
}

/**
 * The 32-byte message key of (room id, epoch).
 * @example const messageKey = deriveMessageKey(secret, 'room-1', 3);
 */
export function deriveMessageKey(epochSecret: Uint8Array, roomId: string, epoch: number): Uint8Array {
  return expand(epochSecret, EPOCH_INFO_MESSAGE_KEY, roomId, epoch);
}

/**
 * The 32-byte key of the room's name and topic in (room id, epoch).
 * @example const infoKey = deriveRoomInfoKey(secret, 'room-1', 3);
 */
export function deriveRoomInfoKey(epochSecret: Uint8Array, roomId: string, epoch: number): Uint8Array {
  return expand(epochSecret, EPOCH_INFO_ROOM_INFO, roomId, epoch);
}

/**
 * The room's X25519 key pair for (room id, epoch); a valid HPKE key by construction.
 * @example const { publicKey } = await deriveRoomKeyPair(secret, 'room-1', 3);
 */
export async function deriveRoomKeyPair(
  epochSecret: Uint8Array,
  roomId: string,
  epoch: number,
): Promise<{ publicKey: Uint8Array; privateKey: Uint8Array }> {
  return hpkeDeriveKeyPair(expand(epochSecret, EPOCH_INFO_ROOM_KEYPAIR, roomId, epoch));
}

/**
 * Room key pair and message key of (room id, epoch).
 * @example const { roomPublicKey, messageKey } = await deriveEpochKeys(secret, 'room-1', 0);
 */
export async function deriveEpochKeys(
  epochSecret: Uint8Array,
  roomId: string,
  epoch: number,
): Promise<EpochKeys> {
  const pair = await deriveRoomKeyPair(epochSecret, roomId, epoch);
  return {
    roomId,
    epoch,
    roomPublicKey: pair.publicKey,
    roomPrivateKey: pair.privateKey,
    messageKey: deriveMessageKey(epochSecret, roomId, epoch),
    roomInfoKey: deriveRoomInfoKey(epochSecret, roomId, epoch),
  };
}
