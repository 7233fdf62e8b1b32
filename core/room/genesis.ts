/**
 * Room genesis (epoch 0): made and signed by the creator's device; carries the room's policy, the
 * epoch-0 room public key, and the epoch-0 secret wrapped to the creator.
 * @example const { signed, secret } = await createGenesis({ me, roomId, orgId, projectId, nowMs });
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { decode, encode } from '../codec.ts';
import {
  deriveEpochKeys,
  generateEpochSecret,
  LABEL_ROOM_GENESIS,
  type RoomInfo,
  type SignedProps,
  sealRoomInfo,
  signBody,
  verifySigned,
  wrapEpochSecrets,
} from '../crypto/index.ts';
import { BadSignatureError, MalformedError } from '../errors.ts';
import { checkRoomId, requireDeviceOf } from './_checks.ts';
import type { Directory, LocalMember } from './types.ts';

export interface GenesisInput {
  me: LocalMember;
  roomId: string;
  orgId: string;
  projectId: string;
  policy?: roomkey.v1.RoomPolicy.$Properties;
  /** Name and topic: encrypted for members, never visible to the server. */
  info?: Partial<RoomInfo>;
  nowMs: number;
}

export interface VerifiedGenesis {
  roomId: string;
  orgId: string;
  projectId: string;
  creatorUserId: string;
  roomPublicKey: Uint8Array;
  policy: roomkey.v1.RoomPolicy.$Properties;
  createdAtMs: number;
  creatorKeyWrap: roomkey.v1.KeyWrap.$Properties;
  info: roomkey.v1.SealedRoomInfo.$Properties | null;
}

export async function createGenesis(
  input: GenesisInput,
): Promise<{ signed: SignedProps; secret: Uint8Array }> {
  const roomId = checkRoomId(input.roomId);
  const secret = generateEpochSecret();
  const keys = await deriveEpochKeys(secret, roomId, 0);
  const creatorKeyWrap = await wrapEpochSecrets({
    roomId,
    epoch: 0,
    recipientUserId: input.me.userId,
    recipientHpkeKey: input.me.userKeys.hpkePublicKey,
    secrets: [{ epoch: 0, secret }],
  });
  const body = encode(v1.RoomGenesisBody, {
    roomId,
    orgId: input.orgId,
    projectId: input.projectId,
    creatorUserId: input.me.userId,
    roomPublicKey: keys.roomPublicKey,
    policy: input.policy ?? { orgId: input.orgId, projectId: input.projectId, roomId },
    createdAtMs: input.nowMs,
    creatorKeyWrap,
    info: sealRoomInfo({ roomId, epoch: 0, roomInfoKey: keys.roomInfoKey, info: input.info ?? {} }),
  });
  return { signed: await signBody(LABEL_ROOM_GENESIS, body, input.me.device.secretKey), secret };
}

/**
 * Verifies the signature and that the signing device belongs to the creator it names, valid at
 * `atMs` (validity.ts: from when JetStream stored the genesis) or, without it, at its created-at.
 */
export async function verifyGenesis(
  signed: roomkey.v1.ISigned,
  directory: Directory,
  atMs?: number,
): Promise<VerifiedGenesis> {
  const bodyBytes = await verifySigned(LABEL_ROOM_GENESIS, signed);
  const body = decode(v1.RoomGenesisBody, bodyBytes, 'room genesis');
  const roomId = checkRoomId(body.roomId);
  if (!body.creatorUserId) throw new MalformedError('room genesis: no creator');
  await requireDeviceOf(
    directory,
    signed.signer!,
    body.creatorUserId,
    'room genesis',
    atMs ?? body.createdAtMs,
  );
  if (body.roomPublicKey.length !== 32)
    throw new MalformedError('room genesis: room public key must be 32 bytes');
  const wrap = body.creatorKeyWrap;
  if (!wrap || wrap.recipientUserId !== body.creatorUserId) {
    throw new MalformedError('room genesis: the epoch-0 key must be wrapped to the creator');
  }
  if (body.policy?.roomId && body.policy.roomId !== roomId) {
    throw new BadSignatureError('room genesis: the policy names another room');
  }
  return {
    roomId,
    orgId: body.orgId,
    projectId: body.projectId,
    creatorUserId: body.creatorUserId,
    roomPublicKey: body.roomPublicKey,
    policy: body.policy ?? {},
    createdAtMs: body.createdAtMs,
    creatorKeyWrap: wrap,
    info: body.info ?? null,
  };
}
