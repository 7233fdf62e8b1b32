/**
 * Every domain-separation string of protocol v1, in one place. A signature or key made for one
 * purpose can never be replayed as another, because each purpose hashes a different label.
 * Signed messages are utf8(label) || 0x00 || body; labels therefore never contain 0x00.
 * @example signBody(LABEL_USER_IDENTITY, bodyBytes, secretKey)
 */

/** Ed25519 label of a UserIdentityBody, signed by the user's own signing key. */
export const LABEL_USER_IDENTITY = 'roomkey/v1/user-identity';
/** Ed25519 label of a DeviceCertificateBody, signed by the user's signing key. */
export const LABEL_DEVICE_CERTIFICATE = 'roomkey/v1/device-certificate';
/** Ed25519 label of a RoomGenesisBody (signed by core/room with the creator's device key). */
export const LABEL_ROOM_GENESIS = 'roomkey/v1/room-genesis';
/** Ed25519 label of an EpochCommitBody (signed by core/room with the committer's device key). */
export const LABEL_EPOCH_COMMIT = 'roomkey/v1/epoch-commit';
/** Ed25519 label of an envelope: label || 0x00 || u32be(len(header)) || header || ciphertext. */
export const LABEL_ENVELOPE = 'roomkey/v1/envelope';

/** HPKE info of a KeyWrap (epoch secrets sealed to a user's X25519 key). */
export const HPKE_INFO_KEY_WRAP = 'roomkey/v1/key-wrap';
/** HPKE info of a SealedToRoom (anything sealed to a room's public key). */
export const HPKE_INFO_SEAL_TO_ROOM = 'roomkey/v1/seal-to-room';

/** HKDF-SHA256 salt for every key derived from a room epoch secret. */
export const EPOCH_HKDF_SALT = 'roomkey/v1/epoch';
/** HKDF info purpose: IKM of the room's X25519 key pair (then HPKE DeriveKeyPair). */
export const EPOCH_INFO_ROOM_KEYPAIR = 'room-keypair';
/** HKDF info purpose: the 32-byte XChaCha20-Poly1305 message key. */
export const EPOCH_INFO_MESSAGE_KEY = 'message-key';

/** HKDF purpose of the key that encrypts the room's name and topic in an epoch. */
export const EPOCH_INFO_ROOM_INFO = 'room-info';

/** Prefix of the AAD of a SealedRoomInfo. */
export const LABEL_ROOM_INFO = 'roomkey/v1/room-info';

/** SHA-512 prefix of a user's safety-number fingerprint (core/crypto/safety-number.ts). */
export const LABEL_SAFETY_NUMBER = 'roomkey/v1/safety-number';
/** Prefix of the text a safety-number QR code carries. */
export const SAFETY_NUMBER_QR_PREFIX = 'roomkey-safety:v1:';

/** SHA-512 prefix of the pairing transcript: label || 0x00 || u32be(len offer) || offer || u32be(len hello) || hello. */
export const LABEL_PAIRING_TRANSCRIPT = 'roomkey/v1/pairing-transcript';
/** HKDF-SHA512 salt of the pairing confirmation code (ikm = the transcript hash). */
export const PAIRING_CODE_SALT = 'roomkey/v1/pairing-code';
/** HPKE info of a PairingTransfer (the identity sealed to the new device's ephemeral key). */
export const HPKE_INFO_PAIRING = 'roomkey/v1/pairing';
/** Prefix of the text a pairing QR code carries (then base64url of the PairingOffer bytes). */
export const PAIRING_QR_PREFIX = 'roomkey-pair:v1:';
/** Ed25519 labels of the new device's proofs to the pairing relay (signed with its device key). */
export const LABEL_PAIRING_OPEN = 'roomkey/v1/pairing-open';
export const LABEL_PAIRING_POLL = 'roomkey/v1/pairing-poll';
export const LABEL_PAIRING_CANCEL = 'roomkey/v1/pairing-cancel';
export const LABEL_PAIRING_FINISH = 'roomkey/v1/pairing-finish';

/** HPKE info of a SealedDeviceName (a device's name sealed to its user's X25519 key). */
export const HPKE_INFO_DEVICE_NAME = 'roomkey/v1/device-name';
/** The name new device certificates carry: the real name is sealed (SealedDeviceName). */
export const GENERIC_DEVICE_NAME = 'device';
