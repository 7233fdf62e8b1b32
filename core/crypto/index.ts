/**
 * core/crypto: the protocol-v1 cryptography of RoomKey (see README.md for every label).
 * @example import { sealEnvelope, parseEnvelope, verifyEnvelopeSignature, decryptEnvelope } from '../crypto/index.ts';
 */
export { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, aeadOpen, aeadSeal, randomNonce } from './aead.ts';
export {
  createDeviceKey,
  type DeviceCertificate,
  MAX_DEVICE_NAME_BYTES,
  signDeviceCertificate,
  verifyDeviceCertificate,
} from './device-certificate.ts';
export {
  cleanDeviceName,
  type DeviceNameContext,
  deviceNameAad,
  MAX_DEVICE_NAME_CHARS,
  MAX_SEALED_DEVICE_NAME_BYTES,
  openDeviceName,
  sealDeviceName,
} from './device-name.ts';
export {
  type BatchVerifier,
  decryptEnvelope,
  ENVELOPE_VERSION,
  type EnvelopeHeader,
  type EnvelopeHeaderFields,
  type EnvelopeParts,
  encodeEnvelope,
  MAX_ENVELOPE_BYTES,
  MAX_ENVELOPE_HEADER_BYTES,
  MESSAGE_ID_BYTES,
  type ParsedEnvelope,
  parseEnvelope,
  type SealEnvelopeInput,
  sealEnvelope,
  verifyEnvelopeSignature,
  verifyEnvelopeSignatures,
} from './envelope.ts';
export {
  deriveEpochKeys,
  deriveMessageKey,
  deriveRoomInfoKey,
  deriveRoomKeyPair,
  EPOCH_SECRET_BYTES,
  type EpochKeys,
  epochInfo,
  generateEpochSecret,
  MESSAGE_KEY_BYTES,
} from './epoch.ts';
export { SHA256_BYTES, sha256 } from './hash.ts';
export {
  createHpkeRecipient,
  createHpkeSender,
  HPKE_ENC_BYTES,
  HPKE_PRIVATE_KEY_BYTES,
  HPKE_PUBLIC_KEY_BYTES,
  type HpkeKeyPair,
  type HpkeRecipient,
  type HpkeSealed,
  type HpkeSender,
  hpkeDeriveKeyPair,
  hpkeGenerateKeyPair,
  hpkeOpen,
  hpkePublicKey,
  hpkeSeal,
  hpkeSealDeterministic,
} from './hpke.ts';
export {
  createUserKeys,
  MAX_USERNAME_BYTES,
  signUserIdentity,
  type UserIdentity,
  type UserKeys,
  verifyUserIdentity,
} from './identity.ts';
export {
  type EpochSecretEntry,
  type KeyWrapContext,
  type KeyWrapProps,
  keyWrapAad,
  MAX_WRAPPED_SECRETS,
  unwrapEpochSecrets,
  wrapEpochSecrets,
} from './key-wrap.ts';
export * from './labels.ts';
export {
  decodeMessageContent,
  encodeMessageContent,
  encodePadded,
  isReaction,
  MAX_REACTION_BYTES,
  type MessageActionName,
  type MessageContent,
  type MessageContentInput,
  paddedLength,
} from './padding.ts';
export {
  encodePairingHello,
  encodePairingOffer,
  openPairingTransfer,
  PAIRING_CHANNEL_ID_BYTES,
  PAIRING_CLOCK_SKEW_MS,
  PAIRING_CODE_DIGITS,
  PAIRING_NONCE_BYTES,
  PAIRING_OFFER_TTL_MS,
  PAIRING_TRANSCRIPT_BYTES,
  type ParsedPairingOffer,
  pairingCode,
  pairingTranscript,
  parsePairingHello,
  parsePairingOfferBytes,
  parsePairingOfferText,
  requireFreshOffer,
  sealPairingTransfer,
} from './pairing.ts';
export { randomBytes } from './random.ts';
export {
  MAX_ROOM_NAME_BYTES,
  MAX_ROOM_TOPIC_BYTES,
  openRoomInfo,
  type RoomInfo,
  roomInfoAad,
  type SealedRoomInfoProps,
  sealRoomInfo,
} from './room-info.ts';
export {
  parseSafetyNumber,
  SAFETY_NUMBER_DIGITS,
  SAFETY_NUMBER_ITERATIONS,
  type SafetyKeys,
  type SafetyNumber,
  safetyHalf,
  safetyNumber,
} from './safety-number.ts';
export {
  encodeSealedToRoom,
  MAX_SEALED_TO_ROOM_BYTES,
  openSealedToRoom,
  parseSealedToRoom,
  type SealedToRoomProps,
  sealToRoom,
  sealToRoomAad,
} from './seal-to-room.ts';
export {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SECRET_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  type Ed25519Backend,
  ed25519Backend,
  ed25519PublicKeyProblem,
  labeledMessage,
  requireSigningPublicKey,
  type SigningKeyPair,
  type SignOptions,
  sign,
  signingKeyPair,
  signingPublicKey,
  type VerifyItem,
  verify,
  verifyBatch,
} from './sign.ts';
export {
  decodeSigned,
  encodeSigned,
  type SignedProps,
  signBody,
  type VerifySignedOptions,
  verifySigned,
} from './signed.ts';
