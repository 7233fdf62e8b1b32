// The shapes core/room works with: who "I" am, and how it learns about other users and devices.
import type { DeviceCertificate, MessageActionName, UserIdentity, UserKeys } from '../crypto/index.ts';

/** This device's user and device keys: what a member needs to commit, send and read. */
export interface LocalMember {
  userId: string;
  /** Needs hpkePrivateKey (to open key wraps) and hpkePublicKey. */
  userKeys: Pick<UserKeys, 'hpkePrivateKey' | 'hpkePublicKey'>;
  /** The device's Ed25519 key pair; the public half is certified by the user. */
  device: { secretKey: Uint8Array; publicKey: Uint8Array };
}

/**
 * Verified facts about other users and devices. Implementations must only return identities and
 * certificates whose signatures they checked (the gateway's directory, a local cache, a test map).
 */
export interface Directory {
  /** The verified identity of a user; throws NotFoundError when unknown. */
  identity(userId: string): Promise<UserIdentity>;
  /**
   * The verified certificate of a device key; undefined when none is known. Without `atMs` the
   * device must be unrevoked now. With `atMs` (when the server stored the object being checked,
   * see `StoredFacts`), a directory that knows revocation times may also return a device revoked
   * after `atMs`, so a room whose history a since-revoked device signed stays verifiable.
   * Revocation times are the gateway's clock, never the revoking or the signing device's.
   */
  device(deviceKey: Uint8Array, atMs?: number): Promise<DeviceCertificate | undefined>;
}

/**
 * What the server says about a stored object: when JetStream stored it (ms, the server's clock)
 * and its stream sequence. Device validity is judged by these, never by a time the sender wrote.
 */
export interface StoredFacts {
  storedAtMs: number;
  seq: number;
}

/** An encoded envelope as read from the room stream, with its stored facts. */
export interface StoredEnvelope extends StoredFacts {
  bytes: Uint8Array;
}

/** A message that passed every check. */
export interface RoomMessage {
  roomId: string;
  epoch: number;
  messageId: Uint8Array;
  senderUserId: string;
  senderDeviceKey: Uint8Array;
  /** The sender's own claim: shown, never trusted for anything. */
  sentAtMs: number;
  /** When JetStream stored it and where (absent when received without stored facts). */
  storedAtMs?: number;
  seq?: number;
  contentType: number;
  text: string;
  replyTo: Uint8Array;
  /** What it does: `post` (also when absent), or an edit, delete, react or unreact of `target` (padding.ts). */
  action?: MessageActionName;
  /** The message acted on (empty or absent for a post). */
  target?: Uint8Array;
  /** The emoji of a react or unreact ('' or absent otherwise). */
  reaction?: string;
}

/** What receiving one envelope produced. Rejections are thrown as typed errors instead. */
export type ReceiveResult =
  | { status: 'ok'; message: RoomMessage }
  | {
      status: 'held';
      roomId: string;
      epoch: number;
      messageId: Uint8Array;
      /** Words for a user: why this message cannot be shown yet. */
      reason: string;
      /** When JetStream stored it and where (absent when received without stored facts). */
      storedAtMs?: number;
      seq?: number;
    };

/** One membership view: who is in the room at an epoch, under which room public key. */
export interface EpochView {
  epoch: number;
  members: readonly string[];
  roomPublicKey: Uint8Array;
  /** True when this device holds the epoch secret. */
  readable: boolean;
}

/**
 * What one commit changed, from the signed commit the room verified (Room.changes): a membership
 * row of the history. `renamedTo`: the new name of an accepted rename this device can read.
 */
export interface EpochChange {
  epoch: number;
  kind: 'add' | 'remove' | 'rotate';
  committerUserId: string;
  added: string[];
  removed: string[];
  /** The commit carried the rename flag. */
  renames: boolean;
  renamedTo?: string;
  /** Where and when JetStream stored the commit (absent until this device learned it). */
  seq?: number;
  storedAtMs?: number;
}
